//! Texts of the account pages (registration, codes, passwords, recovery, cabinet,
//! trust levels) by key, in Russian and English. Templates call `l.t("key")`; a unit
//! test checks that every key a template or handler uses is here.

use super::Locale;

/// (key, Russian, English)
static CATALOG: &[(&str, &str, &str)] = &[
    (
        "register_title",
        "Регистрация — Пропуск",
        "Sign up — Propusk",
    ),
    ("register_heading", "Регистрация", "Create an account"),
    (
        "register_sub",
        "Мы отправим код на телефон или ссылку на почту.",
        "We will send a code to your phone or a link to your e-mail.",
    ),
    ("family_name", "Фамилия", "Surname"),
    ("given_name", "Имя", "First name"),
    ("middle_name", "Отчество", "Patronymic"),
    ("middle_name_hint", "Если есть", "If you have one"),
    (
        "contact_label",
        "Мобильный телефон или email",
        "Mobile phone or e-mail",
    ),
    (
        "contact_hint",
        "Например, +7 912 345-67-89 или ivanov@mail.ru",
        "For example +7 912 345-67-89 or ivanov@mail.ru",
    ),
    ("register_submit", "Зарегистрироваться", "Sign up"),
    (
        "have_account",
        "Уже есть учётная запись? Войти",
        "Already have an account? Log in",
    ),
    ("register_link", "Зарегистрироваться", "Sign up"),
    ("recover_link", "Восстановить доступ", "Forgot password?"),
    (
        "code_title",
        "Код подтверждения — Пропуск",
        "Confirmation code — Propusk",
    ),
    ("code_heading", "Введите код", "Enter the code"),
    ("code_sent_to", "Код отправлен:", "The code was sent to:"),
    ("code_label", "Код из сообщения", "Code from the message"),
    ("code_submit", "Продолжить", "Continue"),
    (
        "code_resend",
        "Отправить код ещё раз",
        "Send the code again",
    ),
    (
        "code_resent",
        "Новый код отправлен.",
        "A new code was sent.",
    ),
    (
        "recover_sent_to",
        "контакт учётной записи, если она существует",
        "the account's contact, if the account exists",
    ),
    ("password_title", "Пароль — Пропуск", "Password — Propusk"),
    ("password_heading", "Придумайте пароль", "Choose a password"),
    ("new_password", "Новый пароль", "New password"),
    ("repeat_password", "Повторите пароль", "Repeat the password"),
    (
        "suggested_password",
        "Надёжный пароль для вас:",
        "A strong password for you:",
    ),
    ("use_suggested", "Использовать", "Use it"),
    ("password_submit", "Сохранить пароль", "Save the password"),
    (
        "recover_title",
        "Восстановление доступа — Пропуск",
        "Recover access — Propusk",
    ),
    (
        "recover_heading",
        "Восстановление доступа",
        "Recover access",
    ),
    (
        "recover_sub",
        "Мы отправим код на подтверждённый контакт учётной записи.",
        "We will send a code to the account's confirmed contact.",
    ),
    (
        "recover_document",
        "Документ (для подтверждённых учётных записей)",
        "A document (for confirmed accounts)",
    ),
    (
        "recover_document_hint",
        "Номер паспорта (серия и номер), ИНН или СНИЛС",
        "Passport series and number, INN or SNILS",
    ),
    ("recover_submit", "Получить код", "Get a code"),
    (
        "level_title",
        "Недостаточный уровень — Пропуск",
        "Account level too low — Propusk",
    ),
    (
        "level_heading",
        "Нужен более высокий уровень учётной записи",
        "A higher account level is needed",
    ),
    (
        "level_requires",
        "принимает учётные записи уровня не ниже",
        "accepts accounts of level",
    ),
    ("level_yours", "Ваш уровень:", "Your level:"),
    (
        "level_open_cabinet",
        "Перейти в личный кабинет",
        "Open your cabinet",
    ),
    ("level_back", "Вернуться на портал", "Back to the portal"),
    (
        "level_how_standard",
        "Чтобы получить стандартный уровень, укажите в личном кабинете паспорт и СНИЛС: мы проверим их по государственным реестрам.",
        "To reach the standard level, enter your passport and SNILS in your cabinet: we will check them against the state registries.",
    ),
    (
        "level_how_confirmed",
        "Чтобы подтвердить личность, обратитесь в центр обслуживания с паспортом, войдите с квалифицированной электронной подписью или введите код из заказного письма.",
        "To confirm your identity, visit a service centre with your passport, log in with a qualified electronic signature, or enter the code from a registered letter.",
    ),
    ("level_simplified", "упрощённая", "simplified"),
    ("level_standard", "стандартная", "standard"),
    ("level_confirmed", "подтверждённая", "confirmed"),
    (
        "cabinet_title",
        "Личный кабинет — Пропуск",
        "Your cabinet — Propusk",
    ),
    ("cabinet_level", "Учётная запись", "Account level"),
    ("cabinet_contacts", "Контакты", "Contacts"),
    ("phone", "Мобильный телефон", "Mobile phone"),
    ("email", "Электронная почта", "E-mail"),
    ("snils", "СНИЛС", "SNILS"),
    ("inn", "ИНН", "INN"),
    ("not_set", "не указан", "not set"),
    (
        "contact_new",
        "Новый телефон или email",
        "New phone or e-mail",
    ),
    ("contact_change", "Изменить контакт", "Change contact"),
    ("personal_heading", "Личные данные", "Personal data"),
    ("birth_date", "Дата рождения", "Date of birth"),
    ("gender", "Пол", "Gender"),
    ("gender_male", "мужской", "male"),
    ("gender_female", "женский", "female"),
    ("passport", "Паспорт", "Passport"),
    ("passport_series", "Серия паспорта", "Passport series"),
    ("passport_number", "Номер паспорта", "Passport number"),
    ("passport_issued", "Дата выдачи", "Date of issue"),
    ("passport_issuer", "Кем выдан", "Issued by"),
    ("passport_issuer_code", "Код подразделения", "Division code"),
    (
        "personal_hint",
        "После отправки данные проверяются по реестрам; пока идёт проверка, их нельзя изменить.",
        "After you submit, the data is checked against the registries; it cannot be changed while the check runs.",
    ),
    (
        "personal_submit",
        "Отправить на проверку",
        "Submit for verification",
    ),
    (
        "state_none",
        "Данные не заполнены.",
        "No personal data yet.",
    ),
    (
        "state_pending",
        "Данные проверяются.",
        "Your data is being verified.",
    ),
    (
        "state_verified",
        "Данные проверены.",
        "Your data is verified.",
    ),
    (
        "state_rejected",
        "Данные не прошли проверку:",
        "The data failed verification:",
    ),
    (
        "state_failed",
        "Проверку не удалось провести. Отправьте данные ещё раз.",
        "The check could not be carried out. Please submit again.",
    ),
    (
        "confirm_heading",
        "Подтверждение личности",
        "Identity confirmation",
    ),
    (
        "confirm_how",
        "Подтвердите личность в центре обслуживания или введите код из заказного письма.",
        "Confirm your identity at a service centre, or enter the code from the registered letter.",
    ),
    (
        "postal_code",
        "Код подтверждения из письма",
        "Confirmation code from the letter",
    ),
    ("postal_submit", "Подтвердить", "Confirm"),
    ("history_heading", "Последние события", "Recent events"),
    ("signout", "Выйти", "Log out"),
    (
        "flash_registered",
        "Учётная запись создана.",
        "Your account was created.",
    ),
    (
        "flash_personal",
        "Данные отправлены на проверку.",
        "Your data was submitted for verification.",
    ),
    (
        "flash_contact",
        "Контакт изменён.",
        "Your contact was changed.",
    ),
    (
        "flash_confirmed",
        "Личность подтверждена.",
        "Your identity is confirmed.",
    ),
    (
        "flash_password",
        "Пароль изменён, другие сеансы завершены.",
        "Your password was changed; other sessions ended.",
    ),
    (
        "taken_heading",
        "Контакт уже зарегистрирован",
        "This contact is already registered",
    ),
    (
        "taken_text",
        "Этот телефон или email уже привязан к учётной записи. Войдите или восстановите доступ.",
        "This phone or e-mail already belongs to an account. Log in or recover your access.",
    ),
    ("login_link", "Войти", "Log in"),
    ("recover_done_heading", "Пароль изменён", "Password changed"),
    (
        "ev_account_registered",
        "Учётная запись создана",
        "Account created",
    ),
    (
        "ev_level_changed",
        "Изменён уровень учётной записи",
        "Account level changed",
    ),
    (
        "ev_password_reset",
        "Пароль восстановлен",
        "Password recovered",
    ),
    ("ev_contact_changed", "Изменён контакт", "Contact changed"),
    (
        "ev_personal_data_submitted",
        "Личные данные отправлены на проверку",
        "Personal data submitted",
    ),
    (
        "ev_verification_finished",
        "Проверка личных данных завершена",
        "Personal data check finished",
    ),
    (
        "ev_identity_confirmed",
        "Личность подтверждена",
        "Identity confirmed",
    ),
    (
        "ev_postal_code_issued",
        "Отправлено письмо с кодом подтверждения",
        "Confirmation letter sent",
    ),
    (
        "cert_login",
        "Войти с электронной подписью",
        "Log in with an electronic signature",
    ),
    (
        "cert_refused_heading",
        "Вход по электронной подписи невозможен",
        "Cannot log in with this electronic signature",
    ),
    ("cert_back", "Вернуться", "Go back"),
    (
        "cert_heading",
        "Электронная подпись",
        "Electronic signature",
    ),
    (
        "cert_bind",
        "Привязать сертификат электронной подписи",
        "Bind an electronic signature certificate",
    ),
    (
        "flash_certificate",
        "Сертификат привязан.",
        "The certificate is bound.",
    ),
    (
        "certificate_not_found",
        "Сертификат не найден: браузер не предъявил сертификат электронной подписи.",
        "Certificate not found: the browser presented no electronic signature certificate.",
    ),
    (
        "certificate_malformed",
        "Сертификат не удалось прочитать.",
        "The certificate cannot be read.",
    ),
    (
        "certificate_expired",
        "Срок действия сертификата истёк.",
        "The certificate has expired.",
    ),
    (
        "certificate_not_yet_valid",
        "Срок действия сертификата ещё не начался.",
        "The certificate is not valid yet.",
    ),
    (
        "certificate_untrusted",
        "Сертификат выдан не аккредитованным удостоверяющим центром (цепочка не доверена).",
        "The certificate was not issued by an accredited certification centre (untrusted chain).",
    ),
    (
        "certificate_revoked",
        "Сертификат отозван.",
        "The certificate has been revoked.",
    ),
    (
        "certificate_key_usage",
        "Сертификат не предназначен для входа (назначение ключа).",
        "The certificate may not be used to log in (key usage).",
    ),
    (
        "certificate_without_snils",
        "В сертификате нет СНИЛС.",
        "The certificate carries no SNILS.",
    ),
    (
        "no_account_for_snils",
        "Нет учётной записи с СНИЛС из сертификата. Зарегистрируйтесь и укажите СНИЛС.",
        "No account has the SNILS in the certificate. Sign up and enter your SNILS.",
    ),
    (
        "certificate_other_snils",
        "СНИЛС в сертификате не совпадает со СНИЛС учётной записи.",
        "The certificate's SNILS differs from the account's.",
    ),
    (
        "ev_certificate_login",
        "Вход по электронной подписи",
        "Login with an electronic signature",
    ),
    (
        "ev_certificate_bound",
        "Привязан сертификат электронной подписи",
        "Electronic signature certificate bound",
    ),
    (
        "ev_certificate_refused",
        "Отказ во входе по электронной подписи",
        "Electronic signature refused",
    ),
    (
        "error_locked",
        "Слишком много неверных попыток: вход временно заблокирован. Восстановите доступ или попробуйте позже.",
        "Too many wrong attempts: logging in is locked for a while. Recover your access or try again later.",
    ),
    (
        "factor_title",
        "Подтверждение входа — Пропуск",
        "Confirm the login — Propusk",
    ),
    ("factor_heading", "Подтвердите вход", "Confirm it is you"),
    (
        "factor_sub",
        "Нужен второй фактор: код из приложения, код по SMS или e-mail, резервный код или ключ доступа.",
        "A second factor is needed: a code from your app, a code by SMS or e-mail, a recovery code or a passkey.",
    ),
    (
        "factor_totp",
        "Код из приложения-аутентификатора",
        "Code from your authenticator app",
    ),
    (
        "factor_sms",
        "Получить код по SMS на",
        "Get a code by SMS to",
    ),
    (
        "factor_email",
        "Получить код по e-mail на",
        "Get a code by e-mail to",
    ),
    ("factor_recovery", "Резервный код", "Recovery code"),
    (
        "factor_passkey",
        "Войти с ключом доступа (passkey)",
        "Use a passkey",
    ),
    (
        "factor_trust",
        "Доверять этому браузеру, дней:",
        "Trust this browser, days:",
    ),
    (
        "factor_none",
        "Второй фактор не настроен и нет подтверждённого контакта. Обратитесь в центр обслуживания.",
        "No second factor is set up and there is no confirmed contact. Please visit a service centre.",
    ),
];

