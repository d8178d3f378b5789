use super::*;

fn login_page<'a>(locale: Locale, login: &'a str, error: Option<&'static str>) -> LoginPage<'a> {
    LoginPage {
        t: locale.texts(),
        lang: locale.code(),
        action: "/interaction/abc/login",
        csrf: "tok-123",
        login,
        error,
        error_field: error.map(|_| "login"),
        client_name: "ФНС",
        switch_url: "/interaction/abc?lang=en",
        lc: locale,
        register_url: "/register?interaction=abc",
        recover_url: "/recover?interaction=abc",
        certificate_url: None,
    }
}

#[test]
fn login_page_has_the_stable_field_names_and_escapes_input() {
    let html = render(&login_page(Locale::Ru, "<script>alert(1)</script>", None)).unwrap();
    for needle in [
        "name=\"login\"",
        "name=\"password\"",
        "name=\"csrf\" value=\"tok-123\"",
        "lang=\"ru\"",
        "Вход",
        "ФНС",
    ] {
        assert!(html.contains(needle), "{needle} missing");
    }
    assert!(!html.contains("<script>alert"), "prefill must be escaped");
    assert!(!html.contains("role=\"alert\""));
    let en = render(&login_page(
        Locale::En,
        "",
        Some(Locale::En.texts().error_invalid_credentials),
    ))
    .unwrap();
    assert!(en.contains("Log in") && en.contains("lang=\"en\""));
    assert!(en.contains("role=\"alert\"") && en.contains("Incorrect login or password"));
    assert!(en.contains("aria-invalid=\"true\""));
}

#[test]
fn other_pages_render() {
    let t = Locale::Ru.texts();
    let consent = render(&ConsentPage {
        t,
        lang: "ru",
        action: "/interaction/abc/consent",
        csrf: "c",
        client_name: "ПФР",
        account_name: "Иванов Иван",
        scopes: vec![t.scope_description("email").unwrap()],
        switch_url: "/x",
    })
    .unwrap();
    assert!(
        consent.contains("value=\"allow\"")
            && consent.contains("value=\"deny\"")
            && consent.contains("Адрес электронной почты")
    );
    let error = render(&ErrorPage {
        t,
        lang: "ru",
        heading: t.error_heading,
        message: t.error_redirect_uri,
        code: "invalid_redirect_uri",
    })
    .unwrap();
    assert!(error.contains("invalid_redirect_uri"));
    let confirm = render(&LogoutConfirmPage {
        t,
        lang: "ru",
        action: "/logout/confirm",
        csrf: "z",
        hidden: vec![("state", "a\"b".into())],
    })
    .unwrap();
    assert!(
        confirm.contains("name=\"state\" value=\"a&#34;b\"") || confirm.contains("a&quot;b"),
        "{confirm}"
    );
    assert!(
        render(&LoggedOutPage { t, lang: "ru" })
            .unwrap()
            .contains(t.logged_out_heading)
    );
}

#[test]
fn ui_locales() {
    assert_eq!(Locale::from_ui_locales("en-US"), Some(Locale::En));
    assert_eq!(Locale::from_ui_locales("fr ru"), Some(Locale::Ru));
    assert_eq!(Locale::from_ui_locales("de fr"), None);
    assert_eq!(Locale::default(), Locale::Ru);
}

#[test]
fn every_scope_is_described_in_both_languages() {
    for scope in crate::oidc::scope::SUPPORTED {
        for l in [Locale::Ru, Locale::En] {
            assert!(
                l.texts().scope_description(scope).is_some(),
                "{scope} in {l:?}"
            );
        }
    }
}
