//! Personal data in the cabinet (the road to the standard level) and the postal code
//! (one road to the confirmed level).

use super::cabinet::{render, signed_in};
use super::csrf;
use crate::account::{DocumentError, PersonalData, PersonalDataForm, TrustLevel};
use crate::authn::codes::{hash_code, typed_code};
use crate::error::AppError;
use crate::http::oauth_response::redirect;
use crate::http::pages;
use crate::http::params::parse_urlencoded;
use crate::oidc::claims::trust_level;
use crate::secret::{constant_time_eq, random_id};
use crate::state::AppState;
use crate::store::StoreError;
use crate::store::audit::AuditEvent;
use crate::store::codes::Attempt;
use crate::store::jobs::JobRow;
use crate::store::levels::Confirmation;
use crate::store::personal::{Submission, Submitted};
use crate::verify::VerificationRequest;
use crate::views::{FieldErrors, PersonalFields};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse as _, Response};
use axum_extra::extract::cookie::CookieJar;

/// Digits of the confirmation code sent by registered post.
pub const POSTAL_DIGITS: usize = 8;

fn field_key(e: &DocumentError) -> &'static str {
    match e.field() {
        "inn" => "err_inn",
        "passport_series" => "err_passport_series",
        "passport_number" => "err_passport_number",
        "passport_issued" => "err_passport_issued",
        "passport_issuer" => "err_passport_issuer",
        "passport_issuer_code" => "err_passport_issuer_code",
        "birth_date" => "err_birth_date",
        "gender" => "err_gender",
        _ => "err_snils",
    }
}

/// `POST /cabinet/personal`: validate, freeze, queue the verification.
pub async fn submit_personal(
    State(state): State<AppState>,
    jar: CookieJar,
    body: Bytes,
) -> Result<Response, AppError> {
    let l = pages::locale(None, &jar);
    let form = parse_urlencoded(&body).unwrap_or_default();
    if !csrf::verify(&jar, &form) {
        return Ok(super::forbidden(l));
    }
    let Some(account) = signed_in(&state, &jar).await? else {
        return Ok(redirect("/signin"));
    };
    let (token, jar) = csrf::token(&state, jar);
    let g = |n: &str| form.get(n).unwrap_or("").to_owned();
    let typed = PersonalFields {
        birth_date: g("birth_date"),
        gender: g("gender"),
        passport_series: g("passport_series"),
        passport_number: g("passport_number"),
        passport_issued: g("passport_issued"),
        passport_issuer: g("passport_issuer"),
        passport_issuer_code: g("passport_issuer_code"),
        snils: g("snils"),
        inn: g("inn"),
    };
    let fail = |errors: FieldErrors, typed: PersonalFields, status| {
        let state = state.clone();
        let account = account.clone();
        let token = token.clone();
        async move {
            render(
                &state,
                l,
                &token,
                &account,
                None,
                errors,
                Some(typed),
                status,
            )
            .await
        }
    };
    let parsed = PersonalData::parse(
        &PersonalDataForm {
            birth_date: &typed.birth_date,
            gender: &typed.gender,
            passport_series: &typed.passport_series,
            passport_number: &typed.passport_number,
            passport_issued: &typed.passport_issued,
            passport_issuer: &typed.passport_issuer,
            passport_issuer_code: &typed.passport_issuer_code,
            snils: &typed.snils,
            inn: &typed.inn,
        },
        state.now(),
    );
    let data = match parsed {
        Ok(d) => d,
        Err(errs) => {
            let errors = errs
                .iter()
                .map(|e| (e.field(), l.t(field_key(e)).to_owned()))
                .collect();
            let page = fail(errors, typed, StatusCode::UNPROCESSABLE_ENTITY).await?;
            return Ok((jar, page).into_response());
        }
    };
    let now = state.now();
    let old = state.store.personal_data(&account.id).await?;
    // New passport or SNILS data means a new person to check: the level drops until the
    // registries confirm it (REQUIREMENTS.md).
    let identity_changed = old.as_ref().is_some_and(|o| {
        o.passport_series.as_deref() != Some(data.passport.series.as_str())
            || o.passport_number.as_deref() != Some(data.passport.number.as_str())
    }) || account.snils.as_deref().is_some_and(|s| s != data.snils);
    let level = trust_level(&account);
    let new_level = (identity_changed && level > TrustLevel::Simplified).then_some("simplified");
    let mut events = vec![AuditEvent::new(
        now,
        "personal_data_submitted",
        &account.id,
        "citizen",
        serde_json::json!({"identity_changed": identity_changed}),
    )];
    if let Some(to) = new_level {
        events.push(AuditEvent::new(
            now,
            "level_changed",
            &account.id,
            "citizen",
            serde_json::json!({"from": level.as_str(), "to": to, "reason": "personal data changed"}),
        ));
    }
    let request = VerificationRequest {
        family_name: account.family_name.clone(),
        given_name: account.given_name.clone(),
        middle_name: account.middle_name.clone(),
        data: data.clone(),
    };
    let job = JobRow {
        id: random_id(),
        account_id: account.id.clone(),
        payload: serde_json::to_string(&request).map_err(|e| AppError::Internal(e.to_string()))?,
        status: "queued".into(),
        attempts: 0,
        run_after: now,
        locked_until: None,
        created_at: now,
        finished_at: None,
    };
    let outcome = state
        .store
        .submit_personal_data(&Submission {
            account_id: &account.id,
            data: &data,
            new_level,
            job: &job,
            events: &events,
            now,
        })
        .await;
    let error = match outcome {
        Ok(Submitted::Queued) => {
            return Ok((jar, redirect("/cabinet?done=personal")).into_response());
        }
        Ok(Submitted::Frozen) => ("passport_series", l.t("err_frozen")),
        Err(StoreError::Conflict("snils")) => ("snils", l.t("err_taken_snils")),
        Err(StoreError::Conflict("inn")) => ("inn", l.t("err_taken_inn")),
        Err(StoreError::Conflict("passport")) => ("passport_number", l.t("err_taken_passport")),
        Err(e) => return Err(e.into()),
    };
    let page = fail(
        vec![(error.0, error.1.to_owned())],
        typed,
        StatusCode::CONFLICT,
    )
    .await?;
    Ok((jar, page).into_response())
}

