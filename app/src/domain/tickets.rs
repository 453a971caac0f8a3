//! Incidents as people work on them (specification section 2): every incident has a ticket with
//! a status, a priority, an assignee and a timeline; people with *Create customer incident*
//! raise incidents of their own. The Incidents page's filters, sort and keyset cursor.

use super::health::{Component, IncidentStatus, Severity};
use super::ids::{IncidentId, OrgId, RoomId, UserId};
use super::rooms::stored_enum;
use super::url::Search;
use super::validation::{is_hidden, Valid, ValidationError};
use chrono::{DateTime, NaiveDate, Utc};
#[cfg(feature = "ssr")]
use sea_orm::sea_query::StringLen;
use serde::{Deserialize, Serialize};
use strum::{EnumIter, IntoEnumIterator};

stored_enum!(
    TicketStatus {
        New = "new" / "New",
        InProgress = "in_progress" / "In progress",
        WaitingOnCustomer = "waiting_on_customer" / "Waiting on customer",
        Resolved = "resolved" / "Resolved",
        Closed = "closed" / "Closed",
    }
);

impl TicketStatus {
    /// Whether work on the ticket is over: a customer incident is resolved with it.
    pub fn is_done(self) -> bool {
        matches!(self, TicketStatus::Resolved | TicketStatus::Closed)
    }
}

stored_enum!(
    Priority {
        Urgent = "urgent" / "Urgent",
        High = "high" / "High",
        Normal = "normal" / "Normal",
        Low = "low" / "Low",
    }
);

impl Priority {
    /// A new ticket's priority, from its incident's severity.
    pub fn for_severity(severity: Severity) -> Self {
        match severity {
            Severity::Critical => Priority::Urgent,
            Severity::High => Priority::High,
            Severity::Medium => Priority::Normal,
            Severity::Low => Priority::Low,
        }
    }
}

stored_enum!(
    /// What a timeline entry records.
    TimelineKind {
        Opened = "opened" / "Opened",
        Comment = "comment" / "Comment",
        Status = "status" / "Status",
        Priority = "priority" / "Priority",
        Assignee = "assignee" / "Assignee",
        Resolved = "resolved" / "Incident resolved",
        Reopened = "reopened" / "Incident reopened",
    }
);

stored_enum!(
    /// The order of the Incidents page.
    IncidentSort {
        Newest = "newest" / "Newest first",
        Oldest = "oldest" / "Oldest first",
        Severity = "severity" / "Most severe first",
    }
);

/// A position in the list: the sort key of a row and its id, so the next page starts after it
/// whatever was added since (keyset paging).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    pub severity_rank: i16,
    pub opened_at: DateTime<Utc>,
    pub id: IncidentId,
}

impl Cursor {
    /// `rank.micros.uuid`: short enough for an address.
    pub fn encode(&self) -> String {
        format!(
            "{}.{}.{}",
            self.severity_rank,
            self.opened_at.timestamp_micros(),
            self.id.0
        )
    }

    pub fn decode(raw: &str) -> Result<Self, ValidationError> {
        let bad = || ValidationError::new("cursor", "This page of the list no longer exists.");
        let mut parts = raw.splitn(3, '.');
        let (Some(rank), Some(micros), Some(id)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(bad());
        };
        let severity_rank: i16 = rank.parse().map_err(|_| bad())?;
        let micros: i64 = micros.parse().map_err(|_| bad())?;
        let opened_at = DateTime::from_timestamp_micros(micros).ok_or_else(bad)?;
        let id = uuid::Uuid::parse_str(id).map_err(|_| bad())?;
        if !(0..=4).contains(&severity_rank) {
            return Err(bad());
        }
        Ok(Self {
            severity_rank,
            opened_at,
            id: IncidentId(id),
        })
    }
}

/// Which way a page goes from its cursor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PageFrom {
    First,
    After(Cursor),
    Before(Cursor),
}

/// The filters, sort and page of the Incidents page (and of the all-tickets view, which adds
/// the customer). Empty filters match everything; dates are inclusive UTC days of opening.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentQuery {
    pub status: Option<IncidentStatus>,
    pub ticket: Option<TicketStatus>,
    pub severity: Option<Severity>,
    pub category: Option<Component>,
    pub room: Option<RoomId>,
    pub text: String,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub customer: Option<OrgId>,
    pub sort: IncidentSort,
    pub page: PageFrom,
}

impl Default for IncidentQuery {
    fn default() -> Self {
        Self {
            status: None,
            ticket: None,
            severity: None,
            category: None,
            room: None,
            text: String::new(),
            from: None,
            to: None,
            customer: None,
            sort: IncidentSort::Newest,
            page: PageFrom::First,
        }
    }
}

impl IncidentQuery {
    pub const PAGE_SIZE: u64 = 50;