/// Every table: the account pages here, their field errors in `catalog_errors.rs`, the
/// security pages in `catalog_security.rs`.
fn entries() -> impl Iterator<Item = &'static (&'static str, &'static str, &'static str)> {
    CATALOG
        .iter()
        .chain(super::catalog_errors::ERRORS)
        .chain(super::catalog_security::SECURITY)
}

impl Locale {
    /// The text for `key`; the key itself if it is missing (a unit test prevents that).
    pub fn t(&self, key: &str) -> &'static str {
        match entries().find(|(k, _, _)| *k == key) {
            Some((_, ru, en)) => match self {
                Locale::Ru => ru,
                Locale::En => en,
            },
            None => {
                tracing::warn!(key, "missing page text");
                ""
            }
        }
    }
}

pub fn has_key(key: &str) -> bool {
    entries().any(|(k, _, _)| *k == key)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `l.t("…")` / `lc.t("…")` in the templates and every `.t("…")` in the
    /// handlers names a key of the catalogue.
    #[test]
    fn every_used_key_exists() {
        let mut sources = Vec::new();
        for dir in ["templates", "src/http", "src/http/account", "src/views"] {
            for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                if entry.path().ends_with("catalog.rs")
                    || entry.path().ends_with("catalog_errors.rs")
                    || entry.path().ends_with("catalog_security.rs")
                {
                    continue;
                }
                if let Ok(text) = std::fs::read_to_string(entry.path()) {
                    sources.push((entry.path(), text));
                }
            }
        }
        let mut missing = Vec::new();
        for (path, text) in &sources {
            for part in text.split(".t(\"").skip(1) {
                let key = part.split('"').next().unwrap_or("");
                if !has_key(key) {
                    missing.push(format!("{}: {key}", path.display()));
                }
            }
        }
        assert!(missing.is_empty(), "missing texts: {missing:?}");
        let mut seen = std::collections::HashSet::new();
        for (k, ru, en) in entries() {
            assert!(seen.insert(k), "duplicate key {k}");
            assert!(!ru.is_empty() && !en.is_empty(), "{k} is empty");
        }
    }
}
