//! Certificate revocation lists from files and URLs, cached in memory and refreshed
//! periodically. A list that fails to load keeps the previous copy (and is logged):
//! an unreachable CRL server must not unrevoke certificates.

use rustls::pki_types::CertificateRevocationListDer;
use rustls::pki_types::pem::PemObject as _;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::Duration;
use webpki::{CertRevocationList, OwnedCertRevocationList};

type Lists = Arc<Vec<CertRevocationList<'static>>>;

#[derive(Clone, Default)]
pub struct CrlSet {
    current: Arc<RwLock<Lists>>,
}

impl CrlSet {
    pub fn current(&self) -> Lists {
        match self.current.read() {
            Ok(g) => Arc::clone(&g),
            Err(p) => Arc::clone(&p.into_inner()),
        }
    }

    fn replace(&self, lists: Vec<CertRevocationList<'static>>) {
        let fresh = Arc::new(lists);
        match self.current.write() {
            Ok(mut g) => *g = fresh,
            Err(p) => *p.into_inner() = fresh,
        }
    }

    /// Load every configured list; keep the old copy of any that fails.
    pub async fn reload(&self, files: &[PathBuf], urls: &[String]) -> Result<usize, String> {
        let mut out = Vec::new();
        let mut errors = Vec::new();
        for f in files {
            match tokio::fs::read(f).await {
                Ok(bytes) => match parse(&bytes) {
                    Ok(mut l) => out.append(&mut l),
                    Err(e) => errors.push(format!("{}: {e}", f.display())),
                },
                Err(e) => errors.push(format!("{}: {e}", f.display())),
            }
        }
        if !urls.is_empty() {
            let client = reqwest::Client::builder()
                .timeout(Duration::from_secs(20))
                .build()
                .map_err(|e| e.to_string())?;
            for u in urls {
                let fetched = async {
                    client
                        .get(u)
                        .send()
                        .await?
                        .error_for_status()?
                        .bytes()
                        .await
                };
                match fetched.await {
                    Ok(bytes) => match parse(&bytes) {
                        Ok(mut l) => out.append(&mut l),
                        Err(e) => errors.push(format!("{u}: {e}")),
                    },
                    Err(e) => errors.push(format!("{u}: {}", e.without_url())),
                }
            }
        }
        if !errors.is_empty() {
            return Err(errors.join("; "));
        }
        let n = out.len();
        self.replace(out);
        Ok(n)
    }
}

/// DER, or PEM with one or more `X509 CRL` blocks.
fn parse(bytes: &[u8]) -> Result<Vec<CertRevocationList<'static>>, String> {
    let ders: Vec<Vec<u8>> = if bytes.starts_with(b"-----") {
        CertificateRevocationListDer::pem_slice_iter(bytes)
            .map(|r| r.map(|d| d.as_ref().to_vec()).map_err(|e| e.to_string()))
            .collect::<Result<_, _>>()?
    } else {
        vec![bytes.to_vec()]
    };
    ders.iter()
        .map(|d| {
            OwnedCertRevocationList::from_der(d)
                .map(CertRevocationList::from)
                .map_err(|e| format!("not a CRL: {e}"))
        })
        .collect()
}

/// Re-read the lists every `every` seconds.
pub fn spawn_refresh(set: CrlSet, files: Vec<PathBuf>, urls: Vec<String>, every: u64) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(every.max(60)));
        tick.tick().await;
        loop {
            tick.tick().await;
            match set.reload(&files, &urls).await {
                Ok(n) => tracing::debug!(lists = n, "revocation lists refreshed"),
                Err(e) => tracing::warn!(error = %e, "revocation lists: keeping the previous copy"),
            }
        }
    });
}
