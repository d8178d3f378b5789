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

/// aws-lc seeds its random generator from a jitter-entropy source on first use: 0.42
/// billion instructions (callgrind), a few hundred milliseconds here, which landed in
/// the first token request after start-up. Seed it while starting instead.
fn seed_signing_rng() -> anyhow::Result<()> {
    use aws_lc_rs::rand::SecureRandom as _;
    let mut probe = [0u8; 16];
    aws_lc_rs::rand::SystemRandom::new()
        .fill(&mut probe)
        .map_err(|_| anyhow::anyhow!("the signing key's random generator is unavailable"))
}

pub async fn serve(config: Config) -> anyhow::Result<()> {
    install_crypto_provider();
    let store = open_store(&config).await?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let state =
        AppState::new(config.clone(), store, clock).context("building application state")?;
    seed_signing_rng()?;
    spawn_housekeeping(state.clone());
    spawn_key_reload(state.clone());
    crate::verify::runner::spawn(state.clone());
    crate::http::backchannel::spawn(state.clone());
    start_certificate_login(&state).await?;
    let app = crate::app(state.clone());
    let handle = axum_server::Handle::new();
    tokio::spawn(shutdown_on_signal(handle.clone()));
    if let (Some(addr), Some(tls)) = (config.certificate_login.listen, &config.tls)
        && config.certificate_login.enabled
    {
        let rustls = mtls_config(&state, &tls.cert_file, &tls.key_file)?;
        tracing::info!(listen = %addr, "certificate login listening (mutual TLS)");
        let server = axum_server::bind(addr)
            .acceptor(CertAcceptor::new(rustls))
            .handle(handle.clone())
            .serve(crate::http::with_peer(app.clone()));
        tokio::spawn(async move {
            if let Err(e) = server.await {
                tracing::error!(error = %e, "certificate listener stopped");
            }
        });
    }
    match &config.tls {
        None => {
            tracing::info!(listen = %config.listen, issuer = %config.issuer, "propusk listening (plain HTTP)");
            axum_server::bind(config.listen)
                .handle(handle)
                .serve(crate::http::with_peer(app))
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
                .serve(crate::http::with_peer(app))
                .await
                .context("serving")?;
        }
    }
    Ok(())
}

/// Load the revocation lists once (start-up fails on a bad one) and keep them fresh.
async fn start_certificate_login(state: &AppState) -> anyhow::Result<()> {
    let c = &state.config.certificate_login;
    let Some(trust) = &state.certs else {
        return Ok(());
    };
    if c.listen.is_some() && state.config.tls.is_none() {
        anyhow::bail!("certificate_login.listen needs [tls] (the listener uses its certificate)");
    }
    let n = trust
        .crls
        .reload(&c.crl_files, &c.crl_urls)
        .await
        .map_err(|e| anyhow::anyhow!("certificate_login CRLs: {e}"))?;
    tracing::info!(lists = n, "revocation lists loaded");
    crate::authn::certificate::spawn_refresh(
        trust.crls.clone(),
        c.crl_files.clone(),
        c.crl_urls.clone(),
        c.crl_refresh,
    );
    Ok(())
}

/// The mutual-TLS server configuration: our certificate, and any client certificate
/// whose holder proves possession of its key (the chain is judged per request).
pub fn mtls_config(
    state: &AppState,
    cert_file: &std::path::Path,
    key_file: &std::path::Path,
) -> anyhow::Result<axum_server::tls_rustls::RustlsConfig> {
    use rustls::pki_types::pem::PemObject as _;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let trust = state
        .certs
        .as_ref()
        .context("certificate_login is not enabled")?;
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert_file)
        .and_then(|i| i.collect::<Result<_, _>>())
        .with_context(|| format!("reading {}", cert_file.display()))?;
    let key = PrivateKeyDer::from_pem_file(key_file)
        .with_context(|| format!("reading {}", key_file.display()))?;
    let mut cfg = rustls::ServerConfig::builder()
        .with_client_cert_verifier(Arc::new(trust.client_verifier()))
        .with_single_cert(certs, key)
        .context("TLS certificate and key")?;
    cfg.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(axum_server::tls_rustls::RustlsConfig::from_config(
        Arc::new(cfg),
    ))
}

/// A rustls acceptor that hands the client's certificate chain to every request of
/// the connection (as the `ClientCertChain` extension).
#[derive(Clone)]
pub struct CertAcceptor {
    inner: axum_server::tls_rustls::RustlsAcceptor,
}

impl CertAcceptor {
    pub fn new(config: axum_server::tls_rustls::RustlsConfig) -> CertAcceptor {
        CertAcceptor {
            inner: axum_server::tls_rustls::RustlsAcceptor::new(config),
        }
    }
}

impl<I, S> axum_server::accept::Accept<I, S> for CertAcceptor
where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
    S: Send + 'static,
{
    type Stream = tokio_rustls::server::TlsStream<I>;
    type Service = axum::middleware::AddExtension<S, crate::http::peer::ClientCertChain>;
    type Future = std::pin::Pin<
        Box<
            dyn std::future::Future<Output = std::io::Result<(Self::Stream, Self::Service)>> + Send,
        >,
    >;

    fn accept(&self, stream: I, service: S) -> Self::Future {
        use tower::Layer as _;
        let acceptor = self.inner.clone();
        Box::pin(async move {
            let (stream, service) = acceptor.accept(stream, service).await?;
            let chain = stream
                .get_ref()
                .1
                .peer_certificates()
                .map(|c| c.iter().map(|d| d.clone().into_owned()).collect())
                .unwrap_or_default();
            let service = axum::Extension(crate::http::peer::ClientCertChain(chain)).layer(service);
            Ok((stream, service))
        })
    }
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