    pub fn validate(mut self) -> Result<Valid<Self>, ValidationError> {
        self.text = super::validation::search_text("text", &self.text)?;
        if let (Some(from), Some(to)) = (self.from, self.to) {
            if to < from {
                return Err(ValidationError::new(
                    "to",
                    "The end date is before the start date.",
                ));
            }
        }
        Ok(Valid(self))
    }
}

impl IncidentQuery {
    /// The query an address names (`?status=active&sort=severity&after=…`). The address is the
    /// user's to edit: a value it does not know is left out rather than refused.
    pub fn from_params(get: impl Fn(&str) -> Option<String>) -> Self {
        let date = |key: &str| super::url::day(get(key));
        let cursor = |key: &str| get(key).and_then(|v| Cursor::decode(&v).ok());
        let page = match (cursor("after"), cursor("before")) {
            (Some(c), _) => PageFrom::After(c),
            (None, Some(c)) => PageFrom::Before(c),
            (None, None) => PageFrom::First,
        };
        Self {
            status: get("status").and_then(|v| IncidentStatus::from_key(&v)),
            ticket: get("ticket").and_then(|v| TicketStatus::from_key(&v)),
            severity: get("severity").and_then(|v| Severity::from_key(&v)),
            category: get("category").and_then(|v| Component::from_key(&v)),
            room: get("room")
                .and_then(|v| v.parse::<uuid::Uuid>().ok())
                .map(RoomId),
            text: get("q").unwrap_or_default(),
            from: date("from"),
            to: date("to"),
            customer: get("customer")
                .and_then(|v| v.parse::<uuid::Uuid>().ok())
                .map(OrgId),
            sort: get("sort")
                .and_then(|v| IncidentSort::from_key(&v))
                .unwrap_or(IncidentSort::Newest),
            page,
        }
    }

    /// The address's query string for this query and the open incident (`""` for none).
    pub fn to_search(&self, open: Option<IncidentId>) -> String {
        let (after, before) = match self.page {
            PageFrom::First => (None, None),
            PageFrom::After(c) => (Some(c.encode()), None),
            PageFrom::Before(c) => (None, Some(c.encode())),
        };
        Search::default()
            .with("status", self.status.map(|v| v.key().to_owned()))
            .with("ticket", self.ticket.map(|v| v.key().to_owned()))
            .with("severity", self.severity.map(|v| v.key().to_owned()))
            .with("category", self.category.map(|v| v.key().to_owned()))
            .with("room", self.room.map(|v| v.0.to_string()))
            .with("q", Some(self.text.clone()))
            .with("from", self.from.map(|d| d.to_string()))
            .with("to", self.to.map(|d| d.to_string()))
            .with("customer", self.customer.map(|v| v.0.to_string()))
            .with(
                "sort",
                (self.sort != IncidentSort::Newest).then(|| self.sort.key().to_owned()),
            )
            .with("after", after)
            .with("before", before)
            .with("open", open.map(|id| id.0.to_string()))
            .finish()
    }

    /// The same filters from the first page: any change of filter or sort starts over.
    pub fn restarted(mut self) -> Self {
        self.page = PageFrom::First;
        self
    }
}

/// An incident with its ticket, as lists show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentRow {
    pub id: IncidentId,
    /// The customer, in the all-tickets view.
    pub customer: Option<(OrgId, String)>,
    pub room: RoomId,
    pub room_name: String,
    pub category: Component,
    pub severity: Severity,
    pub status: IncidentStatus,
    pub title: String,
    pub opened_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub ticket: TicketStatus,
    pub priority: Priority,
    pub assignee: Option<String>,
    pub cursor: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentPage {
    pub rows: Vec<IncidentRow>,
    /// Cursors of the pages before and after, when there are any.
    pub previous: Option<String>,
    pub next: Option<String>,
}

/// One entry of a ticket's timeline, with its author and the author's organisation as they
/// were named when they wrote it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineEntry {
    pub at: DateTime<Utc>,
    pub kind: TimelineKind,
    pub author: String,
    pub author_org: String,
    pub body: String,
}

/// Someone a ticket can be assigned to: a user, of the customer or of a partner, who may
/// update it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignee {
    pub user: UserId,
    pub org: OrgId,
    pub name: String,
    pub upn: String,
    pub org_name: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketDetail {
    pub row: IncidentRow,
    pub timeline: Vec<TimelineEntry>,
    pub may_update: bool,
    pub assignee: Option<(UserId, OrgId)>,
}

/// One change to a ticket.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TicketChange {
    Status(TicketStatus),
    Priority(Priority),
    Assign(Option<(UserId, OrgId)>),
    Comment(String),
}

/// Longest comment or description kept.
pub const MAX_COMMENT: usize = 4000;

