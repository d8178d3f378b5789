//! Verifying a certificate chain against the trust store with rustls-webpki, with the
//! revocation lists, and mapping each failure to a message the citizen understands.
//! The TLS listener itself accepts any client certificate whose holder proves
//! possession of the key (`AcceptAnyClientCert`): refusing in the handshake would give
//! the browser a bare TLS error, so the chain is judged here, after the handshake.

use super::{CertError, CrlSet};
use rustls::DistinguishedName;
use rustls::SignatureScheme;
use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, TrustAnchor, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use std::path::Path;
use std::time::Duration;
use webpki::{
    EndEntityCert, KeyUsage, RevocationCheckDepth, RevocationOptionsBuilder, UnknownStatusPolicy,
};

pub struct TrustStore {
    anchors: Vec<TrustAnchor<'static>>,
    subjects: Vec<DistinguishedName>,
    pub crls: CrlSet,
}

fn algorithms() -> WebPkiSupportedAlgorithms {
    rustls::crypto::aws_lc_rs::default_provider().signature_verification_algorithms
}

impl TrustStore {
    /// Every certificate in the PEM bundle becomes a trust anchor.
    pub fn load(path: &Path, crls: CrlSet) -> Result<TrustStore, String> {
        let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path)
            .map_err(|e| format!("{}: {e}", path.display()))?
            .collect::<Result<_, _>>()
            .map_err(|e| format!("{}: {e}", path.display()))?;
        Self::from_certs(&certs, crls).map_err(|e| format!("{}: {e}", path.display()))
    }

    pub fn from_certs(certs: &[CertificateDer<'_>], crls: CrlSet) -> Result<TrustStore, String> {
        if certs.is_empty() {
            return Err("no certificates in the trust store".into());
        }
        let mut anchors = Vec::new();
        for c in certs {
            let a =
                webpki::anchor_from_trusted_cert(c).map_err(|e| format!("trust anchor: {e}"))?;
            anchors.push(a.to_owned());
        }
        let subjects = anchors
            .iter()
            .map(|a| DistinguishedName::from(a.subject.as_ref().to_vec()))
            .collect();
        Ok(TrustStore {
            anchors,
            subjects,
            crls,
        })
    }

    /// `chain[0]` is the holder's certificate, the rest intermediates as presented.
    pub fn verify(&self, chain: &[CertificateDer<'_>], now: i64) -> Result<(), CertError> {
        let Some(leaf) = chain.first() else {
            return Err(CertError::NotPresented);
        };
        let ee = EndEntityCert::try_from(leaf).map_err(|_| CertError::Malformed)?;
        let crls = self.crls.current();
        let refs: Vec<&webpki::CertRevocationList<'static>> = crls.iter().collect();
        let revocation = RevocationOptionsBuilder::new(&refs).ok().map(|b| {
            // A CRL that does not cover the issuer cannot say anything: allow, as
            // browsers do; the CRLs of every trusted centre should be configured.
            b.with_depth(RevocationCheckDepth::EndEntity)
                .with_status_policy(UnknownStatusPolicy::Allow)
                .with_expiration_policy(webpki::ExpirationPolicy::Ignore)
                .build()
        });
        let time = UnixTime::since_unix_epoch(Duration::from_secs(u64::try_from(now).unwrap_or(0)));
        ee.verify_for_usage(
            algorithms().all,
            &self.anchors,
            &chain[1..],
            time,
            KeyUsage::client_auth(),
            revocation,
            None,
        )
        .map(|_| ())
        .map_err(map_error)
    }

    /// The verifier for the TLS listener.
    pub fn client_verifier(&self) -> AcceptAnyClientCert {
        AcceptAnyClientCert {
            subjects: self.subjects.clone(),
            algs: algorithms(),
        }
    }
}

fn map_error(e: webpki::Error) -> CertError {
    use webpki::Error as E;
    match e {
        E::CertExpired { .. } => CertError::Expired,
        E::CertNotValidYet { .. } => CertError::NotYetValid,
        E::CertRevoked => CertError::Revoked,
        E::RequiredEkuNotFoundContext(_) => CertError::WrongKeyUsage,
        E::BadDer | E::BadDerTime | E::TrailingData(_) => CertError::Malformed,
        _ => CertError::Untrusted,
    }
}

/// Accepts any client certificate in the handshake, but only from a client that proves
/// it holds the key (the handshake signature is verified). The chain is judged by
/// `TrustStore::verify` afterwards, with a readable answer.
#[derive(Debug)]
pub struct AcceptAnyClientCert {
    subjects: Vec<DistinguishedName>,
    algs: WebPkiSupportedAlgorithms,
}

impl ClientCertVerifier for AcceptAnyClientCert {
    fn offer_client_auth(&self) -> bool {
        true
    }

    fn client_auth_mandatory(&self) -> bool {
        false
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &self.subjects
    }

    fn verify_client_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        Ok(ClientCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algs)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algs)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algs.supported_schemes()
    }
}
