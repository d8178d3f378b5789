//! What propusk tells citizens, in their language. A notice plus an address makes a
//! message; codes appear only in the text, never in the subject (which is logged).

use super::{Address, Message};
use crate::views::Locale;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodePurpose {
    Register,
    Recover,
    Contact,
    /// A second factor at login.
    Login,
}

#[derive(Debug, Clone)]
pub enum Notice<'a> {
    /// A one-time code; `link` is the page that takes it (e-mail only).
    Code {
        purpose: CodePurpose,
        code: &'a str,
        minutes: i64,
        link: Option<&'a str>,
    },
    /// Told to the old contact when a new one replaces it.
    ContactReplaced,
    /// The password was changed (recovery); other sessions ended.
    PasswordChanged,
    VerificationAccepted,
    VerificationRejected {
        reason: &'a str,
    },
    VerificationFailed,
    LevelChanged {
        level: &'a str,
    },
    /// Too many wrong passwords or codes in a row.
    AccountLocked {
        minutes: i64,
    },
    /// A login from a browser and network not seen on this account before.
    NewDevice {
        device: &'a str,
        ip: &'a str,
    },
}

impl Notice<'_> {
    pub fn to(&self, address: Address, locale: Locale) -> Message {
        let (subject, text) = match locale {
            Locale::Ru => self.ru(),
            Locale::En => self.en(),
        };
        Message {
            to: address,
            subject,
            text,
        }
    }

    fn ru(&self) -> (String, String) {
        match self {
            Self::Code {
                purpose,
                code,
                minutes,
                link,
            } => {
                let what = match purpose {
                    CodePurpose::Register => "регистрации",
                    CodePurpose::Recover => "восстановления доступа",
                    CodePurpose::Contact => "подтверждения контакта",
                    CodePurpose::Login => "входа",
                };
                let mut text = format!(
                    "Код {what} в propusk: {code}. Действует {minutes} мин. Никому не сообщайте его."
                );
                if let Some(l) = link {
                    text.push_str(&format!("\nИли перейдите по ссылке: {l}"));
                }
                (format!("Код {what}"), text)
            }
            Self::ContactReplaced => (
                "Контакт изменён".into(),
                "В вашей учётной записи propusk заменён телефон или адрес электронной почты. Если это были не вы, восстановите доступ.".into(),
            ),
            Self::PasswordChanged => (
                "Пароль изменён".into(),
                "Пароль вашей учётной записи propusk изменён, остальные сеансы завершены. Если это были не вы, обратитесь в центр обслуживания.".into(),
            ),
            Self::VerificationAccepted => (
                "Данные проверены".into(),
                "Ваши личные данные подтверждены. Учётная запись стала стандартной.".into(),
            ),
            Self::VerificationRejected { reason } => (
                "Данные не подтверждены".into(),
                format!("Проверка личных данных не пройдена: {reason}. Исправьте данные в личном кабинете."),
            ),
            Self::VerificationFailed => (
                "Проверка не завершена".into(),
                "Не удалось проверить личные данные: сервис проверки недоступен. Отправьте данные ещё раз позже.".into(),
            ),
            Self::LevelChanged { level } => (
                "Уровень учётной записи".into(),
                format!("Уровень вашей учётной записи изменён: {level}."),
            ),
            Self::AccountLocked { minutes } => (
                "Вход заблокирован".into(),
                format!("Слишком много неверных попыток входа: вход в учётную запись propusk заблокирован на {minutes} мин. Если это были не вы, смените пароль."),
            ),
            Self::NewDevice { device, ip } => (
                "Вход с нового устройства".into(),
                format!("В вашу учётную запись propusk вошли с нового устройства: {device}, IP {ip}. Если это были не вы, смените пароль и завершите чужие сеансы в личном кабинете."),
            ),
        }
    }

    fn en(&self) -> (String, String) {
        match self {
            Self::Code {
                purpose,
                code,
                minutes,
                link,
            } => {
                let what = match purpose {
                    CodePurpose::Register => "registration",
                    CodePurpose::Recover => "access recovery",
                    CodePurpose::Contact => "contact confirmation",
                    CodePurpose::Login => "login",
                };
                let mut text = format!(
                    "Your propusk {what} code: {code}. Valid for {minutes} min. Do not share it."
                );
                if let Some(l) = link {
                    text.push_str(&format!("\nOr follow the link: {l}"));
                }
                (format!("Your {what} code"), text)
            }
            Self::ContactReplaced => (
                "Contact changed".into(),
                "A phone number or e-mail address of your propusk account was replaced. If it was not you, recover your access.".into(),
            ),
            Self::PasswordChanged => (
                "Password changed".into(),
                "The password of your propusk account was changed and your other sessions ended. If it was not you, contact a service centre.".into(),
            ),
            Self::VerificationAccepted => (
                "Personal data verified".into(),
                "Your personal data was verified. Your account is now standard.".into(),
            ),
            Self::VerificationRejected { reason } => (
                "Personal data not verified".into(),
                format!("The verification of your personal data failed: {reason}. Correct the data in your cabinet."),
            ),
            Self::VerificationFailed => (
                "Verification not finished".into(),
                "Your personal data could not be verified: the registry service is unavailable. Please submit it again later.".into(),
            ),
            Self::LevelChanged { level } => (
                "Account level".into(),
                format!("The level of your account changed to {level}."),
            ),
            Self::AccountLocked { minutes } => (
                "Login locked".into(),
                format!("Too many wrong attempts: logging in to your propusk account is locked for {minutes} min. If it was not you, change your password."),
            ),
            Self::NewDevice { device, ip } => (
                "Login from a new device".into(),
                format!("Someone logged in to your propusk account from a new device: {device}, IP {ip}. If it was not you, change your password and end the other sessions in your cabinet."),
            ),
        }
    }
}