impl TicketChange {
    pub fn validate(self) -> Result<Valid<Self>, ValidationError> {
        if let TicketChange::Comment(text) = &self {
            let text = comment("comment", text)?;
            return Ok(Valid(TicketChange::Comment(text)));
        }
        Ok(Valid(self))
    }
}

fn comment(field: &str, raw: &str) -> Result<String, ValidationError> {
    let text = raw.trim();
    if text.is_empty() {
        return Err(ValidationError::new(field, "Write something first."));
    }
    if text.chars().count() > MAX_COMMENT {
        return Err(ValidationError::new(
            field,
            format!("Use at most {MAX_COMMENT} characters."),
        ));
    }
    if text.chars().any(|c| c != '\n' && is_hidden(c)) {
        return Err(ValidationError::new(
            field,
            "Use letters, digits and punctuation only.",
        ));
    }
    Ok(text.to_owned())
}

/// A customer incident as a person raises it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerIncidentInput {
    pub room: RoomId,
    pub title: String,
    pub severity: Severity,
    pub description: String,
}

impl CustomerIncidentInput {
    pub const MAX_TITLE: usize = 200;

    pub fn validate(mut self) -> Result<Valid<Self>, ValidationError> {
        self.title =
            super::validation::name("title", &self.title, Self::MAX_TITLE, "the incident")?;
        self.description = comment("description", &self.description)?;
        Ok(Valid(self))
    }
}

/// The categories the filter offers.
pub fn categories() -> impl Iterator<Item = Component> {
    Component::iter()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_reads_back_what_it_wrote_and_refuses_anything_else() {
        let cursor = Cursor {
            severity_rank: 3,
            opened_at: DateTime::from_timestamp_micros(1_764_000_000_123_456).unwrap(),
            id: IncidentId(uuid::Uuid::from_u128(7)),
        };
        assert_eq!(Cursor::decode(&cursor.encode()), Ok(cursor));
        for bad in [
            "",
            "3",
            "3.1",
            "x.1.00000000-0000-0000-0000-000000000007",
            "3.y.00000000-0000-0000-0000-000000000007",
            "3.1.not-a-uuid",
            "9.1.00000000-0000-0000-0000-000000000007",
            "3.99999999999999999999.00000000-0000-0000-0000-000000000007",
        ] {
            assert!(Cursor::decode(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_address_carries_the_query_and_ignores_what_it_does_not_know() {
        let query = IncidentQuery {
            status: Some(IncidentStatus::Active),
            severity: Some(Severity::High),
            text: "camera & co".into(),
            from: NaiveDate::from_ymd_opt(2026, 11, 1),
            sort: IncidentSort::Severity,
            page: PageFrom::After(Cursor {
                severity_rank: 3,
                opened_at: DateTime::from_timestamp_micros(1_764_000_000_000_000).unwrap(),
                id: IncidentId(uuid::Uuid::from_u128(9)),
            }),
            ..IncidentQuery::default()
        };
        let open = Some(IncidentId(uuid::Uuid::from_u128(5)));
        let search = query.to_search(open);
        assert!(search.contains("q=camera%20%26%20co"), "{search}");
        let params: Vec<(String, String)> = search
            .trim_start_matches('?')
            .split('&')
            .map(|kv| {
                let (k, v) = kv.split_once('=').unwrap();
                let v = v.replace("%20", " ").replace("%26", "&");
                (k.to_owned(), v)
            })
            .collect();
        let get = |key: &str| {
            params
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
        };
        assert_eq!(IncidentQuery::from_params(get), query);
        assert_eq!(IncidentQuery::default().to_search(None), "");

        let junk = |key: &str| match key {
            "status" => Some("exploded".to_owned()),
            "sort" => Some("random".to_owned()),
            "after" => Some("9.9.9".to_owned()),
            "from" => Some("2026-13-45".to_owned()),
            _ => None,
        };
        assert_eq!(IncidentQuery::from_params(junk), IncidentQuery::default());
    }

    #[test]
    fn comments_are_trimmed_and_bounded() {
        let ok = TicketChange::Comment("  Replaced the cable.\nWorks.  ".into()).validate();
        assert_eq!(
            ok.map(|v| v.get().clone()),
            Ok(TicketChange::Comment("Replaced the cable.\nWorks.".into()))
        );
        for bad in ["   ", "\u{202E}evil", &"x".repeat(MAX_COMMENT + 1)] {
            assert!(TicketChange::Comment(bad.into()).validate().is_err());
        }
    }

    #[test]
    fn an_end_date_before_the_start_is_refused() {
        let day = |d| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
        let query = IncidentQuery {
            from: Some(day(20)),
            to: Some(day(10)),
            ..IncidentQuery::default()
        };
        assert_eq!(query.validate().err().map(|e| e.field), Some("to".into()));
    }
}
