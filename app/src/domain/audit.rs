//! Wire types of the audit log (section 6 of the specification).

use super::ids::{AuditEntryId, OrgId, UserId};
use super::url::{self, Search};
use super::validation::ValidationError;
use chrono::{DateTime, Days, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// The CSV header of an export: exactly the columns of section 6.
pub const CSV_COLUMNS: [&str; 8] = [
    "activity.category",
    "activity.objectName",
    "activity.operation",
    "activity.resultStatus",
    "activity.tenantId",
    "creationTime",
    "user.userId",
    "user.userTenantId",
];

/// How long entries are kept, and how far back an export may reach.
pub const RETENTION_DAYS: u64 = 180;

pub const CATEGORIES: [&str; 10] = [
    "User",
    "Assignment",
    "PartnerInvitation",
    "Role",
    "Room",
    "RoomGroup",
    "UpdateRing",
    "Ticket",
    "Settings",
    "Partner",
];

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntryView {
    pub id: AuditEntryId,
    pub category: String,
    pub object_name: String,
    pub operation: String,
    pub result_status: String,
    pub tenant_id: OrgId,
    // Read without chrono's general parser: the overview's refusals bring this type into the
    // WebAssembly every first load fetches.
    #[serde(with = "super::time::rfc3339")]
    pub created_at: DateTime<Utc>,
    pub user_id: UserId,
    pub user_tenant_id: OrgId,
    /// The acting user's name, as it was when they acted (a partner's user too).
    pub user_name: Option<String>,
    /// The acting user's organisation's name, as it was when they acted.
    pub user_org_name: String,
    /// The acting user's UPN, as it was when they acted (empty for the portal's own entries).
    pub user_upn: String,
}

/// Filters of the on-screen list, which the export uses too; dates are inclusive UTC days.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditQuery {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub category: Option<String>,
    pub result_status: Option<String>,
    /// Only what users of this organisation (a partner) did.
    #[serde(default)]
    pub actor_org: Option<OrgId>,
    /// Text in the user's name, UPN or organisation, or the object's name.
    #[serde(default)]
    pub text: String,
    pub page: u64,
}

impl AuditQuery {
    pub const PAGE_SIZE: u64 = 50;

    /// The page within reach, dates in order, and filters of sensible length (they are
    /// compared as typed).
    pub fn validate(mut self) -> Result<super::validation::Valid<Self>, ValidationError> {
        super::validation::page(self.page)?;
        for (field, value) in [
            ("category", &self.category),
            ("result_status", &self.result_status),
        ] {
            if value.as_ref().is_some_and(|v| v.chars().count() > 40) {
                return Err(ValidationError::new(field, "Choose a value from the list."));
            }
        }
        self.text = super::validation::search_text("text", &self.text)?;
        if let (Some(from), Some(to)) = (self.from, self.to) {
            if to < from {
                return Err(ValidationError::new("to", END_BEFORE_START));
            }
        }
        Ok(super::validation::Valid(self))
    }

    /// The query an address names (`?from=…&category=Role&q=grace&page=2`).
    pub fn from_params(get: impl Fn(&str) -> Option<String>) -> Self {
        let listed = |key: &str, values: &[&str]| get(key).filter(|v| values.contains(&v.as_str()));
        Self {
            from: url::day(get("from")),
            to: url::day(get("to")),
            category: listed("category", &CATEGORIES),
            result_status: listed("result", &RESULTS),
            actor_org: get("by").and_then(|v| v.parse().ok()),
            text: get("q").unwrap_or_default(),
            page: url::page(get("page")),
        }
    }

    /// The filters added to a query string, without the page (the export's address has them).
    fn filters(&self, search: Search) -> Search {
        search
            .with("from", self.from.map(|d| d.to_string()))
            .with("to", self.to.map(|d| d.to_string()))
            .with("category", self.category.clone())
            .with("result", self.result_status.clone())
            .with("by", self.actor_org.map(|o| o.to_string()))
            .with("q", Some(self.text.clone()))
    }

    /// The address's query string for this query (`""` for none).
    pub fn to_search(&self) -> String {
        self.filters(Search::default())
            .with("page", url::page_param(self.page))
            .finish()
    }

    /// The export's address for what the list shows: the same filters, over the days chosen
    /// or, without them, the whole retention period. Refused as the server would refuse it,
    /// so the browser says why by the field instead of leaving for an error page.
    pub fn export_href(&self, org: OrgId, now: DateTime<Utc>) -> Result<String, ValidationError> {
        let today = now.date_naive();
        let from = self.from.unwrap_or_else(|| earliest(today));
        let to = self.to.unwrap_or(today);
        ExportRange::parse(&from.to_string(), &to.to_string(), now)?;
        let query = Self {
            from: Some(from),
            to: Some(to),
            ..self.clone()
        };
        let search = query.filters(Search::default().with("org", Some(org.to_string())));
        Ok(format!("/api/audit-log/export{}", search.finish()))
    }
}

/// Values of the result filter.
pub const RESULTS: [&str; 2] = ["Successful", "Failed"];

const END_BEFORE_START: &str = "The end date must not be before the start date.";

/// The first day entries are kept for.
pub fn earliest(today: NaiveDate) -> NaiveDate {
    today
        .checked_sub_days(Days::new(RETENTION_DAYS))
        .unwrap_or(today)
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    pub rows: Vec<AuditEntryView>,
    /// The other organisations (partners) whose users appear in the log, for the filter.
    pub other_orgs: Vec<(OrgId, String)>,
    pub total: u64,
    pub page: u64,
    pub page_size: u64,
}

