//! Devices as the citizen sees them: a browser and system read from the user agent
//! ("Chrome, Windows"), the login method in words, and the notice of a login from a
//! device not seen before (browser family + the address's /24 network, so a browser
//! update or a new DHCP lease is not "new").

use crate::error::AppError;
use crate::notify::Notice;
use crate::state::AppState;
use crate::store::audit::AuditEvent;
use crate::store::records::{AccountRecord, SessionRecord};
use crate::views::Locale;
use std::net::IpAddr;

/// Browser and operating system, as far as the user agent tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Device {
    pub browser: Option<&'static str>,
    pub os: Option<&'static str>,
}

/// Read a user agent. Order matters: Edge, Opera and Yandex also say "Chrome", and
/// Chrome also says "Safari".
pub fn device_of(user_agent: Option<&str>) -> Device {
    let ua = user_agent.unwrap_or("");
    const BROWSERS: &[(&str, &str)] = &[
        ("YaBrowser/", "Yandex Browser"),
        ("Edg/", "Edge"),
        ("EdgA/", "Edge"),
        ("EdgiOS/", "Edge"),
        ("OPR/", "Opera"),
        ("SamsungBrowser/", "Samsung Internet"),
        ("Firefox/", "Firefox"),
        ("FxiOS/", "Firefox"),
        ("CriOS/", "Chrome"),
        ("Chrome/", "Chrome"),
        ("Chromium/", "Chromium"),
        ("Safari/", "Safari"),
        ("curl/", "curl"),
    ];
    const SYSTEMS: &[(&str, &str)] = &[
        ("Windows", "Windows"),
        ("Android", "Android"),
        ("iPhone", "iOS"),
        ("iPad", "iPadOS"),
        ("CrOS", "ChromeOS"),
        ("Mac OS X", "macOS"),
        ("Macintosh", "macOS"),
        ("Linux", "Linux"),
    ];
    let find = |table: &[(&str, &'static str)]| {
        table
            .iter()
            .find(|(token, _)| ua.contains(token))
            .map(|(_, name)| *name)
    };
    Device {
        browser: find(BROWSERS),
        os: find(SYSTEMS),
    }
}

impl Device {
    /// "Chrome, Windows"; "unknown device" when the user agent says nothing we know.
    pub fn label(&self, l: Locale) -> String {
        match (self.browser, self.os) {
            (Some(b), Some(o)) => format!("{b}, {o}"),
            (Some(x), None) | (None, Some(x)) => x.to_owned(),
            (None, None) => l.t("device_unknown").to_owned(),
        }
    }

    /// What "the same device" means for the new-device notice.
    fn family(&self) -> String {
        format!("{}/{}", self.browser.unwrap_or("?"), self.os.unwrap_or("?"))
    }
}

/// The network an address belongs to: its /24 (IPv4) or /64 (IPv6).
pub fn network_of(ip: Option<&str>) -> String {
    match ip
        .and_then(|s| s.parse::<IpAddr>().ok())
        .map(super::super::client_ip::canonical)
    {
        Some(IpAddr::V4(v4)) => {
            let o = v4.octets();
            format!("{}.{}.{}.0/24", o[0], o[1], o[2])
        }
        Some(IpAddr::V6(v6)) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        None => "?".to_owned(),
    }
}

/// A time as the cabinet shows it: `2025-01-31 14:05 UTC`.
pub fn format_time(at: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(at)
        .map(|t| {
            format!(
                "{:04}-{:02}-{:02} {:02}:{:02} UTC",
                t.year(),
                u8::from(t.month()),
                t.day(),
                t.hour(),
                t.minute()
            )
        })
        .unwrap_or_default()
}

/// A session's or a journal entry's `amr` in words: "password + one-time code".
pub fn method_text(amr: &[String], l: Locale) -> String {
    let mut words: Vec<&'static str> = Vec::new();
    for a in amr {
        let key = match a.as_str() {
            "pwd" => "amr_pwd",
            "otp" => "amr_otp",
            "sms" => "amr_sms",
            "email" => "amr_email",
            "hwk" | "swk" => "amr_passkey",
            "sc" | "qes" => "amr_signature",
            _ => continue,
        };
        let w = l.t(key);
        if !words.contains(&w) {
            words.push(w);
        }
    }
    words.join(" + ")
}

/// After a successful login: when this browser family and network have not been seen
/// in the account's sessions or login journal, journal `new_device` and tell the
/// citizen. An account with no history at all (its very first login) is not told.
/// Returns whether the device was new.
pub async fn notify_if_new_device(
    state: &AppState,
    account: &AccountRecord,
    session: &SessionRecord,
) -> Result<bool, AppError> {
    let device = device_of(session.user_agent.as_deref());
    let this = (device.family(), network_of(session.ip.as_deref()));
    let mut seen = Vec::new();
    for s in state.store.all_sessions_of(&account.id).await? {
        if s.id != session.id {
            seen.push((s.user_agent, s.ip));
        }
    }
    for e in state.store.login_history(&account.id, 500).await? {
        // This login's own journal entry is written in the same second as the session.
        let success = matches!(
            e.kind.as_str(),
            "login" | "certificate_login" | "passkey_login" | "new_device"
        );
        if success && e.at < session.created_at {
            seen.push((e.user_agent, e.ip));
        }
    }
    if seen.is_empty() {
        return Ok(false);
    }
    let known = seen
        .iter()
        .any(|(ua, ip)| (device_of(ua.as_deref()).family(), network_of(ip.as_deref())) == this);
    if known {
        return Ok(false);
    }
    let l = Locale::default();
    let label = device.label(l);
    let ip = session.ip.clone().unwrap_or_else(|| "?".to_owned());
    let mut event = AuditEvent::new(
        state.now(),
        "new_device",
        &account.id,
        "citizen",
        serde_json::json!({"device": label, "network": this.1, "session": session.id}),
    );
    event.ip = session.ip.clone();
    event.user_agent = session.user_agent.clone();
    state.store.append_audit(&event).await?;
    if let Some(to) = crate::account::contact_of(account) {
        state.notifier.dispatch(
            Notice::NewDevice {
                device: &label,
                ip: &ip,
            }
            .to(to, l),
        );
    }
    tracing::info!(account = %account.id, "login from a new device");
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHROME_WIN: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36";
    const EDGE: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.51";
    const YANDEX_ANDROID: &str = "Mozilla/5.0 (Linux; Android 13; SM-A525F) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 YaBrowser/24.4.1.99 Mobile Safari/537.36";
    const SAFARI_IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1";
    const FIREFOX_LINUX: &str =
        "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0";

    #[test]
    fn user_agents_read_as_people_say_them() {
        let l = Locale::En;
        assert_eq!(device_of(Some(CHROME_WIN)).label(l), "Chrome, Windows");
        assert_eq!(device_of(Some(EDGE)).label(l), "Edge, Windows");
        assert_eq!(
            device_of(Some(YANDEX_ANDROID)).label(l),
            "Yandex Browser, Android"
        );
        assert_eq!(device_of(Some(SAFARI_IPHONE)).label(l), "Safari, iOS");
        assert_eq!(device_of(Some(FIREFOX_LINUX)).label(l), "Firefox, Linux");
        assert_eq!(device_of(None).label(l), l.t("device_unknown"));
    }

    #[test]
    fn networks() {
        assert_eq!(network_of(Some("203.0.113.77")), "203.0.113.0/24");
        assert_eq!(network_of(Some("::ffff:203.0.113.77")), "203.0.113.0/24");
        assert_eq!(network_of(Some("2001:db8:1:2:3::4")), "2001:db8:1:2::/64");
        assert_eq!(network_of(None), "?");
    }

    #[test]
    fn methods_in_words() {
        let amr = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let l = Locale::En;
        assert_eq!(method_text(&amr(&["pwd"]), l), l.t("amr_pwd"));
        assert_eq!(
            method_text(&amr(&["pwd", "sms", "mfa"]), l),
            format!("{} + {}", l.t("amr_pwd"), l.t("amr_sms"))
        );
        assert_eq!(method_text(&amr(&["sc", "qes"]), l), l.t("amr_signature"));
    }
}
