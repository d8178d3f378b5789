//! Running the server: open the store, build the state, listen (plain or TLS), do
//! housekeeping, reload keys on SIGHUP, stop gracefully on SIGINT/SIGTERM.

use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::state::AppState;
use crate::store::Store;
use anyhow::Context as _;
use std::sync::Arc;
use std::time::Duration;

/// Connect to the configured database and bring its schema up to date.
pub async fn open_store(config: &Config) -> anyhow::Result<Store> {
    let store = Store::connect(&config.database_url)
        .await
        .with_context(|| format!("opening database {}", redact_url(&config.database_url)))?;
    store.migrate().await.context("running migrations")?;
    Ok(store)
}

pub async fn serve(config: Config) -> anyhow::Result<()> {
    install_crypto_provider();
    let store = open_store(&config).await?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let state =
        AppState::new(config.clone(), store, clock).context("building application state")?;
    spawn_housekeeping(state.clone());
    spawn_key_reload(state.clone());
    crate::verify::runner::spawn(state.clone());
    let app = crate::app(state);
    let handle = axum_server::Handle::new();
    tokio::spawn(shutdown_on_signal(handle.clone()));
    match &config.tls {
        None => {
            tracing::info!(listen = %config.listen, issuer = %config.issuer, "propusk listening (plain HTTP)");
            axum_server::bind(config.listen)
                .handle(handle)
                .serve(app.into_make_service())
                .await
                .context("serving")?;
        }
        Some(tls) => {
            let rustls =
                axum_server::tls_rustls::RustlsConfig::from_pem_file(&tls.cert_file, &tls.key_file)
                    .await
                    .with_context(|| {
                        format!("loading TLS certificate {}", tls.cert_file.display())
                    })?;
            tracing::info!(listen = %config.listen, issuer = %config.issuer, "propusk listening (TLS)");
            axum_server::bind_rustls(config.listen, rustls)
                .handle(handle)
                .serve(app.into_make_service())
                .await
                .context("serving")?;
        }
    }
    Ok(())
}

/// rustls needs one process-wide crypto provider; aws-lc-rs (BUILD-NOTES.md).
pub fn install_crypto_provider() {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
}

async fn shutdown_on_signal(handle: axum_server::Handle<std::net::SocketAddr>) {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
    handle.graceful_shutdown(Some(Duration::from_secs(10)));
}

/// Expired codes, tokens, interactions and old sessions are deleted every ten minutes.
fn spawn_housekeeping(state: AppState) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(600));
        loop {
            tick.tick().await;
            match state.store.purge_expired(state.now()).await {
                Ok(n) if n > 0 => tracing::info!(rows = n, "purged expired rows"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "housekeeping failed"),
            }
        }
    });
}

/// `propusk keys rotate` writes the keys directory; SIGHUP makes a running server
/// pick the change up without a restart.
fn spawn_key_reload(state: AppState) {
    #[cfg(unix)]
    tokio::spawn(async move {
        let Ok(mut hup) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())
        else {
            return;
        };
        while hup.recv().await.is_some() {
            match state.reload_keys() {
                Ok(()) => tracing::info!("signing keys reloaded"),
                Err(e) => {
                    tracing::error!(error = %e, "reloading signing keys failed; keeping the old set")
                }
            }
        }
    });
    #[cfg(not(unix))]
    let _ = state;
}

/// A database URL without its password, for messages.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_owned(),
    }
}
