//! The overview, where a person starts: what they hold and over which rooms, their rooms by
//! health and enrollment, and for administrators the attempts refused lately. Each figure is a
//! link to the list it counts.

use super::audit::AuditEntryView;
use super::rooms::{Enrollment, Health};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// One thing the user holds in their organisation: an organisation role or a role assignment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holding {
    /// "Global admin", "Site Lead".
    pub role: String,
    /// The room groups and rooms of the assignment's scope by name; `None` for all rooms.
    pub scope: Option<Vec<String>>,
    /// The rooms it reaches today.
    pub rooms: u64,
    /// Whether it names the user (rather than only a group of theirs).
    pub direct: bool,
    /// The security groups it comes through.
    pub through: Vec<String>,
}

/// The rooms in the user's reach (Rooms: View).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomCounts {
    pub total: u64,
    /// Every health, in order, with its count (zeros too).
    pub by_health: Vec<(Health, u64)>,
    pub by_enrollment: Vec<(Enrollment, u64)>,
    pub without_ring: u64,
}

/// Refused attempts in the organisation's log, for those who may read it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refusals {
    /// How far back `total` counts: this many days, from `since` (UTC).
    pub days: u64,
    // Read without chrono's general parser, which only this field would bring into the
    // WebAssembly every first load fetches.
    #[serde(with = "super::time::iso_day")]
    pub since: NaiveDate,
    pub total: u64,
    /// The newest few.
    pub recent: Vec<AuditEntryView>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overview {
    pub holdings: Vec<Holding>,
    pub rooms: Option<RoomCounts>,
    pub refusals: Option<Refusals>,
}

impl Overview {
    /// How many days of refusals the overview counts.
    pub const REFUSAL_DAYS: u64 = 7;
    /// How many of them it lists.
    pub const RECENT_REFUSALS: u64 = 5;
}
