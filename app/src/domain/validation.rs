//! Input validation shared by forms and services: errors name the field so a form can show them
//! beside it.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct ValidationError {
    pub field: String,
    pub message: String,
}

impl ValidationError {
    pub fn new(field: &str, message: impl Into<String>) -> Self {
        Self {
            field: field.to_owned(),
            message: message.into(),
        }
    }
}

/// Input that passed its `validate`. Services take this, so nothing unchecked reaches them; only
/// the domain's validators make one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Valid<T>(pub(in crate::domain) T);

impl<T> Valid<T> {
    pub fn get(&self) -> &T {
        &self.0
    }
}

/// A security group's name: trimmed, 1 to 80 characters, no control characters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupName(String);

impl GroupName {
    pub const MAX_CHARS: usize = 80;

    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        name("name", raw, Self::MAX_CHARS, "the group").map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The last page a list offers to ask for: far beyond any real list, and small enough that the
/// row offset it stands for never overflows in Rust or in the database.
pub const MAX_PAGE: u64 = 100_000;

/// A zero-based page number from the browser.
pub fn page(page: u64) -> Result<u64, ValidationError> {
    if page > MAX_PAGE {
        return Err(ValidationError::new("page", "There is no such page."));
    }
    Ok(page)
}

/// A display name of something (a room, a room group, a role): trimmed, 1 to `max` characters,
/// no control or bidirectional-override characters. `what` completes "Enter a name for …".
pub fn name(field: &str, raw: &str, max: usize, what: &str) -> Result<String, ValidationError> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(ValidationError::new(
            field,
            format!("Enter a name for {what}."),
        ));
    }
    if name.chars().count() > max {
        return Err(ValidationError::new(
            field,
            format!("Use at most {max} characters."),
        ));
    }
    if name.chars().any(is_hidden) {
        return Err(ValidationError::new(
            field,
            "Use letters, digits and punctuation only.",
        ));
    }
    Ok(name.to_owned())
}

/// Characters that are not shown as themselves: control characters, and the bidirectional
/// marks and overrides that make a name read differently from what it is (in the audit log, a
/// name could otherwise disguise what was done).
pub fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A directory search term: trimmed, lower-cased, at most 100 characters. Empty is allowed (the
/// picker shows nothing for it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SearchTerm(String);

/// Text typed into a search box, as searches compare it: trimmed, lower-cased, at most 100
/// characters (longer is refused by `field`).
pub fn search_text(field: &str, raw: &str) -> Result<String, ValidationError> {
    let term = raw.trim().to_lowercase();
    if term.chars().count() > 100 {
        return Err(ValidationError::new(
            field,
            "Search for at most 100 characters.",
        ));
    }
    Ok(term)
}

impl SearchTerm {
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        search_text("query", raw).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The domain part of an e-mail address typed on the login page, lower-cased.
pub fn email_domain(raw: &str) -> Result<String, ValidationError> {
    let email = raw.trim();
    let invalid = || {
        ValidationError::new(
            "email",
            "Enter your work e-mail address, like name@contoso.com.",
        )
    };
    let (local, domain) = email.rsplit_once('@').ok_or_else(invalid)?;
    let domain = domain.to_ascii_lowercase();
    let label_ok =
        |l: &str| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if local.is_empty()
        || email.len() > 254
        || !domain.contains('.')
        || !domain.split('.').all(label_ok)
    {
        return Err(invalid());
    }
    Ok(domain)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_names_are_trimmed_and_bounded() {
        assert_eq!(
            GroupName::parse("  Help desk ").map(|n| n.as_str().to_owned()),
            Ok("Help desk".into())
        );
        assert_eq!(
            GroupName::parse("   ").map_err(|e| e.field),
            Err("name".into())
        );
        assert!(GroupName::parse(&"x".repeat(81)).is_err());
        assert!(GroupName::parse(&"é".repeat(80)).is_ok());
        assert!(GroupName::parse("tab\there").is_err());
        // "Help desk" written backwards behind a right-to-left override reads as something else.
        assert!(GroupName::parse("Admins \u{202E}ksed pleH").is_err());
        assert!(name("name", "Room\u{2066}1", 80, "the room").is_err());
        assert!(name("name", "Raum München – Süd", 80, "the room").is_ok());
    }

    #[test]
    fn login_emails_yield_their_lowercase_domain() {
        assert_eq!(
            email_domain(" Grace@Contoso.COM "),
            Ok("contoso.com".into())
        );
        assert_eq!(email_domain("a@b@fabrikam.de"), Ok("fabrikam.de".into()));
        for bad in [
            "",
            "grace",
            "@contoso.com",
            "grace@",
            "grace@localhost",
            "g@con toso.com",
            "g@contoso..com",
        ] {
            assert!(email_domain(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn search_terms_are_lowercased_and_bounded() {
        assert_eq!(
            SearchTerm::parse(" GrA ").map(|t| t.as_str().to_owned()),
            Ok("gra".into())
        );
        assert!(SearchTerm::parse(&"a".repeat(101)).is_err());
    }
}