/// `POST /cabinet/postal`: the code from the registered letter confirms the identity.
pub async fn postal_code(
    State(state): State<AppState>,
    jar: CookieJar,
    body: Bytes,
) -> Result<Response, AppError> {
    let l = pages::locale(None, &jar);
    let form = parse_urlencoded(&body).unwrap_or_default();
    if !csrf::verify(&jar, &form) {
        return Ok(super::forbidden(l));
    }
    let Some(account) = signed_in(&state, &jar).await? else {
        return Ok(redirect("/signin"));
    };
    let (token, jar) = csrf::token(&state, jar);
    let refuse = |key: &'static str, status| {
        let state = state.clone();
        let account = account.clone();
        let token = token.clone();
        async move {
            render(
                &state,
                l,
                &token,
                &account,
                None,
                vec![("code", l.t(key).to_owned())],
                None,
                status,
            )
            .await
        }
    };
    if trust_level(&account) != TrustLevel::Standard {
        let page = refuse("err_postal_level", StatusCode::CONFLICT).await?;
        return Ok((jar, page).into_response());
    }
    let now = state.now();
    let typed = typed_code(form.get("code").unwrap_or(""), POSTAL_DIGITS);
    let row = state.store.open_code_for(&account.id, "postal").await?;
    let confirmed = match (typed, row) {
        (Some(code), Some(row)) => match state
            .store
            .count_code_attempt(&row.id, state.config.codes.max_attempts, now)
            .await?
        {
            Attempt::Counted(r) => {
                constant_time_eq(&hash_code(&r.id, &code), &r.code_hash)
                    && state
                        .store
                        .use_one_time_code(&r.id, false, now)
                        .await?
                        .is_some()
            }
            _ => false,
        },
        _ => false,
    };
    if !confirmed {
        let page = refuse("err_postal_wrong", StatusCode::BAD_REQUEST).await?;
        return Ok((jar, page).into_response());
    }
    state
        .store
        .confirm_identity(&Confirmation {
            account_id: &account.id,
            method: "postal_code",
            actor: "citizen",
            document: None,
            at: now,
        })
        .await?;
    Ok((jar, redirect("/cabinet?done=confirmed")).into_response())
}
