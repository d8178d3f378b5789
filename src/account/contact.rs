//! Where to reach a citizen: the confirmed phone first (SMS is what ESIA uses), else
//! the confirmed e-mail.

use crate::notify::Address;
use crate::store::records::AccountRecord;

pub fn contact_of(a: &AccountRecord) -> Option<Address> {
    match (&a.phone, &a.email) {
        (Some(p), _) if a.phone_verified => Some(Address::Sms(p.clone())),
        (_, Some(e)) if a.email_verified => Some(Address::Email(e.clone())),
        _ => None,
    }
}

/// `+7 912 ***-**-89` / `i***@example.ru`: enough for the citizen to recognise, not
/// enough to learn someone's contact.
pub fn masked(address: &Address) -> String {
    match address {
        Address::Sms(p) if p.len() == 12 => format!("+7 {} ***-**-{}", &p[2..5], &p[10..]),
        Address::Email(e) => match e.split_once('@') {
            Some((local, domain)) => {
                let first: String = local.chars().take(1).collect();
                format!("{first}***@{domain}")
            }
            None => "***".into(),
        },
        Address::Sms(_) => "***".into(),
    }
}
