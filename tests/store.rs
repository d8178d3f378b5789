//! The store through its public API, on SQLite and (when PROPUSK_TEST_DATABASE_URL is
//! set) PostgreSQL: uniqueness, the atomic state changes, transactions, housekeeping.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::db::{TestDb, databases};
use propusk::store::*;

fn account(
    id: &str,
    phone: Option<&str>,
    email: Option<&str>,
    snils: Option<&str>,
) -> AccountRecord {
    AccountRecord {
        id: id.into(),
        family_name: "Иванов".into(),
        given_name: "Иван".into(),
        middle_name: None,
        phone: phone.map(Into::into),
        email: email.map(Into::into),
        snils: snils.map(Into::into),
        phone_verified: true,
        email_verified: false,
        password_hash: Some("$argon2id$x".into()),
        trust_level: "simplified".into(),
        status: "active".into(),
        created_at: 10,
        updated_at: 10,
    }
}

fn client(id: &str) -> ClientRecord {
    ClientRecord {
        id: id.into(),
        secret_hash: Some("h".into()),
        name: "Portal".into(),
        redirect_uris: vec!["https://p.example/cb".into()],
        post_logout_redirect_uris: vec![],
        scopes: vec!["openid".into(), "email".into()],
        grant_types: vec!["authorization_code".into(), "refresh_token".into()],
        auth_method: "client_secret_basic".into(),
        id_token_alg: "RS256".into(),
        min_trust_level: "simplified".into(),
        created_at: 10,
        settings: Default::default(),
    }
}

fn code(hash: &str, grant: &str) -> CodeRecord {
    CodeRecord {
        code_hash: hash.into(),
        grant_id: grant.into(),
        client_id: "tax".into(),
        account_id: "a1".into(),
        session_id: "s1".into(),
        redirect_uri: "https://p.example/cb".into(),
        scopes: vec!["openid".into()],
        nonce: Some("n".into()),
        code_challenge: None,
        auth_time: 100,
        acr: "urn:propusk:loa:simplified".into(),
        amr: vec!["pwd".into()],
        created_at: 100,
        expires_at: 160,
        consumed_at: None,
    }
}

fn issue(grant: &str, jti: &str, refresh: Option<&str>, new_grant: bool) -> TokenIssue {
    TokenIssue {
        grant: new_grant.then(|| GrantRecord {
            id: grant.into(),
            client_id: "tax".into(),
            account_id: Some("a1".into()),
            scopes: vec!["openid".into(), "offline_access".into()],
            created_at: 100,
            revoked_at: None,
        }),
        access: AccessTokenRecord {
            jti: jti.into(),
            grant_id: Some(grant.into()),
            client_id: "tax".into(),
            account_id: Some("a1".into()),
            scopes: vec!["openid".into()],
            created_at: 100,
            expires_at: 700,
            revoked_at: None,
            token_hash: None,
        },
        refresh: refresh.map(|h| RefreshTokenRecord {
            token_hash: h.into(),
            grant_id: grant.into(),
            client_id: "tax".into(),
            account_id: "a1".into(),
            session_id: "s1".into(),
            scopes: vec!["openid".into(), "offline_access".into()],
            auth_time: 100,
            acr: "urn:propusk:loa:simplified".into(),
            amr: vec!["pwd".into()],
            created_at: 100,
            expires_at: 10_000,
            used_at: None,
        }),
    }
}

/// A database with one account (a1) and one client (tax).
async fn seeded() -> Vec<TestDb> {
    let mut out = Vec::new();
    for db in databases().await {
        db.store
            .insert_account(&account(
                "a1",
                Some("+79123456789"),
                Some("a@b.ru"),
                Some("11223344595"),
            ))
            .await
            .unwrap();
        db.store.insert_client(&client("tax")).await.unwrap();
        out.push(db);
    }
    out
}