/// A checked export range: `[start, end)` in UTC, inside the retention period.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExportRange {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl ExportRange {
    /// `from` and `to` are inclusive days (`YYYY-MM-DD`), at most 180 days back from `today`.
    pub fn parse(from: &str, to: &str, now: DateTime<Utc>) -> Result<Self, ValidationError> {
        let day = |field: &str, raw: &str| {
            super::time::parse_day(raw.trim())
                .ok_or_else(|| ValidationError::new(field, "Enter a date as YYYY-MM-DD."))
        };
        let from = day("from", from)?;
        let to = day("to", to)?;
        let today = now.date_naive();
        let earliest = earliest(today);
        if from > to {
            return Err(ValidationError::new("to", END_BEFORE_START));
        }
        if from < earliest {
            return Err(ValidationError::new(
                "from",
                format!(
                    "Choose a start date within the last {RETENTION_DAYS} days (from {earliest})."
                ),
            ));
        }
        if to > today {
            return Err(ValidationError::new(
                "to",
                "The end date cannot be in the future.",
            ));
        }
        let start = from.and_hms_opt(0, 0, 0).map(|d| d.and_utc());
        let end = to
            .checked_add_days(Days::new(1))
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|d| d.and_utc());
        match (start, end) {
            (Some(start), Some(end)) => Ok(Self { start, end }),
            _ => Err(ValidationError::new("from", "Enter a date as YYYY-MM-DD.")),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn export_ranges_stay_inside_the_retention_period() {
        let now = Utc
            .with_ymd_and_hms(2026, 11, 24, 15, 0, 0)
            .single()
            .unwrap_or_default();
        let ok = ExportRange::parse("2026-06-01", "2026-11-24", now);
        assert_eq!(
            ok.map(|r| (r.start.to_rfc3339(), r.end.to_rfc3339())),
            Ok((
                "2026-06-01T00:00:00+00:00".to_owned(),
                "2026-11-25T00:00:00+00:00".to_owned()
            ))
        );
        let field = |f: &str, t: &str| ExportRange::parse(f, t, now).err().map(|e| e.field);
        assert_eq!(field("2026-05-27", "2026-06-01"), Some("from".into()));
        assert_eq!(field("2026-11-20", "2026-11-25"), Some("to".into()));
        assert_eq!(field("2026-11-20", "2026-11-19"), Some("to".into()));
        assert_eq!(field("20-11-2026", "2026-11-19"), Some("from".into()));
    }

    #[test]
    fn the_address_holds_every_filter_and_the_page_and_drops_what_it_does_not_know() {
        let query = AuditQuery {
            from: NaiveDate::from_ymd_opt(2026, 11, 1),
            to: NaiveDate::from_ymd_opt(2026, 11, 20),
            category: Some("Role".into()),
            result_status: Some("Failed".into()),
            actor_org: Some(OrgId(uuid::Uuid::from_u128(7))),
            text: "pia & co".into(),
            page: 2,
        };
        let search = query.to_search();
        assert!(
            search.contains("q=pia%20%26%20co") && search.contains("page=3"),
            "{search}"
        );
        let pairs: Vec<(String, String)> = search
            .trim_start_matches('?')
            .split('&')
            .map(|kv| {
                let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
                (
                    k.to_owned(),
                    v.replace("%20", " ")
                        .replace("%26", "&")
                        .replace("%3A", ":"),
                )
            })
            .collect();
        let get = |k: &str| {
            pairs
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.clone())
        };
        assert_eq!(AuditQuery::from_params(get), query);
        assert_eq!(AuditQuery::default().to_search(), "");

        let nonsense = [
            ("category", "Nope"),
            ("result", "Maybe"),
            ("from", "yesterday"),
            ("page", "-4"),
            ("by", "x"),
        ];
        let get = |k: &str| {
            nonsense
                .iter()
                .find(|(key, _)| *key == k)
                .map(|(_, v)| v.to_string())
        };
        assert_eq!(AuditQuery::from_params(get), AuditQuery::default());
    }

    #[test]
    fn the_export_link_keeps_the_filters_and_is_refused_as_the_server_would() {
        let now = Utc.with_ymd_and_hms(2026, 11, 25, 12, 0, 0).unwrap();
        let org = OrgId(uuid::Uuid::from_u128(1));
        let query = AuditQuery {
            category: Some("Room".into()),
            text: "grace".into(),
            page: 4,
            ..AuditQuery::default()
        };
        // Without dates: the whole retention period. The page is not the export's business.
        assert_eq!(
            query.export_href(org, now).unwrap(),
            format!("/api/audit-log/export?org={org}&from=2026-05-29&to=2026-11-25&category=Room&q=grace")
        );
        let backwards = AuditQuery {
            from: NaiveDate::from_ymd_opt(2026, 11, 20),
            to: NaiveDate::from_ymd_opt(2026, 11, 10),
            ..AuditQuery::default()
        };
        assert_eq!(backwards.export_href(org, now).unwrap_err().field, "to");
        assert_eq!(backwards.validate().unwrap_err().field, "to");
        let too_old = AuditQuery {
            from: NaiveDate::from_ymd_opt(2026, 1, 1),
            ..AuditQuery::default()
        };
        assert_eq!(too_old.export_href(org, now).unwrap_err().field, "from");
    }
}
