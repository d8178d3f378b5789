//! What `/authorize` does next, decided without I/O: the inputs are the request, the
//! browser's session, the remembered consent and what already happened in this
//! interaction; the answer is an enum. `http/authorize.rs` carries it out.

use super::authorize::AuthorizationRequest;
use super::error::{ErrorCode, OAuthError};
use super::scope;
use crate::account::TrustLevel;
use crate::clock::UnixTime;

/// The part of a live session the decision needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionView {
    pub account_id: String,
    pub auth_time: UnixTime,
}

/// What has happened on hosted pages during this interaction.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    /// The citizen logged in during this interaction (so `prompt=login`/`max_age` are met).
    pub logged_in: bool,
    /// The citizen saw the consent page and agreed.
    pub consented: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Login,
    /// A second factor is required and this session has not passed one.
    SecondFactor,
    /// The account's trust level is below what the portal (or `acr_values`) requires.
    Level,
    Consent,
}

/// The logged-in account's level against the level this request requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LevelCheck {
    pub current: TrustLevel,
    pub required: TrustLevel,
}

/// The level a request requires: the portal's minimum, raised by `acr_values` (any
/// listed level is acceptable and a higher level satisfies a lower one, so the lowest
/// listed level we know counts). Unknown values are ignored.
pub fn required_level(client_min: TrustLevel, acr_values: &[String]) -> TrustLevel {
    let asked = acr_values
        .iter()
        .filter_map(|a| TrustLevel::from_acr(a))
        .min()
        .unwrap_or(TrustLevel::Simplified);
    client_min.max(asked)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Issue the authorization code now.
    Issue,
    /// Send the citizen to a hosted page.
    Interact(Stage),
    /// Send an error back to the portal.
    Fail(OAuthError),
}

pub struct Inputs<'a> {
    pub request: &'a AuthorizationRequest,
    pub session: Option<&'a SessionView>,
    /// `sub` of a verified `id_token_hint`, if one was sent.
    pub hint_sub: Option<&'a str>,
    /// Scopes the citizen consented to for this portal earlier.
    pub granted: Option<&'a [String]>,
    pub progress: Progress,
    pub now: UnixTime,
    /// Known once a session is there.
    pub level: Option<LevelCheck>,
    /// A second factor is required and the session has not passed one.
    pub factor_pending: bool,
}

pub fn decide(i: &Inputs<'_>) -> Decision {
    let r = i.request;
    if let Some(reason) = login_needed(i) {
        return if r.prompt.none {
            Decision::Fail(OAuthError::new(ErrorCode::LoginRequired, reason))
        } else {
            Decision::Interact(Stage::Login)
        };
    }
    if i.factor_pending {
        return if r.prompt.none {
            Decision::Fail(OAuthError::new(
                ErrorCode::InteractionRequired,
                "a second factor is required",
            ))
        } else {
            Decision::Interact(Stage::SecondFactor)
        };
    }
    if let Some(l) = i.level
        && l.current < l.required
    {
        return if r.prompt.none {
            Decision::Fail(OAuthError::new(
                ErrorCode::AccessDenied,
                format!("the portal requires a {} account", l.required.as_str()),
            ))
        } else {
            Decision::Interact(Stage::Level)
        };
    }
    if consent_needed(i) {
        return if r.prompt.none {
            Decision::Fail(OAuthError::new(
                ErrorCode::ConsentRequired,
                "the citizen has not consented to these scopes",
            ))
        } else {
            Decision::Interact(Stage::Consent)
        };
    }
    Decision::Issue
}

