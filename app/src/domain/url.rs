//! Lists keep their filters, sort, page and open item in the address, so Reload, Back, a
//! bookmark and a link sent to a colleague show the same thing. The address is the user's to
//! edit: a value a list does not know is left out rather than refused.

use chrono::NaiveDate;

/// A query string being written: pairs in order, empty and absent values left out.
#[derive(Debug, Default)]
pub struct Search(Vec<(&'static str, String)>);

impl Search {
    pub fn with(mut self, key: &'static str, value: Option<String>) -> Self {
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            self.0.push((key, v));
        }
        self
    }

    /// `?k=v&…`, or `""` when nothing is set.
    pub fn finish(self) -> String {
        if self.0.is_empty() {
            return String::new();
        }
        let pairs: Vec<String> = self
            .0
            .into_iter()
            .map(|(k, v)| format!("{k}={}", encode_component(&v)))
            .collect();
        format!("?{}", pairs.join("&"))
    }
}

/// A `YYYY-MM-DD` day of the address, if it is one.
pub fn day(value: Option<String>) -> Option<NaiveDate> {
    value.and_then(|v| super::time::parse_day(&v))
}

/// The page of `?page=`, which counts from 1 for people; anything else is the first (0).
pub fn page(value: Option<String>) -> u64 {
    value
        .and_then(|v| v.parse::<u64>().ok())
        .map_or(0, |p| p.saturating_sub(1))
}

/// `?page=` for a page counted from 0: absent for the first.
pub fn page_param(page: u64) -> Option<String> {
    (page > 0).then(|| (page + 1).to_string())
}

/// Percent-encodes a query value (everything but unreserved characters).
pub fn encode_component(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_leaves_out_what_is_unset_and_encodes_the_rest() {
        assert_eq!(Search::default().with("q", None).finish(), "");
        assert_eq!(
            Search::default()
                .with("q", Some("a&b=c d".into()))
                .with("sort", Some(String::new()))
                .with("page", page_param(2))
                .finish(),
            "?q=a%26b%3Dc%20d&page=3"
        );
    }

    #[test]
    fn pages_count_from_one_in_the_address_and_nonsense_is_the_first() {
        for (raw, page_) in [("3", 2), ("1", 0), ("0", 0), ("-1", 0), ("x", 0), ("", 0)] {
            assert_eq!(page(Some(raw.into())), page_, "{raw}");
        }
        assert_eq!(page(page_param(4)), 4);
        assert_eq!(page_param(0), None);
    }
}
