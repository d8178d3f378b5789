//! Authentication mechanisms. Passwords now; TOTP, one-time codes, WebAuthn,
//! certificates and lockout join here in later issues.

pub mod certificate;
pub mod codes;
pub mod hash_pool;
pub mod passkey;
pub mod password;
pub mod second_factor;