#[tokio::test]
async fn accounts_are_found_by_each_identifier_and_identifiers_are_unique() {
    for db in seeded().await {
        let s = &db.store;
        for key in [
            LoginKey::Phone("+79123456789".into()),
            LoginKey::Email("a@b.ru".into()),
            LoginKey::Snils("11223344595".into()),
        ] {
            assert_eq!(
                s.account_by_login(&key).await.unwrap().unwrap().id,
                "a1",
                "[{}] {key:?}",
                db.backend
            );
        }
        assert!(
            s.account_by_login(&LoginKey::Phone("+70000000000".into()))
                .await
                .unwrap()
                .is_none()
        );
        for (dup, field) in [
            (account("a2", Some("+79123456789"), None, None), "phone"),
            (account("a3", None, Some("a@b.ru"), None), "email"),
            (account("a4", None, None, Some("11223344595")), "snils"),
        ] {
            match s.insert_account(&dup).await {
                Err(StoreError::Conflict(f)) => assert_eq!(f, field, "[{}]", db.backend),
                other => panic!(
                    "[{}] expected a conflict on {field}, got {other:?}",
                    db.backend
                ),
            }
        }
        // Accounts without a phone or e-mail do not clash on NULL.
        s.insert_account(&account("a5", None, None, None))
            .await
            .unwrap();
        s.insert_account(&account("a6", None, None, None))
            .await
            .unwrap();
        assert_eq!(s.list_accounts().await.unwrap().len(), 3);
        s.set_password_hash("a1", "$argon2id$new", 20)
            .await
            .unwrap();
        let a = s.account("a1").await.unwrap().unwrap();
        assert_eq!(
            (a.password_hash.as_deref(), a.updated_at),
            (Some("$argon2id$new"), 20)
        );
        assert!(a.phone_verified && !a.email_verified);
    }
}

