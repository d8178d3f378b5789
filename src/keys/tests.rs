use super::*;
use serde_json::json;

#[derive(Serialize, Deserialize, PartialEq, Debug)]
struct Claims {
    sub: String,
    n: u32,
}

fn claims() -> Claims {
    Claims {
        sub: "citizen".into(),
        n: 7,
    }
}

#[test]
fn init_creates_one_key_per_algorithm_with_distinct_kids() {
    let dir = tempfile::tempdir().unwrap();
    let set = KeySet::load_or_init(dir.path(), 1000).unwrap();
    let list = set.list();
    assert_eq!(list.len(), 3);
    let mut kids: Vec<&str> = list.iter().map(|k| k.kid.as_str()).collect();
    kids.dedup();
    assert_eq!(kids.len(), 3);
    // A second start loads the same keys.
    let again = KeySet::load_or_init(dir.path(), 2000).unwrap();
    assert_eq!(again.list(), list);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(dir.path().join(format!("{}.pem", list[0].kid)))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "private keys are not readable by others");
    }
}

#[test]
fn jwks_has_public_parts_only() {
    let dir = tempfile::tempdir().unwrap();
    let set = KeySet::load_or_init(dir.path(), 1000).unwrap();
    let jwks = set.jwks();
    let keys = jwks["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 3);
    for k in keys {
        for private in ["d", "p", "q", "dp", "dq", "qi"] {
            assert!(k.get(private).is_none(), "{private} leaked in {k}");
        }
        assert_eq!(k["use"], "sig");
        match k["alg"].as_str().unwrap() {
            "RS256" => assert_eq!(
                (k["kty"].clone(), k["e"].clone()),
                (json!("RSA"), json!("AQAB"))
            ),
            "ES256" => assert_eq!(
                (k["kty"].clone(), k["crv"].clone()),
                (json!("EC"), json!("P-256"))
            ),
            "EdDSA" => assert_eq!(
                (k["kty"].clone(), k["crv"].clone()),
                (json!("OKP"), json!("Ed25519"))
            ),
            other => panic!("unexpected alg {other}"),
        }
    }
}

#[test]
fn sign_and_verify_each_algorithm_and_reject_tampering() {
    let dir = tempfile::tempdir().unwrap();
    let set = KeySet::load_or_init(dir.path(), 1000).unwrap();
    for alg in SigningAlg::ALL {
        let token = set.sign(alg, "JWT", &claims()).unwrap();
        let v: Verified<Claims> = set.verify(&token).unwrap();
        assert_eq!(v.claims, claims());
        assert_eq!(v.alg, alg);
        let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
        let forged = URL_SAFE_NO_PAD.encode(
            serde_json::to_vec(&Claims {
                sub: "attacker".into(),
                n: 7,
            })
            .unwrap(),
        );
        parts[1] = forged;
        assert!(
            set.verify::<Claims>(&parts.join("."))
                .unwrap_err()
                .is_bad_token(),
            "{alg}"
        );
        let mut sig = token.clone();
        let last = sig.pop().unwrap();
        sig.push(if last == 'A' { 'B' } else { 'A' });
        assert!(set.verify::<Claims>(&sig).is_err(), "{alg}");
    }
    assert!(set.verify::<Claims>("a.b").unwrap_err().is_bad_token());
}

#[test]
fn the_published_jwk_verifies_with_an_independent_library() {
    use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode};
    let dir = tempfile::tempdir().unwrap();
    let set = KeySet::load_or_init(dir.path(), 1000).unwrap();
    let jwks = set.jwks();
    for (alg, jwt_alg) in [
        (SigningAlg::RS256, Algorithm::RS256),
        (SigningAlg::ES256, Algorithm::ES256),
        (SigningAlg::EdDSA, Algorithm::EdDSA),
    ] {
        let token = set.sign(alg, "JWT", &claims()).unwrap();
        let jwk = jwks["keys"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["alg"] == alg.as_str())
            .unwrap();
        let key = match alg {
            SigningAlg::RS256 => DecodingKey::from_rsa_components(
                jwk["n"].as_str().unwrap(),
                jwk["e"].as_str().unwrap(),
            ),
            SigningAlg::ES256 => DecodingKey::from_ec_components(
                jwk["x"].as_str().unwrap(),
                jwk["y"].as_str().unwrap(),
            ),
            SigningAlg::EdDSA => DecodingKey::from_ed_components(jwk["x"].as_str().unwrap()),
        }
        .unwrap();
        let mut validation = Validation::new(jwt_alg);
        validation.required_spec_claims.clear();
        validation.validate_exp = false;
        let decoded =
            decode::<Claims>(&token, &key, &validation).unwrap_or_else(|e| panic!("{alg}: {e}"));
        assert_eq!(decoded.claims, claims());
    }
}

#[test]
fn rotation_keeps_the_old_key_published_until_its_tokens_expire() {
    let dir = tempfile::tempdir().unwrap();
    let set = KeySet::load_or_init(dir.path(), 1000).unwrap();
    let old_token = set.sign(SigningAlg::ES256, "JWT", &claims()).unwrap();
    let old_kid = set.verify::<Claims>(&old_token).unwrap().kid;

    let fresh = generate(dir.path(), SigningAlg::ES256, 2000, 600).unwrap();
    let after = KeySet::load(dir.path(), 2000).unwrap();
    assert_eq!(after.list().len(), 4);
    assert_eq!(
        after.verify::<Claims>(&old_token).unwrap().kid,
        old_kid,
        "old tokens still verify"
    );
    let new_token = after.sign(SigningAlg::ES256, "JWT", &claims()).unwrap();
    assert_eq!(
        after.verify::<Claims>(&new_token).unwrap().kid,
        fresh.kid,
        "the new key signs"
    );
    assert!(
        after.jwks()["keys"]
            .as_array()
            .unwrap()
            .iter()
            .any(|k| k["kid"] == old_kid.as_str())
    );

    // Past publish_until the old key is no longer loaded, and the next rotation deletes it.
    let later = KeySet::load(dir.path(), 2601).unwrap();
    assert!(later.verify::<Claims>(&old_token).is_err());
    rotate(dir.path(), None, 2601, 600).unwrap();
    assert!(!dir.path().join(format!("{old_kid}.pem")).exists());
    assert!(
        manifest::read(dir.path())
            .unwrap()
            .iter()
            .all(|k| k.kid != old_kid)
    );
}

#[test]
fn a_missing_key_file_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let set = KeySet::load_or_init(dir.path(), 1000).unwrap();
    let kid = set.list()[0].kid.clone();
    std::fs::remove_file(dir.path().join(format!("{kid}.pem"))).unwrap();
    let err = KeySet::load(dir.path(), 1000).err().unwrap().to_string();
    assert!(err.contains(&kid), "{err}");
}
