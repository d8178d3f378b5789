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
        "err_family_name",
        "Фамилия: введите буквы, дефис или пробел (до 100 символов)",
        "Surname: letters, hyphens or spaces (up to 100 characters)",
    ),
    (
        "err_given_name",
        "Имя: введите буквы, дефис или пробел (до 100 символов)",
        "First name: letters, hyphens or spaces (up to 100 characters)",
    ),
    (
        "err_middle_name",
        "Отчество: введите буквы, дефис или пробел (до 100 символов)",
        "Patronymic: letters, hyphens or spaces (up to 100 characters)",
    ),
    (
        "err_contact",
        "Телефон или email: введите мобильный номер (+7…) или адрес почты",
        "Phone or e-mail: enter a mobile number (+7…) or an e-mail address",
    ),
    (
        "err_code_format",
        "Код: введите цифры из сообщения",
        "Code: enter the digits from the message",
    ),
    ("err_code_wrong", "Неверный код", "Wrong code"),
    (
        "err_code_expired",
        "Срок действия кода истёк. Запросите новый код.",
        "The code has expired. Ask for a new one.",
    ),
    (
        "err_code_attempts",
        "Слишком много неверных попыток. Запросите новый код.",
        "Too many wrong tries. Ask for a new code.",
    ),
    (
        "err_resend_wait",
        "Новый код можно запросить чуть позже.",
        "You can ask for a new code a little later.",
    ),
    (
        "err_password_mismatch",
        "Пароли не совпадают",
        "The passwords do not match",
    ),
    (
        "err_password_policy",
        "Пароль не подходит: нужно",
        "The password does not qualify: it needs",
    ),
    (
        "err_taken_snils",
        "СНИЛС: этот СНИЛС уже указан в другой учётной записи",
        "SNILS: this SNILS already belongs to another account",
    ),
    (
        "err_taken_inn",
        "ИНН: этот ИНН уже указан в другой учётной записи",
        "INN: this INN already belongs to another account",
    ),
    (
        "err_taken_passport",
        "Паспорт: этот паспорт уже указан в другой учётной записи",
        "Passport: this passport already belongs to another account",
    ),
    (
        "err_taken_contact",
        "Этот контакт уже привязан к другой учётной записи",
        "This contact already belongs to another account",
    ),
    (
        "err_frozen",
        "Данные проверяются и пока не могут быть изменены",
        "Your data is being verified and cannot be changed now",
    ),
    (
        "err_postal_level",
        "Код из письма принимается после проверки личных данных",
        "The letter's code is accepted once your personal data is verified",
    ),
    (
        "err_postal_wrong",
        "Код: неверный или устаревший код из письма",
        "Code: wrong or expired letter code",
    ),
    (
        "err_birth_date",
        "Дата рождения: формат ГГГГ-ММ-ДД, вам должно быть не меньше 14 лет",
        "Date of birth: YYYY-MM-DD; you must be at least 14",
    ),
    (
        "err_gender",
        "Пол: выберите мужской или женский",
        "Gender: choose male or female",
    ),
    (
        "err_passport_series",
        "Серия паспорта: 4 цифры",
        "Passport series: 4 digits",
    ),
    (
        "err_passport_number",
        "Номер паспорта: 6 цифр",
        "Passport number: 6 digits",
    ),
    (
        "err_passport_issued",
        "Дата выдачи: формат ГГГГ-ММ-ДД, не раньше 14 лет и не в будущем",
        "Date of issue: YYYY-MM-DD, after your 14th birthday, not in the future",
    ),
    (
        "err_passport_issuer",
        "Кем выдан: укажите орган, выдавший паспорт",
        "Issued by: enter the issuing authority",
    ),
    (
        "err_passport_issuer_code",
        "Код подразделения: 6 цифр, например 770-001",
        "Division code: 6 digits, e.g. 770-001",
    ),
    (
        "err_snils",
        "СНИЛС: 11 цифр с верной контрольной суммой, например 123-456-789 64",
        "SNILS: 11 digits with valid check digits, e.g. 123-456-789 64",
    ),
    (
        "err_inn",
        "ИНН: 12 цифр с верными контрольными цифрами",
        "INN: 12 digits with valid check digits",
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
    (
        "security_title",
        "Безопасность — Пропуск",
        "Security — Propusk",
    ),
    ("security_heading", "Безопасность входа", "Login security"),
    (
        "security_link",
        "Безопасность: второй фактор, резервные коды",
        "Security: second factor, recovery codes",
    ),
    (
        "back_to_cabinet",
        "← В личный кабинет",
        "← Back to the cabinet",
    ),
    (
        "totp_heading",
        "Приложение-аутентификатор (TOTP)",
        "Authenticator app (TOTP)",
    ),
    ("totp_on", "Подключено.", "Set up."),
    ("totp_off", "Не подключено.", "Not set up."),
    ("totp_add", "Подключить приложение", "Set up an app"),
    (
        "totp_scan",
        "Отсканируйте QR-код в приложении (Яндекс Ключ, Google Authenticator и др.) или введите ключ вручную.",
        "Scan the QR code with your app (Google Authenticator, Yandex Key, …) or enter the key by hand.",
    ),
    ("totp_secret", "Ключ:", "Key:"),
    ("totp_first_code", "Код из приложения", "Code from the app"),
    ("totp_confirm", "Подтвердить", "Confirm"),
    ("totp_remove", "Отключить приложение", "Remove the app"),
    ("totp_added", "Приложение подключено.", "The app is set up."),
    (
        "totp_removed",
        "Приложение отключено.",
        "The app was removed.",
    ),
    (
        "totp_exists",
        "Приложение уже подключено: сначала отключите его.",
        "An app is already set up: remove it first.",
    ),
    (
        "password_to_confirm",
        "Пароль для подтверждения",
        "Your password, to confirm",
    ),
    ("recovery_heading", "Резервные коды", "Recovery codes"),
    (
        "recovery_once",
        "Сохраните эти коды: они показываются один раз, каждый действует один раз.",
        "Save these codes: they are shown once and each works once.",
    ),
    (
        "recovery_left",
        "Осталось неиспользованных кодов:",
        "Unused codes left:",
    ),
    (
        "recovery_generate",
        "Создать новые коды (старые перестанут действовать)",
        "Generate new codes (the old ones stop working)",
    ),
    (
        "require_heading",
        "Второй фактор при каждом входе",
        "A second factor at every login",
    ),
    (
        "require_on",
        "Включено: при входе всегда нужен второй фактор (кроме доверенных браузеров).",
        "On: every login needs a second factor (except in trusted browsers).",
    ),
    ("require_off", "Выключено.", "Off."),
    ("require_turn_on", "Включить", "Turn on"),
    ("require_turn_off", "Выключить", "Turn off"),
    ("require_saved", "Настройка сохранена.", "Saved."),
    ("ev_login", "Вход по паролю", "Login with password"),
    (
        "ev_login_failed",
        "Неудачная попытка входа",
        "Failed login attempt",
    ),
    (
        "ev_account_locked",
        "Вход заблокирован после неверных попыток",
        "Login locked after wrong attempts",
    ),
    (
        "ev_second_factor",
        "Второй фактор подтверждён",
        "Second factor passed",
    ),
    (
        "ev_second_factor_failed",
        "Неверный второй фактор",
        "Wrong second factor",
    ),
    (
        "ev_factor_added",
        "Подключён второй фактор",
        "Second factor added",
    ),
    (
        "ev_factor_removed",
        "Отключён второй фактор",
        "Second factor removed",
    ),
    (
        "ev_recovery_codes_generated",
        "Созданы резервные коды",
        "Recovery codes generated",
    ),
    (
        "ev_second_factor_policy",
        "Изменена настройка второго фактора",
        "Second-factor setting changed",
    ),
    (
        "passkeys_title",
        "Ключи доступа — Пропуск",
        "Passkeys — Propusk",
    ),
    ("passkeys_heading", "Ключи доступа (passkeys)", "Passkeys"),
    (
        "passkeys_link",
        "Ключи доступа: вход по отпечатку, лицу или PIN-коду устройства",
        "Passkeys: log in with your device's fingerprint, face or PIN",
    ),
    (
        "back_to_security",
        "← К настройкам безопасности",
        "← Back to login security",
    ),
    (
        "passkeys_sub",
        "Ключ доступа хранится на телефоне, компьютере или электронном ключе и подтверждается отпечатком, лицом или PIN-кодом. Им можно подтверждать вход вместо кода и входить без пароля.",
        "A passkey lives on your phone, computer or security key and is unlocked with your fingerprint, face or PIN. Use it to confirm a login instead of a code, or to log in without a password.",
    ),
    (
        "passkeys_none",
        "Ключей доступа пока нет.",
        "No passkeys yet.",
    ),
    ("passkey_created_at", "Добавлен", "Added"),
    ("passkey_last_used", "последний вход", "last used"),
    ("passkey_remove", "Удалить ключ", "Remove the passkey"),
    (
        "passkey_add_heading",
        "Добавить ключ доступа",
        "Add a passkey",
    ),
    ("passkey_name_label", "Название", "Name"),
    (
        "passkey_name_hint",
        "Чтобы отличать ключи, например «Телефон» или «Рабочий ноутбук»",
        "To tell your passkeys apart, e.g. \"Phone\" or \"Work laptop\"",
    ),
    ("passkey_default_name", "Ключ доступа", "Passkey"),
    ("passkey_add", "Создать ключ доступа", "Create a passkey"),
    (
        "passkey_added",
        "Ключ доступа добавлен.",
        "The passkey was added.",
    ),
    (
        "passkey_removed",
        "Ключ доступа удалён.",
        "The passkey was removed.",
    ),
    (
        "passkey_exists",
        "Этот ключ доступа уже зарегистрирован.",
        "This passkey is already registered.",
    ),
    (
        "passkey_not_found",
        "Такого ключа доступа нет.",
        "There is no such passkey.",
    ),
    (
        "passkey_needs_js",
        "Для ключей доступа нужен JavaScript: браузер обращается к ключу через WebAuthn.",
        "Passkeys need JavaScript: the browser talks to the passkey through WebAuthn.",
    ),
    (
        "passkey_unsupported",
        "Этот браузер не поддерживает ключи доступа.",
        "This browser does not support passkeys.",
    ),
    (
        "passkey_cancelled",
        "Операция с ключом доступа отменена или не удалась. Попробуйте ещё раз.",
        "The passkey operation was cancelled or failed. Please try again.",
    ),
    (
        "passkey_unavailable",
        "Ключи доступа недоступны на этом сервере: адрес сервиса должен быть доменным именем.",
        "Passkeys are not available on this server: the service address must be a domain name.",
    ),
    (
        "passkey_refused",
        "Ключ доступа не подошёл.",
        "The passkey was not accepted.",
    ),
    (
        "passkey_expired",
        "Время ожидания истекло. Попробуйте ещё раз.",
        "This attempt has expired. Please try again.",
    ),
    (
        "passkey_none_registered",
        "Для учётной записи нет ключей доступа.",
        "The account has no passkeys.",
    ),
    (
        "passkey_continue",
        "Продолжить с ключом доступа",
        "Continue with a passkey",
    ),
    (
        "passkey_login",
        "Войти с ключом доступа (passkey)",
        "Log in with a passkey",
    ),
    (
        "passkey_login_heading",
        "Вход с ключом доступа",
        "Log in with a passkey",
    ),
    (
        "passkey_login_sub",
        "Введите телефон, email или СНИЛС и подтвердите вход ключом доступа — пароль не нужен.",
        "Enter your phone, e-mail or SNILS and confirm with your passkey — no password needed.",
    ),
    (
        "passkey_factor_heading",
        "Подтвердите вход ключом доступа",
        "Confirm with your passkey",
    ),
    (
        "passkey_factor_sub",
        "Браузер попросит приложить палец, посмотреть в камеру или ввести PIN-код устройства.",
        "Your browser will ask for your fingerprint, face or device PIN.",
    ),
    (
        "passkey_back_password",
        "← Войти по паролю",
        "← Log in with a password",
    ),
    (
        "passkey_back_factor",
        "← Другие способы подтверждения",
        "← Other ways to confirm",
    ),
    (
        "ev_passkey_login",
        "Вход с ключом доступа",
        "Login with a passkey",
    ),
    (
        "ev_passkey_login_failed",
        "Неудачная попытка входа с ключом доступа",
        "Failed login with a passkey",
    ),
    // Rate limits, sessions and devices, password change (issue 5).
    ("rate_heading", "Слишком много попыток", "Too many attempts"),
    (
        "rate_login",
        "Слишком много попыток входа: вход временно заблокирован.",
        "Too many login attempts: logging in is blocked for a while.",
    ),
    (
        "rate_code",
        "Слишком много запросов кода.",
        "Too many code requests.",
    ),
    (
        "rate_register",
        "Слишком много регистраций с этого адреса или на этот контакт.",
        "Too many sign-ups from this address or for this contact.",
    ),
    (
        "rate_recover",
        "Слишком много попыток восстановления доступа.",
        "Too many access recovery attempts.",
    ),
    (
        "rate_wait",
        "Повторите через {} с.",
        "Please try again in {} s.",
    ),
    ("device_unknown", "Неизвестное устройство", "Unknown device"),
    ("amr_pwd", "пароль", "password"),
    ("amr_otp", "одноразовый код", "one-time code"),
    ("amr_sms", "код по SMS", "SMS code"),
    ("amr_email", "код по почте", "e-mail code"),
    ("amr_passkey", "ключ доступа", "passkey"),
    (
        "amr_signature",
        "электронная подпись",
        "electronic signature",
    ),
    (
        "sessions_title",
        "Сеансы и устройства — Пропуск",
        "Sessions and devices — Propusk",
    ),
    (
        "sessions_heading",
        "Сеансы и устройства",
        "Sessions and devices",
    ),
    ("sessions_active", "Активные сеансы", "Active sessions"),
    ("session_current", "это устройство", "this device"),
    ("session_started", "вход", "logged in"),
    ("session_last_seen", "активность", "last active"),
    ("session_end", "Завершить сеанс", "End this session"),
    (
        "sessions_end_others",
        "Завершить все другие сеансы",
        "End all other sessions",
    ),
    (
        "sessions_link",
        "Сеансы, устройства, история входов и пароль",
        "Sessions, devices, login history and password",
    ),
    (
        "flash_session_ended",
        "Сеанс завершён.",
        "The session was ended.",
    ),
    (
        "flash_sessions_ended",
        "Все другие сеансы завершены.",
        "All other sessions were ended.",
    ),
    ("login_history_heading", "История входов", "Login history"),
    (
        "password_change_title",
        "Смена пароля — Пропуск",
        "Change password — Propusk",
    ),
    ("password_change_heading", "Смена пароля", "Change password"),
    (
        "password_change_link",
        "Сменить пароль",
        "Change the password",
    ),
    (
        "back_to_sessions",
        "← К сеансам и устройствам",
        "← Back to sessions and devices",
    ),
    ("current_password", "Текущий пароль", "Current password"),
    (
        "password_change_note",
        "После смены пароля все другие сеансы завершатся.",
        "Changing the password ends all your other sessions.",
    ),
    (
        "password_change_submit",
        "Сменить пароль",
        "Change the password",
    ),
    (
        "err_current_password",
        "Текущий пароль введён неверно.",
        "The current password is wrong.",
    ),
    (
        "err_password_same",
        "Новый пароль должен отличаться от текущего.",
        "The new password must differ from the current one.",
    ),
    ("ev_password_changed", "Пароль изменён", "Password changed"),
    (
        "ev_password_change_failed",
        "Неверный текущий пароль при смене пароля",
        "Wrong current password when changing the password",
    ),
    ("ev_sessions_ended", "Завершены сеансы", "Sessions ended"),
    (
        "ev_new_device",
        "Вход с нового устройства",
        "Login from a new device",
    ),
];

impl Locale {
    /// The text for `key`; the key itself if it is missing (a unit test prevents that).
    pub fn t(&self, key: &str) -> &'static str {
        match CATALOG.iter().find(|(k, _, _)| *k == key) {
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
    CATALOG.iter().any(|(k, _, _)| *k == key)
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
                if entry.path().ends_with("catalog.rs") {
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
        for (k, ru, en) in CATALOG {
            assert!(seen.insert(k), "duplicate key {k}");
            assert!(!ru.is_empty() && !en.is_empty(), "{k} is empty");
        }
    }
}