#[tokio::test]
async fn clients_round_trip_and_removal_takes_their_tokens() {
    for db in seeded().await {
        let s = &db.store;
        assert_eq!(s.client("tax").await.unwrap().unwrap(), client("tax"));
        assert!(matches!(
            s.insert_client(&client("tax")).await,
            Err(StoreError::Conflict("id"))
        ));
        s.insert_code(&code("c1", "g1")).await.unwrap();
        s.issue_tokens(&issue("g1", "j1", Some("r1"), true))
            .await
            .unwrap();
        s.upsert_consent(&ConsentRecord {
            account_id: "a1".into(),
            client_id: "tax".into(),
            scopes: vec!["email".into()],
            granted_at: 1,
        })
        .await
        .unwrap();
        assert!(s.remove_client("tax").await.unwrap(), "[{}]", db.backend);
        assert!(!s.remove_client("tax").await.unwrap());
        assert!(s.access_token("j1").await.unwrap().is_none());
        assert!(s.refresh_token("r1").await.unwrap().is_none());
        assert!(s.consent("a1", "tax").await.unwrap().is_none());
        assert_eq!(s.consume_code("c1", 120).await.unwrap(), CodeUse::NotFound);
        assert!(s.list_clients().await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn sessions_end_once() {
    for db in seeded().await {
        let s = &db.store;
        let rec = SessionRecord {
            id: "s1".into(),
            account_id: "a1".into(),
            auth_time: 100,
            amr: vec!["pwd".into()],
            acr: "urn:propusk:loa:simplified".into(),
            created_at: 100,
            last_seen_at: 100,
            expires_at: 1000,
            ended_at: None,
            user_agent: Some("test".into()),
            ip: None,
        };
        s.insert_session(&rec, "secret-hash", None).await.unwrap();
        assert_eq!(
            s.session_by_secret("secret-hash").await.unwrap().unwrap(),
            rec
        );
        // The same row with its account, the citizen's second-factor setting and, for a
        // named portal, the citizen's consent to it.
        let bare = s
            .session_with_account("secret-hash", None)
            .await
            .unwrap()
            .unwrap();
        let account = bare.account.expect("the session's account comes with it");
        assert_eq!(
            (
                &bare.session,
                account.0.id.as_str(),
                account.0.phone.as_deref(),
                account.1,
                &bare.consent
            ),
            (&rec, "a1", Some("+79123456789"), false, &None),
            "[{}]",
            db.backend
        );
        s.upsert_consent(&ConsentRecord {
            account_id: "a1".into(),
            client_id: "tax".into(),
            scopes: vec!["email".into(), "snils".into()],
            granted_at: 100,
        })
        .await
        .unwrap();
        let for_tax = s
            .session_with_account("secret-hash", Some("tax"))
            .await
            .unwrap();
        assert_eq!(
            for_tax.and_then(|c| c.consent),
            Some(vec!["email".to_owned(), "snils".to_owned()]),
            "[{}]",
            db.backend
        );
        let for_other = s
            .session_with_account("secret-hash", Some("pension"))
            .await
            .unwrap();
        assert_eq!(for_other.map(|c| c.consent), Some(None));
        assert!(
            s.session_with_account("other", Some("tax"))
                .await
                .unwrap()
                .is_none()
        );
        s.touch_session("s1", 150).await.unwrap();
        assert_eq!(s.session("s1").await.unwrap().unwrap().last_seen_at, 150);
        assert!(s.end_session("s1", 200).await.unwrap());
        assert!(
            !s.end_session("s1", 201).await.unwrap(),
            "[{}] a second end does nothing",
            db.backend
        );
        assert_eq!(s.session("s1").await.unwrap().unwrap().ended_at, Some(200));
    }
}

#[tokio::test]
async fn interactions_are_taken_once_and_consents_upsert() {
    for db in seeded().await {
        let s = &db.store;
        let i = InteractionRecord {
            id: "i1".into(),
            binding_hash: "b".into(),
            csrf_token: "c".into(),
            request_json: "{}".into(),
            login_json: None,
            consent_given: false,
            created_at: 1,
            expires_at: 100,
        };
        s.insert_interaction(&i).await.unwrap();
        // The session of a login on the interaction's page records the login in the
        // interaction in the same write.
        let session = SessionRecord {
            id: "s-i1".into(),
            account_id: "a1".into(),
            auth_time: 1,
            amr: vec!["pwd".into()],
            acr: "urn:propusk:loa:simplified".into(),
            created_at: 1,
            last_seen_at: 1,
            expires_at: 1000,
            ended_at: None,
            user_agent: None,
            ip: None,
        };
        let completes = InteractionLogin {
            interaction_id: "i1",
            login_json: "{\"a\":1}",
        };
        s.insert_session(&session, "secret-i1", Some(completes))
            .await
            .unwrap();
        assert_eq!(
            s.session_by_secret("secret-i1").await.unwrap().as_ref(),
            Some(&session)
        );
        s.set_interaction_consent("i1").await.unwrap();
        let got = s.interaction("i1").await.unwrap().unwrap();
        assert_eq!(
            (got.login_json.as_deref(), got.consent_given),
            (Some("{\"a\":1}"), true)
        );
        let (a, b) = tokio::join!(s.take_interaction("i1"), s.take_interaction("i1"));
        assert_eq!(
            [a.unwrap().is_some(), b.unwrap().is_some()]
                .iter()
                .filter(|x| **x)
                .count(),
            1,
            "[{}] exactly one parallel take wins",
            db.backend
        );
        let mut c = ConsentRecord {
            account_id: "a1".into(),
            client_id: "tax".into(),
            scopes: vec!["email".into()],
            granted_at: 1,
        };
        s.upsert_consent(&c).await.unwrap();
        c.scopes.push("phone".into());
        c.granted_at = 2;
        s.upsert_consent(&c).await.unwrap();
        assert_eq!(s.consent("a1", "tax").await.unwrap().unwrap(), c);
    }
}

#[tokio::test]
async fn a_code_is_consumed_exactly_once_even_in_parallel() {
    for db in seeded().await {
        let s = &db.store;
        s.insert_code(&code("c1", "g1")).await.unwrap();
        assert!(
            matches!(s.consume_code("c1", 120).await.unwrap(), CodeUse::Consumed(c) if c.nonce.as_deref() == Some("n"))
        );
        assert!(
            matches!(s.consume_code("c1", 121).await.unwrap(), CodeUse::Replayed(c) if c.consumed_at == Some(120))
        );
        assert_eq!(
            s.consume_code("nope", 121).await.unwrap(),
            CodeUse::NotFound
        );
        // The exchange reads the code's account in the same statement, and only when it
        // consumed the code.
        s.insert_code(&code("c3", "g3")).await.unwrap();
        let (used, account) = s.consume_code_with_account("c3", 120).await.unwrap();
        assert!(matches!(used, CodeUse::Consumed(_)), "[{}]", db.backend);
        let account = account.expect("the code's account");
        assert_eq!(
            (
                account.id.as_str(),
                account.email.as_deref(),
                account.status.as_str()
            ),
            ("a1", Some("a@b.ru"), "active"),
            "[{}]",
            db.backend
        );
        let (again, none) = s.consume_code_with_account("c3", 121).await.unwrap();
        assert!(matches!(again, CodeUse::Replayed(_)) && none.is_none());

        s.insert_code(&code("c2", "g2")).await.unwrap();
        let (a, b, c) = tokio::join!(
            s.consume_code("c2", 130),
            s.consume_code("c2", 130),
            s.consume_code("c2", 130)
        );
        let wins = [a, b, c]
            .into_iter()
            .filter(|r| matches!(r, Ok(CodeUse::Consumed(_))))
            .count();
        assert_eq!(wins, 1, "[{}]", db.backend);
    }
}

#[tokio::test]
async fn refresh_tokens_are_single_use_and_grants_revoke_families() {
    for db in seeded().await {
        let s = &db.store;
        s.issue_tokens(&issue("g1", "j1", Some("r1"), true))
            .await
            .unwrap();
        match s.use_refresh_token("r1", 200).await.unwrap() {
            RefreshUse::Fresh { token, grant } => {
                assert_eq!(token.used_at, Some(200));
                assert_eq!(grant.revoked_at, None);
            }
            other => panic!("[{}] {other:?}", db.backend),
        }
        assert!(matches!(
            s.use_refresh_token("r1", 201).await.unwrap(),
            RefreshUse::Reused(_)
        ));
        assert_eq!(
            s.use_refresh_token("r-unknown", 201).await.unwrap(),
            RefreshUse::NotFound
        );
        // A rotated token in the same grant.
        s.issue_tokens(&issue("g1", "j2", Some("r2"), false))
            .await
            .unwrap();
        s.revoke_grant("g1", 300).await.unwrap();
        let (_, g) = s.refresh_token("r2").await.unwrap().unwrap();
        assert_eq!(g.revoked_at, Some(300));
        let (_, g) = s.access_token("j2").await.unwrap().unwrap();
        assert_eq!(g.unwrap().revoked_at, Some(300));
        s.revoke_access_token("j1", 310).await.unwrap();
        assert_eq!(
            s.access_token("j1").await.unwrap().unwrap().0.revoked_at,
            Some(310)
        );
        assert_eq!(
            s.revoke_grants_for("a1", "tax", 400).await.unwrap(),
            0,
            "already revoked"
        );
    }
}

#[tokio::test]
async fn issuing_tokens_is_all_or_nothing() {
    for db in seeded().await {
        let s = &db.store;
        s.issue_tokens(&issue("g1", "j1", Some("r1"), true))
            .await
            .unwrap();
        // Same refresh hash again: the insert fails, and the new grant and access token
        // written before it in the transaction must not remain.
        let err = s.issue_tokens(&issue("g2", "j2", Some("r1"), true)).await;
        assert!(err.is_err(), "[{}]", db.backend);
        assert!(
            s.grant("g2").await.unwrap().is_none(),
            "[{}] grant rolled back",
            db.backend
        );
        assert!(
            s.access_token("j2").await.unwrap().is_none(),
            "[{}] access token rolled back",
            db.backend
        );
    }
}

#[tokio::test]
async fn purge_deletes_only_what_expired() {
    for db in seeded().await {
        let s = &db.store;
        s.insert_code(&code("old", "g0")).await.unwrap();
        let mut fresh = code("new", "g9");
        fresh.expires_at = 10_000;
        s.insert_code(&fresh).await.unwrap();
        s.issue_tokens(&issue("g1", "j1", Some("r1"), true))
            .await
            .unwrap();
        let deleted = s.purge_expired(1000).await.unwrap();
        assert!(deleted >= 2, "[{}] {deleted}", db.backend);
        assert_eq!(
            s.consume_code("old", 1000).await.unwrap(),
            CodeUse::NotFound
        );
        assert!(matches!(
            s.consume_code("new", 1000).await.unwrap(),
            CodeUse::Consumed(_)
        ));
        assert!(
            s.access_token("j1").await.unwrap().is_none(),
            "expired access token gone"
        );
        assert!(
            s.refresh_token("r1").await.unwrap().is_some(),
            "live refresh token kept"
        );
        assert!(s.grant("g1").await.unwrap().is_some(), "its grant kept");
    }
}

#[tokio::test]
async fn unsupported_urls_are_refused() {
    assert!(matches!(
        Store::connect("mysql://x").await,
        Err(StoreError::UnsupportedUrl(_))
    ));
}
