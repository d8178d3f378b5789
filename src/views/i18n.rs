//! Texts of the hosted pages in Russian (the default) and English.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Locale {
    #[default]
    Ru,
    En,
}

impl Locale {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Ru => "ru",
            Self::En => "en",
        }
    }

    /// OIDC `ui_locales`: space-separated BCP 47 tags in order of preference; the first
    /// supported one wins ("en-US" is English).
    pub fn from_ui_locales(list: &str) -> Option<Locale> {
        list.split(' ').filter(|t| !t.is_empty()).find_map(|tag| {
            let primary = tag
                .split(['-', '_'])
                .next()
                .unwrap_or("")
                .to_ascii_lowercase();
            match primary.as_str() {
                "ru" => Some(Locale::Ru),
                "en" => Some(Locale::En),
                _ => None,
            }
        })
    }

    pub fn texts(&self) -> &'static Texts {
        match self {
            Self::Ru => &RU,
            Self::En => &EN,
        }
    }
}

pub struct Texts {
    pub product: &'static str,
    pub switch_language: &'static str,
    pub login_title: &'static str,
    pub login_heading: &'static str,
    pub login_for_portal: &'static str,
    pub login_label: &'static str,
    pub login_hint: &'static str,
    pub password_label: &'static str,
    pub login_submit: &'static str,
    pub error_invalid_credentials: &'static str,
    pub error_login_field: &'static str,
    pub error_password_empty: &'static str,
    pub consent_title: &'static str,
    pub consent_heading: &'static str,
    pub consent_portal_asks: &'static str,
    pub consent_logged_in_as: &'static str,
    pub consent_allow: &'static str,
    pub consent_deny: &'static str,
    pub error_title: &'static str,
    pub error_heading: &'static str,
    pub error_unknown_client: &'static str,
    pub error_redirect_uri: &'static str,
    pub error_invalid_request: &'static str,
    pub error_interaction_expired: &'static str,
    pub error_logout_redirect_uri: &'static str,
    pub error_code_label: &'static str,
    pub logout_title: &'static str,
    pub logout_question: &'static str,
    pub logout_submit: &'static str,
    pub logged_out_heading: &'static str,
    pub logged_out_text: &'static str,
    /// One description per scope in `oidc::scope::SUPPORTED` (a test checks both lists).
    scopes: [(&'static str, &'static str); 16],
}

impl Texts {
    /// What a scope means, for the consent page.
    pub fn scope_description(&self, scope: &str) -> Option<&'static str> {
        self.scopes
            .iter()
            .find(|(s, _)| *s == scope)
            .map(|(_, d)| *d)
    }
}

