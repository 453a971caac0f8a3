//! What an operator says about an organisation (`server org add|update`): display name, verified
//! domains, identity provider (issuer, client id, client secret or where to read it, accepted
//! tenant ids) and the first Global admin. Validation only: no I/O. Each error's `field` is the
//! name of the command-line flag that carries the value, so the operator sees which one to fix.

use super::ids::OrgId;
use super::validation::{name, Valid, ValidationError};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Longest issuer URL and client secret (reference) the `organisations` columns hold.
const MAX_ISSUER: usize = 400;
const MAX_SECRET: usize = 400;
const MAX_TENANT_IDS: usize = 2000;

/// Where an organisation's client secret comes from.
#[derive(Clone, PartialEq, Eq)]
pub enum ClientSecret {
    /// Kept in the database.
    Stored(String),
    /// Read from this file (an absolute path) at each sign-in; the database keeps the path.
    File(String),
    /// Read from this environment variable of the server at each sign-in; the database keeps
    /// the name.
    Env(String),
}

impl std::fmt::Debug for ClientSecret {
    /// Never prints a stored secret (errors and logs may show the value).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Stored(_) => f.write_str("Stored(***)"),
            Self::File(path) => write!(f, "File({path:?})"),
            Self::Env(var) => write!(f, "Env({var:?})"),
        }
    }
}

impl ClientSecret {
    pub fn validate(self) -> Result<Self, ValidationError> {
        match self {
            Self::Stored(secret) => {
                // A secret piped in usually ends with a newline that is not part of it.
                let secret = secret.trim_end_matches(['\r', '\n']).to_owned();
                if secret.is_empty() || secret.chars().count() > MAX_SECRET {
                    return Err(ValidationError::new(
                        "client-secret-stdin",
                        format!("Give the client secret (1 to {MAX_SECRET} characters) on standard input."),
                    ));
                }
                if secret.chars().any(char::is_control) {
                    return Err(ValidationError::new(
                        "client-secret-stdin",
                        "The client secret read from standard input has control characters; give it on one line.",
                    ));
                }
                Ok(Self::Stored(secret))
            }
            Self::File(path) => {
                if !path.starts_with('/')
                    || path.len() > MAX_SECRET - "file:".len()
                    || path.chars().any(char::is_control)
                {
                    return Err(ValidationError::new(
                        "client-secret-file",
                        "Give the absolute path of the file that holds the client secret, like /etc/rooms/contoso.secret (the server reads it at each sign-in, from its own working directory otherwise).",
                    ));
                }
                Ok(Self::File(path))
            }
            Self::Env(var) => {
                let mut chars = var.chars();
                let valid = chars
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                    && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
                    && var.len() <= 200;
                if !valid {
                    return Err(ValidationError::new(
                        "client-secret-env",
                        "Give the name of an environment variable of the server, like ROOMS_CONTOSO_SECRET (letters, digits and _).",
                    ));
                }
                Ok(Self::Env(var))
            }
        }
    }

    /// What `client_secret_ref` keeps: `file:/path` or `env:NAME`; none for a stored secret.
    pub fn reference(&self) -> Option<String> {
        match self {
            Self::Stored(_) => None,
            Self::File(path) => Some(format!("file:{path}")),
            Self::Env(var) => Some(format!("env:{var}")),
        }
    }

    /// The reference `client_secret_ref` holds, read back.
    pub fn from_reference(reference: &str) -> Option<Self> {
        if let Some(path) = reference.strip_prefix("file:") {
            Some(Self::File(path.to_owned()))
        } else {
            reference
                .strip_prefix("env:")
                .map(|var| Self::Env(var.to_owned()))
        }
    }
}

/// A new organisation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrganisationDraft {
    pub name: String,
    pub domains: Vec<String>,
    pub issuer: String,
    pub client_id: String,
    pub client_secret: ClientSecret,
    pub tenant_ids: Vec<String>,
    pub manages_customers: bool,
    /// The UPN of the first Global admin, who becomes one at their first sign-in.
    pub global_admin: Option<String>,
}

impl OrganisationDraft {
    pub fn validate(self) -> Result<Valid<Self>, ValidationError> {
        let name = org_name("name", &self.name)?;
        if self.domains.is_empty() {
            return Err(ValidationError::new(
                "domain",
                "Give at least one --domain: the e-mail domain its users sign in with, like contoso.com.",
            ));
        }
        let domains = distinct(
            self.domains
                .iter()
                .map(|d| domain("domain", d))
                .collect::<Result<_, _>>()?,
        );
        let tenant_ids = tenant_ids("tenant-id", &self.tenant_ids)?;
        let global_admin = self
            .global_admin
            .as_deref()
            .map(|upn| admin_upn(upn, &domains))
            .transpose()?;
        Ok(Valid(Self {
            name,
            domains,
            issuer: issuer("issuer", &self.issuer)?,
            client_id: client_id(&self.client_id)?,
            client_secret: self.client_secret.validate()?,
            tenant_ids,
            manages_customers: self.manages_customers,
            global_admin,
        }))
    }
}

