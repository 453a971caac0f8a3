//! Reports (specification section 2): the health of the rooms in reach, incidents over time
//! per category, and each room's availability over a chosen period. The numbers, their
//! period and their CSV form; the page draws them.

use super::health::Component;
use super::ids::RoomId;
use super::rooms::Health;
use super::validation::{Valid, ValidationError};
use chrono::{DateTime, Days, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

/// Inclusive UTC days.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    /// Longest period a report covers: a quarter, day by day.
    pub const MAX_DAYS: u64 = 92;
    /// What the page shows first: the last seven days, today included.
    pub fn last_week(today: NaiveDate) -> Self {
        Self {
            from: today.checked_sub_days(Days::new(6)).unwrap_or(today),
            to: today,
        }
    }

    pub fn validate(self, today: NaiveDate) -> Result<Valid<Self>, ValidationError> {
        if self.to < self.from {
            return Err(ValidationError::new(
                "to",
                "The end date is before the start date.",
            ));
        }
        if self.to > today {
            return Err(ValidationError::new("to", "The end date is in the future."));
        }
        if self.days() > Self::MAX_DAYS {
            return Err(ValidationError::new(
                "from",
                format!("Choose at most {} days.", Self::MAX_DAYS),
            ));
        }
        Ok(Valid(self))
    }

    pub fn days(&self) -> u64 {
        (self.to - self.from).num_days().unsigned_abs() + 1
    }

    pub fn start(&self) -> DateTime<Utc> {
        self.from.and_time(NaiveTime::MIN).and_utc()
    }

    /// The moment after the last day (or `now`, if the period ends today).
    pub fn end(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        let after = self
            .to
            .checked_add_days(Days::new(1))
            .unwrap_or(self.to)
            .and_time(NaiveTime::MIN)
            .and_utc();
        after.min(now).max(self.start())
    }

    /// Every day of the period, in order.
    pub fn each_day(&self) -> impl Iterator<Item = NaiveDate> {
        let from = self.from;
        (0..self.days()).filter_map(move |d| from.checked_add_days(Days::new(d)))
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthCount {
    pub health: Health,
    pub rooms: u64,
}

/// Incidents of one category opened on one day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayCount {
    pub day: NaiveDate,
    pub category: Component,
    pub incidents: u64,
}

/// A room's time online over the period: the period less its offline incidents.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomAvailability {
    pub room: RoomId,
    pub name: String,
    pub offline_minutes: u64,
    /// Per mille of the period, so that it stays an integer (999 = 99.9 %).
    pub permille: u32,
}

impl RoomAvailability {
    pub fn percent(&self) -> String {
        format!("{}.{} %", self.permille / 10, self.permille % 10)
    }
}

/// Availability of a room offline for `offline_seconds` of a period of `period_seconds`.
pub fn permille(offline_seconds: i64, period_seconds: i64) -> u32 {
    if period_seconds <= 0 {
        return 1000;
    }
    let online = (period_seconds - offline_seconds.clamp(0, period_seconds)) as i128;
    // Rounded down: a room offline for a moment is not 100 %.
    ((online * 1000) / period_seconds as i128) as u32
}

/// Seconds of `[from, to)` covered by the union of `spans` (each `[start, end)`).
pub fn covered_seconds(
    mut spans: Vec<(DateTime<Utc>, DateTime<Utc>)>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> i64 {
    spans.sort();
    let mut total = 0;
    let mut reached = from;
    for (start, end) in spans {
        let start = start.max(reached);
        let end = end.min(to);
        if end > start {
            total += (end - start).num_seconds();
            reached = end;
        }
    }
    total
}

/// The three reports of one period, within the viewer's reach.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reports {
    pub period: Period,
    pub health: Vec<HealthCount>,
    pub incidents: Vec<DayCount>,
    /// Enrolled rooms in reach: those whose availability is known.
    pub enrolled: u64,
    /// Their average availability, per mille.
    pub average_permille: u32,
    /// The least available rooms first, at most [`Reports::WORST`].
    pub worst: Vec<RoomAvailability>,
}

impl Reports {
    pub const WORST: usize = 20;
}

/// The CSV downloads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReportKind {
    Health,
    Incidents,
    Availability,
}

impl ReportKind {
    pub fn key(self) -> &'static str {
        match self {
            ReportKind::Health => "health",
            ReportKind::Incidents => "incidents",
            ReportKind::Availability => "availability",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        [Self::Health, Self::Incidents, Self::Availability]
            .into_iter()
            .find(|k| k.key() == key)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        NaiveDate::from_ymd_opt(2026, 11, 20)
            .unwrap()
            .and_hms_opt(h, m, 0)
            .unwrap()
            .and_utc()
    }

    #[test]
    fn overlapping_offline_spans_count_once_and_only_inside_the_period() {
        let spans = vec![
            (at(1, 0), at(2, 0)),
            (at(1, 30), at(3, 0)),
            (at(10, 0), at(11, 0)),
            (at(23, 0), at(23, 59)),
        ];
        assert_eq!(
            covered_seconds(spans, at(0, 0), at(10, 30)),
            (2 * 60 + 30) * 60
        );
        assert_eq!(covered_seconds(vec![], at(0, 0), at(10, 0)), 0);
    }

    #[test]
    fn availability_is_rounded_down_and_bounded() {
        assert_eq!(permille(0, 86_400), 1000);
        assert_eq!(permille(1, 86_400), 999);
        assert_eq!(permille(86_400, 86_400), 0);
        assert_eq!(permille(100_000, 86_400), 0);
        assert_eq!(permille(43_200, 86_400), 500);
    }

    #[test]
    fn a_period_is_ordered_bounded_and_not_in_the_future() {
        let day = |d| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
        let today = day(26);
        assert!(Period {
            from: day(20),
            to: day(26)
        }
        .validate(today)
        .is_ok());
        assert!(Period {
            from: day(26),
            to: day(20)
        }
        .validate(today)
        .is_err());
        assert!(Period {
            from: day(20),
            to: day(27)
        }
        .validate(today)
        .is_err());
        let long = Period {
            from: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            to: today,
        };
        assert!(long.validate(today).is_err());
        assert_eq!(Period::last_week(today).days(), 7);
        assert_eq!(Period::last_week(today).each_day().count(), 7);
    }
}
