//! Times and days as the portal shows and reads them: UTC, `YYYY-MM-DD`, minutes.
//!
//! Written out by hand rather than with chrono's `format("%Y…")` and `parse_from_str`: those
//! take a format string apart at run time, and their parser and formatter were a few percent of
//! the WebAssembly that every first load fetches (issue 11). chrono still does the arithmetic.

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};

/// `2026-11-27`.
pub fn day(t: impl Datelike) -> String {
    format!("{:04}-{:02}-{:02}", t.year(), t.month(), t.day())
}

/// `2026-11-27 09:05`.
pub fn minute(t: DateTime<Utc>) -> String {
    format!("{} {:02}:{:02}", day(t), t.hour(), t.minute())
}

/// `2026-11-27 09:05 UTC`: a moment as the portal shows it where the time zone is not said
/// around it.
pub fn moment(t: DateTime<Utc>) -> String {
    format!("{} UTC", minute(t))
}

/// `2026-11-27 09:05:33`.
pub fn second(t: DateTime<Utc>) -> String {
    format!("{}:{:02}", minute(t), t.second())
}

/// `27 Nov`.
pub fn day_and_month(t: impl Datelike) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!("{:02} {}", t.day(), MONTHS[t.month0() as usize % 12])
}

/// A `YYYY-MM-DD` day (month and day may have one digit), or `None`.
pub fn parse_day(text: &str) -> Option<NaiveDate> {
    let mut parts = text.split('-');
    let mut number = |digits: std::ops::RangeInclusive<usize>| {
        parts
            .next()
            .filter(|p| digits.contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|p| p.parse::<u32>().ok())
    };
    let (year, month, day) = (number(4..=4)?, number(1..=2)?, number(1..=2)?);
    if parts.next().is_some() {
        return None;
    }
    NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)
}

/// Serde for a day as `YYYY-MM-DD`, the text chrono writes, read with [`parse_day`]:
/// `#[serde(with = "crate::domain::time::iso_day")]`.
pub mod iso_day {
    use chrono::NaiveDate;
    use serde::{de, Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(day: &NaiveDate, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&super::day(*day))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<NaiveDate, D::Error> {
        let text = std::borrow::Cow::<str>::deserialize(deserializer)?;
        super::parse_day(&text).ok_or_else(|| de::Error::custom("expected a day as YYYY-MM-DD"))
    }
}

/// Serde for a moment as chrono writes it (RFC 3339), read with chrono's RFC 3339 reader rather
/// than its general one: `#[serde(with = "crate::domain::time::rfc3339")]`.
pub mod rfc3339 {
    use chrono::{DateTime, Utc};
    use serde::{de, Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(t: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
        t.serialize(serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<DateTime<Utc>, D::Error> {
        let text = std::borrow::Cow::<str>::deserialize(deserializer)?;
        DateTime::parse_from_rfc3339(&text)
            .map(|t| t.with_timezone(&Utc))
            .map_err(de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn times_read_as_chrono_would_write_them() {
        let t = Utc.with_ymd_and_hms(2026, 3, 7, 9, 5, 3).single();
        let Some(t) = t else { panic!("a valid time") };
        assert_eq!(day(t), t.format("%Y-%m-%d").to_string());
        assert_eq!(minute(t), t.format("%Y-%m-%d %H:%M").to_string());
        assert_eq!(moment(t), t.format("%Y-%m-%d %H:%M UTC").to_string());
        assert_eq!(second(t), t.format("%Y-%m-%d %H:%M:%S").to_string());
        assert_eq!(day_and_month(t), t.format("%d %b").to_string());
    }

    #[test]
    fn a_day_is_read_as_chrono_reads_it_or_refused() {
        for text in ["2026-11-27", "2024-02-29", "2026-1-5"] {
            assert_eq!(
                parse_day(text),
                NaiveDate::parse_from_str(text, "%Y-%m-%d").ok(),
                "{text}"
            );
            assert!(parse_day(text).is_some(), "{text}");
        }
        for text in [
            "",
            "2026",
            "2026-11",
            "2026-13-01",
            "2025-02-29",
            "2026-11-27-1",
            "26-11-27",
            "2026-11-x",
            "+2026-1-1",
            "2026-011-01",
            " 2026-11-27",
        ] {
            assert_eq!(parse_day(text), None, "{text:?}");
        }
    }

    #[test]
    fn a_day_goes_through_serde_as_chrono_writes_it() {
        #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
        struct Held(#[serde(with = "iso_day")] NaiveDate);
        let d = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap_or_default();
        let json = serde_json::to_string(&Held(d)).unwrap_or_default();
        assert_eq!(json, serde_json::to_string(&d).unwrap_or_default());
        assert_eq!(serde_json::from_str::<Held>(&json).ok(), Some(Held(d)));
        assert!(serde_json::from_str::<Held>("\"2026-02-30\"").is_err());
    }

    #[test]
    fn a_moment_goes_through_serde_as_chrono_writes_it() {
        #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
        struct Held(#[serde(with = "rfc3339")] DateTime<Utc>);
        let t = Utc.with_ymd_and_hms(2026, 11, 27, 9, 5, 3).single();
        let Some(t) = t.and_then(|t| t.with_nanosecond(123_456_000)) else {
            panic!("a valid time")
        };
        let json = serde_json::to_string(&Held(t)).unwrap_or_default();
        assert_eq!(json, serde_json::to_string(&t).unwrap_or_default());
        assert_eq!(serde_json::from_str::<Held>(&json).ok(), Some(Held(t)));
        assert!(serde_json::from_str::<Held>("\"2026-11-27 09:05\"").is_err());
    }
}