/// Changes to an organisation; `None` and empty lists leave a setting as it is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OrganisationChange {
    pub name: Option<String>,
    pub add_domains: Vec<String>,
    pub remove_domains: Vec<String>,
    pub issuer: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<ClientSecret>,
    pub add_tenant_ids: Vec<String>,
    pub remove_tenant_ids: Vec<String>,
    pub manages_customers: Option<bool>,
    /// A UPN to make Global admin at their next sign-in (the domain is checked against the
    /// organisation's domains once the domain changes are applied: [`admin_upn`]).
    pub global_admin: Option<String>,
}

impl OrganisationChange {
    pub fn validate(self) -> Result<Valid<Self>, ValidationError> {
        if self == Self::default() {
            return Err(ValidationError::new(
                "",
                "Nothing to change: give at least one of --name, --add-domain, --remove-domain, --issuer, --client-id, --client-secret-file, --client-secret-env, --client-secret-stdin, --add-tenant-id, --remove-tenant-id, --manages-customers, --global-admin.",
            ));
        }
        let add_domains = distinct(
            self.add_domains
                .iter()
                .map(|d| domain("add-domain", d))
                .collect::<Result<_, _>>()?,
        );
        let remove_domains = distinct(
            self.remove_domains
                .iter()
                .map(|d| domain("remove-domain", d))
                .collect::<Result<_, _>>()?,
        );
        if let Some(both) = add_domains.iter().find(|d| remove_domains.contains(d)) {
            return Err(ValidationError::new(
                "remove-domain",
                format!("{both} is both added and removed; give it once."),
            ));
        }
        let add_tenant_ids = tenant_ids("add-tenant-id", &self.add_tenant_ids)?;
        let remove_tenant_ids = tenant_ids("remove-tenant-id", &self.remove_tenant_ids)?;
        let global_admin = self
            .global_admin
            .as_deref()
            .map(|upn| upn_shape("global-admin", upn).map(|(upn, _)| upn))
            .transpose()?;
        Ok(Valid(Self {
            name: self
                .name
                .as_deref()
                .map(|n| org_name("name", n))
                .transpose()?,
            add_domains,
            remove_domains,
            issuer: self
                .issuer
                .as_deref()
                .map(|i| issuer("issuer", i))
                .transpose()?,
            client_id: self.client_id.as_deref().map(client_id).transpose()?,
            client_secret: self.client_secret.map(ClientSecret::validate).transpose()?,
            add_tenant_ids,
            remove_tenant_ids,
            manages_customers: self.manages_customers,
            global_admin,
        }))
    }
}

/// An organisation as the operator sees it. Never carries a stored client secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganisationView {
    pub id: OrgId,
    pub name: String,
    pub domains: Vec<String>,
    pub issuer: String,
    pub client_id: String,
    /// `stored` (in the database), `file:/path` or `env:NAME`.
    pub client_secret: String,
    /// Accepted `tid` claims; empty accepts any tenant of the issuer.
    pub tenant_ids: Vec<String>,
    pub manages_customers: bool,
    pub users: u64,
    /// The UPN named first Global admin who has not signed in yet.
    pub pending_global_admin: Option<String>,
    pub is_demo: bool,
    pub created_at: DateTime<Utc>,
}

fn org_name(field: &str, raw: &str) -> Result<String, ValidationError> {
    name(field, raw, 120, "the organisation")
}

fn distinct(mut values: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    values.retain(|v| seen.insert(v.clone()));
    values
}

/// A verified e-mail domain: lower-cased, DNS labels of letters, digits and inner hyphens, at
/// least two of them, the last not numeric (no IP addresses).
pub fn domain(field: &str, raw: &str) -> Result<String, ValidationError> {
    let domain = raw.trim().trim_end_matches('.').to_ascii_lowercase();
    let invalid = |why: &str| {
        ValidationError::new(
            field,
            format!("{raw:?} is not an e-mail domain{why}; give one like contoso.com."),
        )
    };
    if !domain.is_ascii() {
        return Err(invalid(
            " in ASCII (write an international domain as punycode, xn--…)",
        ));
    }
    let labels: Vec<&str> = domain.split('.').collect();
    let label_ok = |l: &&str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    if domain.len() > 253
        || labels.len() < 2
        || !labels.iter().all(label_ok)
        || labels
            .last()
            .is_some_and(|l| l.chars().all(|c| c.is_ascii_digit()))
    {
        return Err(invalid(""));
    }
    Ok(domain)
}

