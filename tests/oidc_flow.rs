//! The whole flow as a relying portal sees it, driven by the independent `openidconnect`
//! crate: discovery → authorize → login page → consent → code → token → ID token
//! verified against JWKS → userinfo → refresh (rotation, reuse revokes the family) →
//! revocation → logout. Runs on SQLite and, when configured, PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreErrorResponseType, CoreGenderClaim,
    CoreProviderMetadata,
};
use openidconnect::{
    AccessTokenHash, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EmptyAdditionalClaims,
    IssuerUrl, Nonce, OAuth2TokenResponse as _, PkceCodeChallenge, RedirectUrl, RequestTokenError,
    Scope, TokenResponse as _, UserInfoClaims,
};

fn rp_http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_portal_logs_a_citizen_in_end_to_end() {
    for app in apps().await {
        end_to_end(&app).await;
    }
}

async fn end_to_end(app: &TestApp) {
    let http = rp_http();
    let metadata =
        CoreProviderMetadata::discover_async(IssuerUrl::new(app.base.clone()).unwrap(), &http)
            .await
            .unwrap_or_else(|e| panic!("[{}] discovery: {e:?}", app.backend));
    let client = CoreClient::from_provider_metadata(
        metadata,
        ClientId::new("tax".into()),
        Some(ClientSecret::new(app.secret.clone())),
    )
    .set_redirect_uri(RedirectUrl::new(REDIRECT.into()).unwrap());

    // Authorize with PKCE, asking for offline access so a refresh token comes back.
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (auth_url, csrf, nonce) = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("email".into()))
        .add_scope(Scope::new("phone".into()))
        .add_scope(Scope::new("offline_access".into()))
        .add_extra_param("prompt", "consent")
        .set_pkce_challenge(challenge)
        .url();
    let browser = browser();
    // Log in by SNILS typed with separators: the one field takes phone, e-mail or SNILS.
    let back = app
        .login_and_consent(&browser, auth_url.to_string(), "112-233-445 95")
        .await;
    assert!(back.starts_with(REDIRECT), "[{}] {back}", app.backend);
    assert_eq!(
        query_param(&back, "state").as_deref(),
        Some(csrf.secret().as_str())
    );
    assert_eq!(
        query_param(&back, "iss").as_deref(),
        Some(app.base.as_str()),
        "RFC 9207 iss"
    );
    let code = query_param(&back, "code").unwrap();

    let tokens = client
        .exchange_code(AuthorizationCode::new(code))
        .unwrap()
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .unwrap_or_else(|e| panic!("[{}] token: {e:?}", app.backend));
    let id_token = tokens.id_token().expect("an ID token");
    let id_verifier = client.id_token_verifier();
    let claims = id_token
        .claims(&id_verifier, &nonce)
        .expect("ID token verifies against JWKS");
    assert_eq!(claims.subject().as_str(), "citizen-1");
    assert_eq!(claims.issuer().as_str(), app.base);
    assert!(claims.auth_time().is_some());
    assert!(claims.auth_context_ref().is_some(), "acr present");
    let amr: Vec<String> = claims
        .auth_method_refs()
        .unwrap()
        .iter()
        .map(|a| a.as_str().to_owned())
        .collect();
    assert_eq!(amr, vec!["pwd"]);
    let expected_hash = AccessTokenHash::from_token(
        tokens.access_token(),
        id_token.signing_alg().unwrap(),
        id_token.signing_key(&id_verifier).unwrap(),
    )
    .unwrap();
    assert_eq!(claims.access_token_hash(), Some(&expected_hash), "at_hash");

    // Userinfo releases what the scopes ask for, nothing else.
    let info: UserInfoClaims<EmptyAdditionalClaims, CoreGenderClaim> = client
        .user_info(tokens.access_token().clone(), None)
        .unwrap()
        .request_async(&http)
        .await
        .unwrap_or_else(|e| panic!("[{}] userinfo: {e:?}", app.backend));
    assert_eq!(info.email().map(|e| e.as_str()), Some("ivanov@example.ru"));
    assert_eq!(
        info.phone_number().map(|p| p.as_str()),
        Some("+79123456789")
    );
    assert!(info.name().is_none(), "profile was not requested");

    // Refresh rotates; the old refresh token is then refused and kills the family.
    let first_refresh = tokens
        .refresh_token()
        .expect("a refresh token (offline_access consented)")
        .clone();
    let refreshed = client
        .exchange_refresh_token(&first_refresh)
        .unwrap()
        .request_async(&http)
        .await
        .unwrap_or_else(|e| panic!("[{}] refresh: {e:?}", app.backend));
    let second_refresh = refreshed
        .refresh_token()
        .expect("a rotated refresh token")
        .clone();
    assert_ne!(second_refresh.secret(), first_refresh.secret());
    let new_id = refreshed.id_token().expect("a refreshed ID token");
    let new_claims = new_id
        .claims(&id_verifier, |_: Option<&Nonce>| Ok(()))
        .unwrap();
    assert_eq!(new_claims.subject(), claims.subject());
    assert_eq!(
        new_claims.auth_time(),
        claims.auth_time(),
        "auth_time survives refresh"
    );

    let reuse = client
        .exchange_refresh_token(&first_refresh)
        .unwrap()
        .request_async(&http)
        .await;
    assert_invalid_grant(reuse, "reused refresh token");
    let after_reuse = client
        .exchange_refresh_token(&second_refresh)
        .unwrap()
        .request_async(&http)
        .await;
    assert_invalid_grant(after_reuse, "the family is revoked after reuse");
    let userinfo_after = http
        .get(app.url("/userinfo"))
        .bearer_auth(refreshed.access_token().secret())
        .send()
        .await
        .unwrap();
    assert_eq!(
        userinfo_after.status(),
        401,
        "access tokens of a revoked family die too"
    );

    // A second login round: the consent is remembered, so no consent page this time.
    let (auth_url, _, _) = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("email".into()))
        .url();
    let back = match app.follow(&browser, auth_url.to_string()).await {
        Hop::Left(to) => to,
        Hop::Page { html, .. } => panic!("expected SSO without pages, got {html}"),
    };
    let code = query_param(&back, "code").expect("a code straight away (single sign-on)");
    let tokens = client
        .exchange_code(AuthorizationCode::new(code))
        .unwrap()
        .request_async(&http)
        .await
        .unwrap();
    assert!(
        tokens.refresh_token().is_none(),
        "no offline_access asked, no refresh token"
    );

    // Revocation (RFC 7009) of the access token.
    let revoke = http
        .post(app.url("/revoke"))
        .basic_auth("tax", Some(&app.secret))
        .form(&[("token", tokens.access_token().secret().as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(revoke.status(), 200);
    let after = http
        .get(app.url("/userinfo"))
        .bearer_auth(tokens.access_token().secret())
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), 401);

    // RP-initiated logout with a valid hint ends the session and returns with state.
    let id_token = tokens.id_token().unwrap().to_string();
    let resp = browser
        .get(app.url("/logout"))
        .query(&[
            ("id_token_hint", id_token.as_str()),
            ("post_logout_redirect_uri", LOGOUT_REDIRECT),
            ("state", "bye"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&resp), format!("{LOGOUT_REDIRECT}?state=bye"));

    // …so a silent authorization now needs a login.
    let (auth_url, _, _) = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_extra_param("prompt", "none")
        .url();
    let resp = browser.get(auth_url.to_string()).send().await.unwrap();
    assert_eq!(
        query_param(&location(&resp), "error").as_deref(),
        Some("login_required")
    );
}

fn assert_invalid_grant<T: std::fmt::Debug, E: std::error::Error + 'static>(
    r: Result<T, RequestTokenError<E, openidconnect::StandardErrorResponse<CoreErrorResponseType>>>,
    what: &str,
) {
    match r {
        Err(RequestTokenError::ServerResponse(e)) => {
            assert_eq!(*e.error(), CoreErrorResponseType::InvalidGrant, "{what}");
        }
        other => panic!("{what}: expected invalid_grant, got {other:?}"),
    }
}
