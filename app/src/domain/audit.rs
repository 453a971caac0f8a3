//! Wire types of the audit log (section 6 of the specification).

use super::ids::{AuditEntryId, OrgId, UserId};
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
    pub created_at: DateTime<Utc>,
    pub user_id: UserId,
    pub user_tenant_id: OrgId,
    /// The acting user's name, as it was when they acted (a partner's user too).
    pub user_name: Option<String>,
    /// The acting user's organisation's name, as it was when they acted.
    pub user_org_name: String,
}

/// Filters of the on-screen list; dates are inclusive UTC days.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditQuery {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub category: Option<String>,
    pub result_status: Option<String>,
    /// Only what users of this organisation (a partner) did.
    #[serde(default)]
    pub actor_org: Option<OrgId>,
    pub page: u64,
}

impl AuditQuery {
    pub const PAGE_SIZE: u64 = 50;

    /// The page within reach, and filters of sensible length (they are compared as typed).
    pub fn validate(self) -> Result<super::validation::Valid<Self>, ValidationError> {
        super::validation::page(self.page)?;
        for (field, value) in [
            ("category", &self.category),
            ("result_status", &self.result_status),
        ] {
            if value.as_ref().is_some_and(|v| v.chars().count() > 40) {
                return Err(ValidationError::new(field, "Choose a value from the list."));
            }
        }
        Ok(super::validation::Valid(self))
    }
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
            NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
                .map_err(|_| ValidationError::new(field, "Enter a date as YYYY-MM-DD."))
        };
        let from = day("from", from)?;
        let to = day("to", to)?;
        let today = now.date_naive();
        let earliest = today
            .checked_sub_days(Days::new(RETENTION_DAYS))
            .unwrap_or(today);
        if from > to {
            return Err(ValidationError::new(
                "to",
                "The end date must not be before the start date.",
            ));
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
}
