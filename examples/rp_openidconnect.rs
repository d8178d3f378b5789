//! The Rust `openidconnect` crate as an independent relying party, for
//! `conformance/run`: the full flow against $ISSUER over HTTPS (the test CA in
//! $CA_FILE), speaking the line protocol of `conformance/rp/driver.mjs`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreGenderClaim, CoreProviderMetadata,
};
use openidconnect::{
    AccessTokenHash, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EmptyAdditionalClaims,
    IssuerUrl, Nonce, OAuth2TokenResponse as _, PkceCodeChallenge, RedirectUrl, RevocationUrl,
    Scope, TokenResponse as _, UserInfoClaims,
};
use std::io::BufRead as _;

fn ask(word: &str, url: &str) -> String {
    println!("{word} {url}");
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).unwrap();
    line.trim().trim_start_matches("CALLBACK ").to_owned()
}

fn step(s: &str) {
    println!("STEP {s}");
}

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set"))
}

fn query(url: &str, name: &str) -> Option<String> {
    url::Url::parse(url)
        .ok()?
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

#[tokio::main]
async fn main() {
    let issuer = env("ISSUER");
    let ca = reqwest::Certificate::from_pem(&std::fs::read(env("CA_FILE")).unwrap()).unwrap();
    let http = reqwest::Client::builder()
        .add_root_certificate(ca)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let raw: serde_json::Value = http
        .get(format!("{issuer}/.well-known/openid-configuration"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let metadata =
        CoreProviderMetadata::discover_async(IssuerUrl::new(issuer.clone()).unwrap(), &http)
            .await
            .unwrap();
    step("discovery");
    let client = CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(env("CLIENT_ID")),
        Some(ClientSecret::new(env("CLIENT_SECRET"))),
    )
    .set_redirect_uri(RedirectUrl::new(env("REDIRECT_URI")).unwrap())
    .set_revocation_url(
        RevocationUrl::new(raw["revocation_endpoint"].as_str().unwrap().to_owned()).unwrap(),
    );

    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, csrf, nonce) = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("email".into()))
        .add_scope(Scope::new("offline_access".into()))
        .add_extra_param("prompt", "consent")
        .set_pkce_challenge(challenge)
        .url();
    let callback = ask("AUTHORIZE", url.as_str());
    assert_eq!(
        query(&callback, "state").as_deref(),
        Some(csrf.secret().as_str()),
        "state"
    );
    assert_eq!(
        query(&callback, "iss").as_deref(),
        Some(issuer.as_str()),
        "RFC 9207 iss"
    );
    let code = query(&callback, "code").expect("a code");
    let tokens = client
        .exchange_code(AuthorizationCode::new(code))
        .unwrap()
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .unwrap();
    let id_token = tokens.id_token().expect("an ID token");
    let verifier = client.id_token_verifier();
    let claims = id_token
        .claims(&verifier, &nonce)
        .expect("the ID token verifies");
    let expected = AccessTokenHash::from_token(
        tokens.access_token(),
        id_token.signing_alg().unwrap(),
        id_token.signing_key(&verifier).unwrap(),
    )
    .unwrap();
    assert_eq!(claims.access_token_hash(), Some(&expected), "at_hash");
    step(&format!(
        "code exchanged, ID token for {} validated",
        claims.subject().as_str()
    ));

    let info: UserInfoClaims<EmptyAdditionalClaims, CoreGenderClaim> = client
        .user_info(tokens.access_token().clone(), None)
        .unwrap()
        .request_async(&http)
        .await
        .unwrap();
    assert_eq!(info.subject(), claims.subject());
    assert!(info.email().is_some(), "userinfo has the email");
    step("userinfo");

    let refresh = tokens.refresh_token().expect("a refresh token").clone();
    let refreshed = client
        .exchange_refresh_token(&refresh)
        .unwrap()
        .request_async(&http)
        .await
        .unwrap();
    let rotated = refreshed
        .refresh_token()
        .expect("a rotated refresh token")
        .clone();
    assert_ne!(rotated.secret(), refresh.secret());
    step("refresh (rotated)");
    client
        .revoke_token(rotated.clone().into())
        .unwrap()
        .request_async(&http)
        .await
        .unwrap();
    let again = client
        .exchange_refresh_token(&rotated)
        .unwrap()
        .request_async(&http)
        .await;
    assert!(again.is_err(), "a revoked refresh token is refused");
    step("revocation");

    let mut end = url::Url::parse(raw["end_session_endpoint"].as_str().unwrap()).unwrap();
    end.query_pairs_mut()
        .append_pair("id_token_hint", &id_token.to_string())
        .append_pair("post_logout_redirect_uri", &env("POST_LOGOUT_REDIRECT_URI"))
        .append_pair("state", "bye");
    let back = ask("LOGOUT", end.as_str());
    assert_eq!(
        query(&back, "state").as_deref(),
        Some("bye"),
        "logout came back with state: {back}"
    );
    step("logout");
    println!(
        "OK openidconnect (Rust): discovery, code+PKCE, ID token, userinfo, refresh, revocation, logout"
    );
}