/// An OpenID Connect issuer URL, kept exactly as given (the ID token's `iss` must equal it byte
/// for byte): https, or http on the loopback address for a local provider; no query or fragment.
pub fn issuer(field: &str, raw: &str) -> Result<String, ValidationError> {
    let invalid = || {
        ValidationError::new(
            field,
            format!("{raw:?} is not an issuer URL; give one like https://login.microsoftonline.com/<tenant id>/v2.0 (https; http only on 127.0.0.1, [::1] or localhost)."),
        )
    };
    let url = raw.trim();
    let rest = if let Some(rest) = url.strip_prefix("https://") {
        rest
    } else if let Some(rest) = url.strip_prefix("http://") {
        let host = rest.split('/').next().unwrap_or_default();
        let host = host.rsplit_once(':').map_or(host, |(h, port)| {
            if port.chars().all(|c| c.is_ascii_digit()) && !h.is_empty() {
                h
            } else {
                host
            }
        });
        if !matches!(host, "127.0.0.1" | "[::1]" | "localhost") {
            return Err(invalid());
        }
        rest
    } else {
        return Err(invalid());
    };
    let host = rest.split('/').next().unwrap_or_default();
    if host.is_empty()
        || host.contains('@')
        || url.len() > MAX_ISSUER
        || url.contains(['?', '#'])
        || url.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(invalid());
    }
    Ok(url.to_owned())
}

fn client_id(raw: &str) -> Result<String, ValidationError> {
    let id = raw.trim();
    if id.is_empty()
        || id.chars().count() > 200
        || id.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(ValidationError::new(
            "client-id",
            "Give the client (application) id the identity provider issued for the portal: 1 to 200 characters, no spaces.",
        ));
    }
    Ok(id.to_owned())
}

/// Tenant ids (`tid` claims), distinct case-insensitively; stored space-separated.
fn tenant_ids(field: &str, raw: &[String]) -> Result<Vec<String>, ValidationError> {
    let mut ids: Vec<String> = Vec::new();
    for id in raw {
        let id = id.trim();
        if id.is_empty()
            || id.len() > 100
            || !id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        {
            return Err(ValidationError::new(
                field,
                format!("{id:?} is not a tenant id; give the tenant's id as the identity provider puts it in the tid claim, like 72f988bf-86f1-41af-91ab-2d7cd011db47."),
            ));
        }
        if !ids.iter().any(|known| known.eq_ignore_ascii_case(id)) {
            ids.push(id.to_owned());
        }
    }
    if ids.iter().map(|id| id.len() + 1).sum::<usize>() > MAX_TENANT_IDS {
        return Err(ValidationError::new(
            field,
            "Too many tenant ids for one organisation.",
        ));
    }
    Ok(ids)
}

/// A UPN, lower-cased, and its domain.
/// A user's sign-in name, lower-cased, with its domain.
pub fn upn_shape(field: &str, raw: &str) -> Result<(String, String), ValidationError> {
    let upn = raw.trim().to_lowercase();
    let invalid = || {
        ValidationError::new(
            field,
            format!("{raw:?} is not a UPN; give the user's sign-in name, like grace@contoso.com."),
        )
    };
    let (local, domain_part) = upn.rsplit_once('@').ok_or_else(invalid)?;
    if local.is_empty()
        || upn.len() > 254
        || upn.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(invalid());
    }
    let domain_part = domain(field, domain_part).map_err(|_| invalid())?;
    Ok((upn.clone(), domain_part))
}

