//! The embedded verifier: no registry to ask, so it checks what can be checked locally
//! (formats, SNILS and INN check digits, passport issued after the 14th birthday) and
//! accepts. Suitable for development and for deployments that verify elsewhere.

use super::{RegistryVerifier, Verdict, Verification, VerificationRequest};
use crate::account::{Inn, Snils};

pub struct Embedded;

impl Embedded {
    fn check(r: &VerificationRequest) -> Verdict {
        let d = &r.data;
        if Snils::parse(&d.snils).is_err() {
            return Verdict::Rejected("SNILS check digits do not match".into());
        }
        if let Some(inn) = &d.inn
            && Inn::parse(inn).is_err()
        {
            return Verdict::Rejected("INN check digits do not match".into());
        }
        let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(&d.passport.series, 4) || !digits(&d.passport.number, 6) {
            return Verdict::Rejected("passport series or number malformed".into());
        }
        if d.passport.issued <= d.birth_date {
            return Verdict::Rejected("passport issued before birth".into());
        }
        Verdict::Accepted
    }
}

impl RegistryVerifier for Embedded {
    fn verify<'a>(&'a self, request: &'a VerificationRequest) -> Verification<'a> {
        Box::pin(async move { Ok(Self::check(request)) })
    }
}