/// `Some(reason)` when the citizen must (re-)authenticate.
fn login_needed(i: &Inputs<'_>) -> Option<&'static str> {
    let r = i.request;
    let Some(session) = i.session else {
        return Some("no session");
    };
    if i.progress.logged_in {
        return None;
    }
    if r.prompt.login {
        return Some("prompt=login requires a new login");
    }
    if let Some(max_age) = r.max_age {
        // OIDC Core §3.1.2.1: max_age=0 is the same as prompt=login.
        if max_age == 0 || i.now.saturating_sub(session.auth_time) > max_age {
            return Some("authentication is older than max_age");
        }
    }
    if let Some(sub) = i.hint_sub
        && sub != session.account_id
    {
        return Some("id_token_hint names another citizen than the one logged in");
    }
    None
}

fn consent_needed(i: &Inputs<'_>) -> bool {
    let r = i.request;
    if i.progress.consented {
        return false;
    }
    if r.prompt.consent {
        return true;
    }
    let granted = i.granted.unwrap_or(&[]);
    r.scopes
        .iter()
        .filter(|s| scope::needs_consent(s))
        .any(|s| !granted.iter().any(|g| g == s))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oidc::authorize::Prompt;
    use crate::oidc::scope::Scopes;

    fn req() -> AuthorizationRequest {
        AuthorizationRequest {
            client_id: "tax".into(),
            redirect_uri: "https://tax.example/cb".into(),
            scopes: Scopes::parse_supported("openid email"),
            state: None,
            nonce: None,
            prompt: Prompt::default(),
            max_age: None,
            login_hint: None,
            ui_locales: None,
            acr_values: vec![],
            id_token_hint: None,
            code_challenge: None,
        }
    }

    fn session() -> SessionView {
        SessionView {
            account_id: "acc".into(),
            auth_time: 1000,
        }
    }

    fn run(
        r: &AuthorizationRequest,
        s: Option<&SessionView>,
        granted: Option<&[String]>,
        progress: Progress,
        now: i64,
        hint: Option<&str>,
    ) -> Decision {
        decide(&Inputs {
            request: r,
            session: s,
            hint_sub: hint,
            granted,
            progress,
            now,
            level: None,
            factor_pending: false,
        })
    }

    #[test]
    fn a_level_below_the_requirement_asks_or_fails() {
        let r = req();
        let s = session();
        let mut i = Inputs {
            request: &r,
            session: Some(&s),
            hint_sub: None,
            granted: Some(&[]),
            progress: Progress {
                logged_in: false,
                consented: true,
            },
            now: 1000,
            level: Some(LevelCheck {
                current: TrustLevel::Simplified,
                required: TrustLevel::Standard,
            }),
            factor_pending: false,
        };
        assert_eq!(decide(&i), Decision::Interact(Stage::Level));
        i.level = Some(LevelCheck {
            current: TrustLevel::Confirmed,
            required: TrustLevel::Standard,
        });
        assert_eq!(decide(&i), Decision::Issue);
        let mut none = req();
        none.prompt.none = true;
        i.request = &none;
        i.level = Some(LevelCheck {
            current: TrustLevel::Simplified,
            required: TrustLevel::Confirmed,
        });
        let Decision::Fail(e) = decide(&i) else {
            panic!()
        };
        assert_eq!(e.code, ErrorCode::AccessDenied);
    }

    #[test]
    fn a_pending_second_factor_asks_before_level_and_consent() {
        let r = req();
        let s = session();
        let i = Inputs {
            request: &r,
            session: Some(&s),
            hint_sub: None,
            granted: Some(&[]),
            progress: Progress::default(),
            now: 1000,
            level: None,
            factor_pending: true,
        };
        assert_eq!(decide(&i), Decision::Interact(Stage::SecondFactor));
        let mut none = req();
        none.prompt.none = true;
        let i = Inputs {
            request: &none,
            ..i
        };
        let Decision::Fail(e) = decide(&i) else {
            panic!()
        };
        assert_eq!(e.code, ErrorCode::InteractionRequired);
    }

    #[test]
    fn acr_values_raise_but_never_lower_the_requirement() {
        let std = vec![TrustLevel::Standard.acr().to_owned()];
        assert_eq!(
            required_level(TrustLevel::Simplified, &std),
            TrustLevel::Standard
        );
        assert_eq!(
            required_level(TrustLevel::Confirmed, &std),
            TrustLevel::Confirmed
        );
        let both = vec![
            TrustLevel::Confirmed.acr().to_owned(),
            TrustLevel::Standard.acr().to_owned(),
            "urn:other".to_owned(),
        ];
        assert_eq!(
            required_level(TrustLevel::Simplified, &both),
            TrustLevel::Standard
        );
        assert_eq!(
            required_level(TrustLevel::Simplified, &[]),
            TrustLevel::Simplified
        );
    }

    const GRANTED: &[String] = &[];

    #[test]
    fn no_session_means_login_or_login_required() {
        let mut r = req();
        assert_eq!(
            run(&r, None, None, Progress::default(), 1000, None),
            Decision::Interact(Stage::Login)
        );
        r.prompt.none = true;
        let Decision::Fail(e) = run(&r, None, None, Progress::default(), 1000, None) else {
            panic!()
        };
        assert_eq!(e.code, ErrorCode::LoginRequired);
    }

    #[test]
    fn consent_is_remembered_per_scope() {
        let r = req();
        let s = session();
        assert_eq!(
            run(&r, Some(&s), Some(GRANTED), Progress::default(), 1000, None),
            Decision::Interact(Stage::Consent)
        );
        let granted = vec!["email".to_owned()];
        assert_eq!(
            run(
                &r,
                Some(&s),
                Some(&granted),
                Progress::default(),
                1000,
                None
            ),
            Decision::Issue
        );
        let mut r2 = req();
        r2.prompt.none = true;
        r2.scopes = Scopes::parse_supported("openid email phone");
        let Decision::Fail(e) = run(
            &r2,
            Some(&s),
            Some(&granted),
            Progress::default(),
            1000,
            None,
        ) else {
            panic!()
        };
        assert_eq!(e.code, ErrorCode::ConsentRequired);
    }

    #[test]
    fn max_age_and_prompt_login_force_a_new_login_once() {
        let granted = vec!["email".to_owned()];
        let s = session();
        let mut r = req();
        r.max_age = Some(60);
        assert_eq!(
            run(
                &r,
                Some(&s),
                Some(&granted),
                Progress::default(),
                1060,
                None
            ),
            Decision::Issue
        );
        assert_eq!(
            run(
                &r,
                Some(&s),
                Some(&granted),
                Progress::default(),
                1061,
                None
            ),
            Decision::Interact(Stage::Login)
        );
        let done = Progress {
            logged_in: true,
            consented: false,
        };
        assert_eq!(
            run(&r, Some(&s), Some(&granted), done, 5000, None),
            Decision::Issue
        );
        r.max_age = None;
        r.prompt.login = true;
        assert_eq!(
            run(
                &r,
                Some(&s),
                Some(&granted),
                Progress::default(),
                1000,
                None
            ),
            Decision::Interact(Stage::Login)
        );
        assert_eq!(
            run(&r, Some(&s), Some(&granted), done, 1000, None),
            Decision::Issue
        );
    }

    #[test]
    fn prompt_consent_always_asks_and_hint_must_match() {
        let granted = vec!["email".to_owned()];
        let s = session();
        let mut r = req();
        r.prompt.consent = true;
        assert_eq!(
            run(
                &r,
                Some(&s),
                Some(&granted),
                Progress::default(),
                1000,
                None
            ),
            Decision::Interact(Stage::Consent)
        );
        let mut r = req();
        r.prompt.none = true;
        let Decision::Fail(e) = run(
            &r,
            Some(&s),
            Some(&granted),
            Progress::default(),
            1000,
            Some("other"),
        ) else {
            panic!()
        };
        assert_eq!(e.code, ErrorCode::LoginRequired);
        assert_eq!(
            run(
                &r,
                Some(&s),
                Some(&granted),
                Progress::default(),
                1000,
                Some("acc")
            ),
            Decision::Issue
        );
    }
}