static RU: Texts = Texts {
    product: "Пропуск",
    switch_language: "English",
    login_title: "Вход — Пропуск",
    login_heading: "Вход",
    login_for_portal: "для входа на портал",
    login_label: "Телефон / Email / СНИЛС",
    login_hint: "Например, +7 912 345-67-89, ivanov@mail.ru или 123-456-789 64",
    password_label: "Пароль",
    login_submit: "Войти",
    error_invalid_credentials: "Неверный логин или пароль",
    error_login_field: "Введите телефон, email или СНИЛС",
    error_password_empty: "Введите пароль",
    consent_title: "Доступ к данным — Пропуск",
    consent_heading: "Предоставление прав доступа",
    consent_portal_asks: "запрашивает доступ к вашим данным:",
    consent_logged_in_as: "Вы вошли как",
    consent_allow: "Предоставить",
    consent_deny: "Отказать",
    error_title: "Ошибка — Пропуск",
    error_heading: "Не удалось продолжить",
    error_unknown_client: "Портал, с которого вы пришли, не зарегистрирован в системе.",
    error_redirect_uri: "Адрес возврата портала не зарегистрирован. Сообщите об ошибке владельцу портала.",
    error_invalid_request: "Запрос портала составлен неверно. Сообщите об ошибке владельцу портала.",
    error_interaction_expired: "Страница устарела. Вернитесь на портал и начните вход заново.",
    error_logout_redirect_uri: "Адрес возврата после выхода не зарегистрирован для этого портала.",
    error_code_label: "Код ошибки",
    logout_title: "Выход — Пропуск",
    logout_question: "Выйти из учётной записи на всех порталах?",
    logout_submit: "Выйти",
    logged_out_heading: "Вы вышли из учётной записи",
    logged_out_text: "Чтобы снова воспользоваться услугами, войдите на портале.",
    scopes: [
        ("openid", "Идентификатор учётной записи"),
        ("profile", "Фамилия, имя, отчество"),
        ("fullname", "Фамилия, имя, отчество"),
        ("birthdate", "Дата рождения"),
        ("gender", "Пол"),
        ("snils", "СНИЛС"),
        ("inn", "ИНН"),
        (
            "id_doc",
            "Паспорт гражданина РФ (серия, номер, дата и место выдачи)",
        ),
        ("email", "Адрес электронной почты"),
        ("phone", "Номер мобильного телефона"),
        ("mobile", "Номер мобильного телефона"),
        ("contacts", "Контакты: телефон и электронная почта"),
        ("offline_access", "Доступ к данным, когда вы не в сети"),
        (
            "propusk:admin",
            "Управление Пропуском от вашего имени: роль администратора",
        ),
        (
            "propusk:operator",
            "Работа с учётными записями граждан от вашего имени: роль оператора",
        ),
        (
            "propusk:auditor",
            "Чтение журнала аудита от вашего имени: роль аудитора",
        ),
    ],
};

static EN: Texts = Texts {
    product: "Propusk",
    switch_language: "Русский",
    login_title: "Log in — Propusk",
    login_heading: "Log in",
    login_for_portal: "to continue to",
    login_label: "Phone / e-mail / SNILS",
    login_hint: "For example +7 912 345-67-89, ivanov@mail.ru or 123-456-789 64",
    password_label: "Password",
    login_submit: "Log in",
    error_invalid_credentials: "Incorrect login or password",
    error_login_field: "Enter a phone number, e-mail or SNILS",
    error_password_empty: "Enter your password",
    consent_title: "Access to your data — Propusk",
    consent_heading: "Grant access",
    consent_portal_asks: "asks for access to your data:",
    consent_logged_in_as: "You are logged in as",
    consent_allow: "Allow",
    consent_deny: "Deny",
    error_title: "Error — Propusk",
    error_heading: "Cannot continue",
    error_unknown_client: "The portal you came from is not registered.",
    error_redirect_uri: "The portal's return address is not registered. Please tell the portal's owner.",
    error_invalid_request: "The portal sent a malformed request. Please tell the portal's owner.",
    error_interaction_expired: "This page has expired. Go back to the portal and log in again.",
    error_logout_redirect_uri: "The return address after logout is not registered for this portal.",
    error_code_label: "Error code",
    logout_title: "Log out — Propusk",
    logout_question: "Log out of your account on all portals?",
    logout_submit: "Log out",
    logged_out_heading: "You have logged out",
    logged_out_text: "To use the services again, log in on the portal.",
    scopes: [
        ("openid", "Your account identifier"),
        ("profile", "Surname, first name, patronymic"),
        ("fullname", "Surname, first name, patronymic"),
        ("birthdate", "Date of birth"),
        ("gender", "Gender"),
        ("snils", "SNILS (insurance number)"),
        ("inn", "INN (taxpayer number)"),
        (
            "id_doc",
            "Russian passport (series, number, date and place of issue)",
        ),
        ("email", "E-mail address"),
        ("phone", "Mobile phone number"),
        ("mobile", "Mobile phone number"),
        ("contacts", "Contacts: phone number and e-mail"),
        (
            "offline_access",
            "Access to your data while you are offline",
        ),
        (
            "propusk:admin",
            "Administering propusk on your behalf: the administrator role",
        ),
        (
            "propusk:operator",
            "Working with citizens' accounts on your behalf: the operator role",
        ),
        (
            "propusk:auditor",
            "Reading the audit journal on your behalf: the auditor role",
        ),
    ],
};
