//! Texts of the field errors on the account pages (registration, codes, passwords,
//! personal data) by key, in Russian and English; each names the field it is about.
//! `catalog.rs` looks keys up here after its own table.

/// (key, Russian, English)
pub(super) static ERRORS: &[(&str, &str, &str)] = &[
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
];
