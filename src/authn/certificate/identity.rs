//! What a certificate says about its holder (x509-parser): subject name, the Russian
//! identifiers of qualified certificates (SNILS 1.2.643.100.3, person's INN
//! 1.2.643.3.131.1.1, OGRN 1.2.643.100.1, OGRNIP 1.2.643.100.5, legal entity's INN
//! 1.2.643.100.4), validity, key usage, the qualified-certificate markers (the
//! subjectSignTool and issuerSignTool extensions required by the FSB's rules) and
//! whether it uses GOST R 34.10-2012. Values may be NumericString, PrintableString or
//! UTF8String: issuers differ.

use super::CertError;
use crate::account::Snils;
use sha2::{Digest as _, Sha256};
use x509_parser::oid_registry::Oid;
use x509_parser::prelude::{FromDer as _, X509Certificate};

const SNILS: &[u64] = &[1, 2, 643, 100, 3];
const INN: &[u64] = &[1, 2, 643, 3, 131, 1, 1];
const OGRN: &[u64] = &[1, 2, 643, 100, 1];
const OGRNIP: &[u64] = &[1, 2, 643, 100, 5];
const INN_LE: &[u64] = &[1, 2, 643, 100, 4];
const SUBJECT_SIGN_TOOL: &[u64] = &[1, 2, 643, 100, 111];
const ISSUER_SIGN_TOOL: &[u64] = &[1, 2, 643, 100, 112];
/// GOST R 34.10-2012 public keys (256 and 512 bit) and signatures with GOST R 34.11-2012.
const GOST_PREFIX: &[u64] = &[1, 2, 643, 7, 1, 1];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertIdentity {
    /// SHA-256 of the DER, hex: how a bound certificate is recognised.
    pub fingerprint: String,
    pub subject: String,
    pub issuer: String,
    pub serial: String,
    pub common_name: Option<String>,
    /// Normalised 11 digits, check digits valid.
    pub snils: Option<String>,
    pub inn: Option<String>,
    pub ogrn: Option<String>,
    pub ogrnip: Option<String>,
    pub inn_le: Option<String>,
    pub not_before: i64,
    pub not_after: i64,
    /// The key may sign (keyUsage digitalSignature, or no keyUsage extension).
    pub can_sign: bool,
    /// clientAuth is allowed (extendedKeyUsage absent, or listing clientAuth or any).
    pub client_auth: bool,
    /// Carries the qualified-certificate markers.
    pub qualified: bool,
    /// GOST R 34.10-2012 key or signature.
    pub gost: bool,
}

fn oid(arcs: &[u64]) -> Option<Oid<'static>> {
    Oid::from(arcs).ok()
}

impl CertIdentity {
    pub fn from_der(der: &[u8]) -> Result<CertIdentity, CertError> {
        let (_, cert) = X509Certificate::from_der(der).map_err(|_| CertError::Malformed)?;
        let attr = |arcs: &[u64]| -> Option<String> {
            let want = oid(arcs)?;
            cert.subject()
                .iter_attributes()
                .find(|a| a.attr_type() == &want)
                .and_then(|a| a.as_str().ok())
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
        };
        let digits = |v: Option<String>, n: usize| {
            v.map(|s| s.chars().filter(char::is_ascii_digit).collect::<String>())
                .filter(|d| d.len() == n)
        };
        let snils = attr(SNILS)
            .and_then(|s| Snils::parse(&s).ok())
            .map(|s| s.as_str().to_owned());
        let has_ext =
            |arcs: &[u64]| oid(arcs).is_some_and(|o| cert.iter_extensions().any(|e| e.oid == o));
        let can_sign = match cert.key_usage() {
            Ok(Some(ku)) => ku.value.digital_signature() || ku.value.non_repudiation(),
            Ok(None) => true,
            Err(_) => false,
        };
        let client_auth = match cert.extended_key_usage() {
            Ok(Some(eku)) => eku.value.client_auth || eku.value.any,
            Ok(None) => true,
            Err(_) => false,
        };
        let gost_prefix = oid(GOST_PREFIX)
            .map(|o| o.to_id_string())
            .unwrap_or_default();
        let is_gost = |o: &Oid<'_>| o.to_id_string().starts_with(&gost_prefix);
        let gost = is_gost(&cert.signature_algorithm.algorithm)
            || is_gost(&cert.public_key().algorithm.algorithm);
        Ok(CertIdentity {
            fingerprint: hex(&Sha256::digest(der)),
            subject: cert.subject().to_string(),
            issuer: cert.issuer().to_string(),
            serial: cert.raw_serial_as_string(),
            common_name: cert
                .subject()
                .iter_common_name()
                .next()
                .and_then(|c| c.as_str().ok())
                .map(str::to_owned),
            snils,
            inn: digits(attr(INN), 12),
            ogrn: digits(attr(OGRN), 13),
            ogrnip: digits(attr(OGRNIP), 15),
            inn_le: digits(attr(INN_LE), 10),
            not_before: cert.validity().not_before.timestamp(),
            not_after: cert.validity().not_after.timestamp(),
            can_sign,
            client_auth,
            qualified: has_ext(SUBJECT_SIGN_TOOL) && has_ext(ISSUER_SIGN_TOOL),
            gost,
        })
    }

    /// Dates and key usage: what can be checked without the issuer.
    pub fn check_usable(&self, now: i64) -> Result<(), CertError> {
        if now < self.not_before {
            return Err(CertError::NotYetValid);
        }
        if now > self.not_after {
            return Err(CertError::Expired);
        }
        if !self.can_sign || !self.client_auth {
            return Err(CertError::WrongKeyUsage);
        }
        Ok(())
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