/// The first Global admin's UPN, lower-cased; it must be on one of the organisation's domains,
/// so that only a user of that organisation can ever claim the role.
pub fn admin_upn(raw: &str, domains: &[String]) -> Result<String, ValidationError> {
    let (upn, domain) = upn_shape("global-admin", raw)?;
    if !domains.contains(&domain) {
        return Err(ValidationError::new(
            "global-admin",
            format!(
                "{upn} is not on a domain of the organisation ({}); name one of its own users, or add the domain with --domain.",
                domains.join(", ")
            ),
        ));
    }
    Ok(upn)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> OrganisationDraft {
        OrganisationDraft {
            name: " Tailspin Toys ".into(),
            domains: vec!["TailspinToys.com.".into(), "tailspintoys.com".into()],
            issuer: "https://login.microsoftonline.com/0b4f5b1e-2f0a-4a8e-9d7c-3e1f2a6b9c01/v2.0"
                .into(),
            client_id: "6731de76-14a6-49ae-97bc-6eba6914391e".into(),
            client_secret: ClientSecret::File("/etc/rooms/tailspin.secret".into()),
            tenant_ids: vec![
                "0b4f5b1e-2f0a-4a8e-9d7c-3e1f2a6b9c01".into(),
                "0B4F5B1E-2F0A-4A8E-9D7C-3E1F2A6B9C01".into(),
            ],
            manages_customers: false,
            global_admin: Some("Kim@TailspinToys.com".into()),
        }
    }

    fn field_of<T>(result: Result<T, ValidationError>) -> String {
        result.err().map(|e| e.field).unwrap_or_default()
    }

    #[test]
    fn a_draft_is_normalised() {
        let valid = draft().validate().map(|v| v.get().clone());
        let valid = valid.as_ref().ok();
        assert_eq!(valid.map(|v| v.name.as_str()), Some("Tailspin Toys"));
        assert_eq!(
            valid.map(|v| v.domains.clone()),
            Some(vec!["tailspintoys.com".to_owned()])
        );
        assert_eq!(valid.map(|v| v.tenant_ids.len()), Some(1));
        assert_eq!(
            valid.and_then(|v| v.global_admin.clone()),
            Some("kim@tailspintoys.com".to_owned())
        );
    }

    #[test]
    fn each_bad_value_names_its_flag() {
        let cases: Vec<(OrganisationDraft, &str)> = vec![
            (
                OrganisationDraft {
                    name: " ".into(),
                    ..draft()
                },
                "name",
            ),
            (
                OrganisationDraft {
                    domains: vec![],
                    ..draft()
                },
                "domain",
            ),
            (
                OrganisationDraft {
                    domains: vec!["localhost".into()],
                    ..draft()
                },
                "domain",
            ),
            (
                OrganisationDraft {
                    issuer: "http://login.example.com".into(),
                    ..draft()
                },
                "issuer",
            ),
            (
                OrganisationDraft {
                    client_id: "two words".into(),
                    ..draft()
                },
                "client-id",
            ),
            (
                OrganisationDraft {
                    client_secret: ClientSecret::File("secret.txt".into()),
                    ..draft()
                },
                "client-secret-file",
            ),
            (
                OrganisationDraft {
                    client_secret: ClientSecret::Env("1BAD".into()),
                    ..draft()
                },
                "client-secret-env",
            ),
            (
                OrganisationDraft {
                    client_secret: ClientSecret::Stored("\n".into()),
                    ..draft()
                },
                "client-secret-stdin",
            ),
            (
                OrganisationDraft {
                    tenant_ids: vec!["a b".into()],
                    ..draft()
                },
                "tenant-id",
            ),
            (
                OrganisationDraft {
                    global_admin: Some("kim@contoso.com".into()),
                    ..draft()
                },
                "global-admin",
            ),
        ];
        for (bad, field) in cases {
            assert_eq!(field_of(bad.clone().validate()), field, "{bad:?}");
        }
    }

    #[test]
    fn domains_are_dns_names() {
        assert_eq!(
            domain("domain", " Contoso.CO.UK ").ok().as_deref(),
            Some("contoso.co.uk")
        );
        assert_eq!(
            domain("domain", "xn--bcher-kva.example").ok().as_deref(),
            Some("xn--bcher-kva.example")
        );
        for bad in [
            "",
            "contoso",
            "-contoso.com",
            "contoso-.com",
            "con toso.com",
            "contoso..com",
            "10.0.0.1",
            "bücher.example",
            "a@contoso.com",
        ] {
            assert!(domain("domain", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn issuers_are_https_or_loopback_and_kept_byte_for_byte() {
        for good in [
            "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0",
            "https://tenant.eu.auth0.com/",
            "http://127.0.0.1:4013",
            "http://localhost:8080/realms/rooms",
            "http://[::1]:4013",
        ] {
            assert_eq!(issuer("issuer", good).ok().as_deref(), Some(good));
        }
        for bad in [
            "",
            "login.microsoftonline.com",
            "http://login.microsoftonline.com/x/v2.0",
            "http://127.0.0.1.evil.example",
            "https://",
            "https://idp.example/?x=1",
            "https://idp.example/#a",
            "https://user@idp.example",
            "ftp://idp.example",
        ] {
            assert!(issuer("issuer", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn an_empty_change_or_a_domain_added_and_removed_is_refused() {
        assert_eq!(field_of(OrganisationChange::default().validate()), "");
        let both = OrganisationChange {
            add_domains: vec!["a.example".into()],
            remove_domains: vec!["A.example".into()],
            ..OrganisationChange::default()
        };
        assert_eq!(field_of(both.validate()), "remove-domain");
    }

    #[test]
    fn secret_references_round_trip_and_stored_secrets_never_print() {
        for secret in [
            ClientSecret::File("/run/secrets/x".into()),
            ClientSecret::Env("ROOMS_X".into()),
        ] {
            let reference = secret.reference().unwrap_or_default();
            assert_eq!(ClientSecret::from_reference(&reference), Some(secret));
        }
        assert_eq!(ClientSecret::Stored("s3cret".into()).reference(), None);
        assert!(!format!("{:?}", ClientSecret::Stored("s3cret".into())).contains("s3cret"));
    }
}
