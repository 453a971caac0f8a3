//! Wire types of rooms, room groups, update rings and service settings, with their validation.
//! Services accept only [`Valid`] input, which only `validate` makes.

use super::access::GroupRule;
use super::authz::Permission;
use super::ids::{RoomGroupId, RoomId, UpdateRingId};
use super::validation::{name, Valid, ValidationError};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use strum::{EnumIter, IntoEnumIterator};
// Named by the `DeriveActiveEnum` expansions below.
#[cfg(feature = "ssr")]
use sea_orm::sea_query::StringLen;

macro_rules! stored_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $key:literal / $label:literal),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, EnumIter)]
        #[cfg_attr(feature = "ssr", derive(sea_orm::DeriveActiveEnum))]
        #[cfg_attr(feature = "ssr", sea_orm(rs_type = "String", db_type = "String(StringLen::N(20))"))]
        pub enum $name {
            $(
                #[cfg_attr(feature = "ssr", sea_orm(string_value = $key))]
                $variant,
            )*
        }

        impl $name {
            /// The stable identifier (stored, and used in forms and the agent API).
            pub fn key(self) -> &'static str {
                match self { $($name::$variant => $key,)* }
            }
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label,)* }
            }
            pub fn from_key(key: &str) -> Option<Self> {
                $name::iter().find(|v| v.key() == key)
            }
        }
    };
}

pub(crate) use stored_enum;

stored_enum!(
    /// The device platform of a room.
    Platform {
        Windows = "windows" / "Teams Rooms on Windows",
        Android = "android" / "Teams Rooms on Android",
        SurfaceHub = "surface_hub" / "Surface Hub",
    }
);

stored_enum!(
    Enrollment {
        Enrolled = "enrolled" / "Enrolled",
        Unenrolled = "unenrolled" / "Unenrolled",
    }
);

stored_enum!(
    Health {
        Healthy = "healthy" / "Healthy",
        Warning = "warning" / "Warning",
        Unhealthy = "unhealthy" / "Unhealthy",
        Offline = "offline" / "Offline",
        Unknown = "unknown" / "Unknown",
    }
);

/// A room as lists show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomRow {
    pub id: RoomId,
    pub display_name: String,
    pub resource_account: String,
    pub site: String,
    pub city: String,
    pub country: String,
    pub platform: Platform,
    pub enrollment: Enrollment,
    pub health: Health,
    pub last_heartbeat: Option<DateTime<Utc>>,
    pub update_ring: Option<(UpdateRingId, String)>,
}

/// One room: its row, the room groups it is in (those the viewer may see) and what the viewer
/// may do to it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomDetail {
    pub room: RoomRow,
    pub groups: Vec<(RoomGroupId, String)>,
    pub your_permissions: Vec<Permission>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, EnumIter)]
pub enum RoomSort {
    #[default]
    Name,
    Country,
    Site,
    Health,
    LastHeartbeat,
}

impl RoomSort {
    /// The sort's name in an address.
    pub fn key(self) -> &'static str {
        match self {
            RoomSort::Name => "name",
            RoomSort::Country => "country",
            RoomSort::Site => "site",
            RoomSort::Health => "health",
            RoomSort::LastHeartbeat => "heartbeat",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            RoomSort::Name => "Name",
            RoomSort::Country => "Country/region",
            RoomSort::Site => "Site",
            RoomSort::Health => "Health",
            RoomSort::LastHeartbeat => "Last heartbeat",
        }
    }
}

/// Rooms of one update ring, or rooms in none.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RingFilter {
    Without,
    In(UpdateRingId),
}

/// The filters, sort and page of the rooms list. Empty filters match everything.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomQuery {
    pub search: String,
    pub country: Option<String>,
    pub site: Option<String>,
    pub platform: Option<Platform>,
    pub health: Option<Health>,
    pub enrollment: Option<Enrollment>,
    pub ring: Option<RingFilter>,
    pub sort: RoomSort,
    pub descending: bool,
    /// Zero-based.
    pub page: u64,
    /// Rooms a page, one of [`RoomQuery::PAGE_SIZES`]; the first when not chosen.
    #[serde(default)]
    pub per_page: Option<u64>,
}

impl RoomQuery {
    pub const PAGE_SIZE: u64 = 25;
    /// The page sizes offered.
    pub const PAGE_SIZES: [u64; 3] = [25, 50, 100];

    pub fn page_size(&self) -> u64 {
        self.per_page.unwrap_or(Self::PAGE_SIZE)
    }

    /// The query an address names (`?health=unhealthy&ring=none&sort=site&page=2`), and the
    /// open room (`open=`).
    pub fn from_params(get: impl Fn(&str) -> Option<String>) -> (Self, Option<RoomId>) {
        let ring = get("ring").and_then(|v| match v.as_str() {
            "none" => Some(RingFilter::Without),
            id => id.parse().ok().map(RingFilter::In),
        });
        let query = Self {
            search: get("q").unwrap_or_default(),
            country: get("country").filter(|v| !v.is_empty()),
            site: get("site").filter(|v| !v.is_empty()),
            platform: get("platform").and_then(|v| Platform::from_key(&v)),
            health: get("health").and_then(|v| Health::from_key(&v)),
            enrollment: get("enrollment").and_then(|v| Enrollment::from_key(&v)),
            ring,
            sort: get("sort")
                .and_then(|v| RoomSort::iter().find(|s| s.key() == v))
                .unwrap_or_default(),
            descending: get("order").as_deref() == Some("desc"),
            page: super::url::page(get("page")),
            per_page: get("per_page")
                .and_then(|v| v.parse().ok())
                .filter(|n| Self::PAGE_SIZES.contains(n) && *n != Self::PAGE_SIZE),
        };
        (query, get("open").and_then(|v| v.parse().ok()))
    }

    /// The address's query string for this query and the open room (`""` for neither).
    pub fn to_search(&self, open: Option<RoomId>) -> String {
        super::url::Search::default()
            .with("q", Some(self.search.clone()))
            .with("country", self.country.clone())
            .with("site", self.site.clone())
            .with("platform", self.platform.map(|v| v.key().to_owned()))
            .with("health", self.health.map(|v| v.key().to_owned()))
            .with("enrollment", self.enrollment.map(|v| v.key().to_owned()))
            .with(
                "ring",
                self.ring.map(|r| match r {
                    RingFilter::Without => "none".to_owned(),
                    RingFilter::In(id) => id.to_string(),
                }),
            )
            .with(
                "sort",
                (self.sort != RoomSort::Name).then(|| self.sort.key().to_owned()),
            )
            .with("order", self.descending.then(|| "desc".to_owned()))
            .with("page", super::url::page_param(self.page))
            .with("per_page", self.per_page.map(|n| n.to_string()))
            .with("open", open.map(|id| id.to_string()))
            .finish()
    }

    pub fn validate(mut self) -> Result<Valid<Self>, ValidationError> {
        self.search = super::validation::search_text("search", &self.search)?;
        super::validation::page(self.page)?;
        if self
            .per_page
            .is_some_and(|n| !Self::PAGE_SIZES.contains(&n))
        {
            return Err(ValidationError::new(
                "per_page",
                "Choose 25, 50 or 100 rooms a page.",
            ));
        }
        Ok(Valid(self))
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomPage {
    pub rows: Vec<RoomRow>,
    pub total: u64,
    pub page: u64,
    pub page_size: u64,
}

/// The values the filters offer: those of the rooms the viewer may see.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomFacets {
    pub countries: Vec<String>,
    pub sites: Vec<String>,
}

/// Create (pre-provision) or modify a room.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomInput {
    pub display_name: String,
    pub resource_account: String,
    pub site: String,
    pub city: String,
    pub country: String,
    pub platform: Option<Platform>,
}

impl RoomInput {
    /// The text fields a form shows, each with its own message (the platform's is the form's).
    pub const FIELDS: &'static [&'static str] = &[
        "display_name",
        "resource_account",
        "site",
        "city",
        "country",
    ];

    pub fn validate(self) -> Result<Valid<Self>, ValidationError> {
        let display_name = name("display_name", &self.display_name, 120, "the room")?;
        let resource_account = self.resource_account.trim().to_lowercase();
        let (local, domain) = resource_account.split_once('@').unwrap_or(("", ""));
        if local.is_empty()
            || !domain.contains('.')
            || resource_account.len() > 254
            || resource_account
                .chars()
                .any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(ValidationError::new(
                "resource_account",
                "Enter the room's resource account, like room1@contoso.com.",
            ));
        }
        let site = name("site", &self.site, 80, "the site or building")?;
        let city = name("city", &self.city, 80, "the city")?;
        let country = country_code(&self.country)?;
        let platform = self
            .platform
            .ok_or_else(|| ValidationError::new("platform", "Choose the room's platform."))?;
        Ok(Valid(Self {
            display_name,
            resource_account,
            site,
            city,
            country,
            platform: Some(platform),
        }))
    }
}

/// An ISO 3166-1 alpha-2 code, upper-cased.
pub fn country_code(raw: &str) -> Result<String, ValidationError> {
    let code = raw.trim().to_ascii_uppercase();
    if code.len() == 2 && code.chars().all(|c| c.is_ascii_uppercase()) {
        Ok(code)
    } else {
        Err(ValidationError::new(
            "country",
            "Enter a two-letter country/region code, like US or GB.",
        ))
    }
}

/// A room as pickers and member lists show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomRef {
    pub id: RoomId,
    pub display_name: String,
    pub site: String,
    pub country: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomGroupView {
    pub id: RoomGroupId,
    pub name: String,
    pub description: String,
    pub rule: Option<GroupRule>,
    /// Rooms in the group now, statically or by rule.
    pub room_count: u64,
}

/// A room group with the rooms in it that the viewer may see; `static_member` tells a room
/// added by hand from one the rule brings in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomGroupDetail {
    pub group: RoomGroupView,
    /// One page of the members the viewer may see that match the search, by name; whether
    /// each was added by hand (rather than by the rule).
    pub members: Vec<(RoomRef, bool)>,
    /// How many members match the search (all pages).
    pub matching: u64,
    pub page: u64,
    pub page_size: u64,
    /// Rooms in the group the viewer may not see.
    pub hidden_members: u64,
}

/// Which members of a room group its pane lists: a page of those whose name has `search`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberQuery {
    pub search: String,
    /// Zero-based.
    pub page: u64,
}

impl MemberQuery {
    pub const PAGE_SIZE: u64 = 20;

    pub fn validate(mut self) -> Result<Valid<Self>, ValidationError> {
        self.search = super::validation::search_text("search", &self.search)?;
        super::validation::page(self.page)?;
        Ok(Valid(self))
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomGroupInput {
    pub name: String,
    pub description: String,
    /// Empty for none.
    pub rule_country: String,
    /// Empty for none.
    pub rule_site: String,
}

impl RoomGroupInput {
    /// The fields a form shows, each with its own message.
    pub const FIELDS: &'static [&'static str] =
        &["name", "description", "rule_country", "rule_site"];

    pub fn validate(self) -> Result<Valid<Self>, ValidationError> {
        let name = name("name", &self.name, 80, "the group")?;
        let description = description(&self.description)?;
        let rule_country = if self.rule_country.trim().is_empty() {
            String::new()
        } else {
            country_code(&self.rule_country)
                .map_err(|e| ValidationError::new("rule_country", e.message))?
        };
        let rule_site = self.rule_site.trim().to_owned();
        if rule_site.chars().count() > 80 || rule_site.chars().any(char::is_control) {
            return Err(ValidationError::new(
                "rule_site",
                "Enter a site name of at most 80 characters.",
            ));
        }
        Ok(Valid(Self {
            name,
            description,
            rule_country,
            rule_site,
        }))
    }
}

impl Valid<RoomGroupInput> {
    pub fn rule(&self) -> Option<GroupRule> {
        let country = (!self.0.rule_country.is_empty()).then(|| self.0.rule_country.clone());
        let site = (!self.0.rule_site.is_empty()).then(|| self.0.rule_site.clone());
        (country.is_some() || site.is_some()).then_some(GroupRule { country, site })
    }
}

/// An optional description: trimmed, at most 500 characters.
pub fn description(raw: &str) -> Result<String, ValidationError> {
    let text = raw.trim();
    if text.chars().count() > 500 {
        return Err(ValidationError::new(
            "description",
            "Use at most 500 characters.",
        ));
    }
    Ok(text.to_owned())
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateRingView {
    pub id: UpdateRingId,
    pub name: String,
    pub deferral_days: u32,
    /// Rooms in the ring the viewer may see.
    pub room_count: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateRingInput {
    pub name: String,
    pub deferral_days: String,
}

impl UpdateRingInput {
    pub const MAX_DEFERRAL_DAYS: u32 = 90;

    pub fn validate(self) -> Result<Valid<(String, u32)>, ValidationError> {
        let name = name("name", &self.name, 80, "the update ring")?;
        let days = self
            .deferral_days
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|d| *d <= Self::MAX_DEFERRAL_DAYS)
            .ok_or_else(|| {
                ValidationError::new(
                    "deferral_days",
                    format!(
                        "Enter a whole number of days from 0 to {}.",
                        Self::MAX_DEFERRAL_DAYS
                    ),
                )
            })?;
        Ok(Valid((name, days)))
    }
}

/// The organisation's service settings (*Settings > General*).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceSettings {
    /// Where notifications go; empty for none.
    pub notification_email: String,
    /// Daily maintenance window start, "HH:MM" UTC.
    pub maintenance_start: String,
    pub maintenance_hours: u32,
    /// Minutes without a heartbeat before a room counts as offline.
    pub offline_after_minutes: u32,
}

impl Default for ServiceSettings {
    fn default() -> Self {
        Self {
            notification_email: String::new(),
            maintenance_start: "02:00".into(),
            maintenance_hours: 2,
            offline_after_minutes: 10,
        }
    }
}

impl ServiceSettings {
    pub fn validate(self) -> Result<Valid<Self>, ValidationError> {
        let email = self.notification_email.trim().to_owned();
        if !email.is_empty() {
            let ok = email
                .rsplit_once('@')
                .is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !d.ends_with('.'))
                && email.len() <= 254
                && !email.chars().any(|c| c.is_whitespace() || c.is_control());
            if !ok {
                return Err(ValidationError::new(
                    "notification_email",
                    "Enter an e-mail address, like rooms-team@contoso.com, or leave it empty.",
                ));
            }
        }
        let start = self.maintenance_start.trim().to_owned();
        // Exactly two digits each side: `u32::parse` alone takes "+1" and "+5".
        let two_digits = |s: &str| s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit());
        let valid_time = start
            .split_once(':')
            .filter(|(h, m)| two_digits(h) && two_digits(m))
            .and_then(|(h, m)| Some((h.parse::<u32>().ok()?, m.parse::<u32>().ok()?)))
            .is_some_and(|(h, m)| h < 24 && m < 60);
        if !valid_time {
            return Err(ValidationError::new(
                "maintenance_start",
                "Enter a time as HH:MM, like 02:00.",
            ));
        }
        if !(1..=12).contains(&self.maintenance_hours) {
            return Err(ValidationError::new(
                "maintenance_hours",
                "Choose a window of 1 to 12 hours.",
            ));
        }
        if !(2..=1440).contains(&self.offline_after_minutes) {
            return Err(ValidationError::new(
                "offline_after_minutes",
                "Enter 2 to 1440 minutes.",
            ));
        }
        Ok(Valid(Self {
            notification_email: email,
            maintenance_start: start,
            ..self
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from_search(search: &str) -> (RoomQuery, Option<RoomId>) {
        let pairs: Vec<(String, String)> = search
            .trim_start_matches('?')
            .split('&')
            .filter(|kv| !kv.is_empty())
            .map(|kv| {
                let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
                (k.to_owned(), v.replace("%20", " "))
            })
            .collect();
        RoomQuery::from_params(|k| {
            pairs
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.clone())
        })
    }

    #[test]
    fn the_rooms_address_holds_filters_sort_page_and_the_open_room() {
        let ring = UpdateRingId(uuid::Uuid::from_u128(9));
        let open = RoomId(uuid::Uuid::from_u128(3));
        for query in [
            RoomQuery::default(),
            RoomQuery {
                search: "harbour 6".into(),
                country: Some("US".into()),
                site: Some("Harbour".into()),
                platform: Some(Platform::Android),
                health: Some(Health::Offline),
                enrollment: Some(Enrollment::Unenrolled),
                ring: Some(RingFilter::Without),
                sort: RoomSort::LastHeartbeat,
                descending: true,
                page: 3,
                per_page: Some(100),
            },
            RoomQuery {
                ring: Some(RingFilter::In(ring)),
                ..RoomQuery::default()
            },
        ] {
            let search = query.to_search(Some(open));
            assert_eq!(
                from_search(&search),
                (query.clone(), Some(open)),
                "{search}"
            );
        }
        assert_eq!(RoomQuery::default().to_search(None), "");
        // A page size the list does not offer is refused, not served (a page of a million).
        let huge = RoomQuery {
            per_page: Some(1_000_000),
            ..RoomQuery::default()
        };
        assert_eq!(
            huge.validate().map(|_| ()).map_err(|e| e.field),
            Err("per_page".into())
        );
        // What the address names but the list does not know is left out, not refused.
        assert_eq!(
            from_search("?health=purple&sort=colour&page=-2&ring=some&per_page=7&open=x"),
            (RoomQuery::default(), None)
        );
    }

    #[test]
    fn room_input_is_normalised_and_checked_field_by_field() {
        let ok = RoomInput {
            display_name: " Harbour 1 ".into(),
            resource_account: "Harbour1@Contoso.com".into(),
            site: "Harbour".into(),
            city: "Seattle".into(),
            country: "us".into(),
            platform: Some(Platform::Windows),
        }
        .validate()
        .map(|v| v.get().clone());
        let ok = ok.as_ref().map(|r| {
            (
                r.display_name.as_str(),
                r.resource_account.as_str(),
                r.country.as_str(),
            )
        });
        assert_eq!(ok, Ok(("Harbour 1", "harbour1@contoso.com", "US")));
        let field = |input: RoomInput| input.validate().err().map(|e| e.field);
        let base = RoomInput {
            display_name: "R".into(),
            resource_account: "r@contoso.com".into(),
            site: "S".into(),
            city: "C".into(),
            country: "GB".into(),
            platform: Some(Platform::Android),
        };
        assert_eq!(
            field(RoomInput {
                country: "USA".into(),
                ..base.clone()
            }),
            Some("country".into())
        );
        assert_eq!(
            field(RoomInput {
                resource_account: "room".into(),
                ..base.clone()
            }),
            Some("resource_account".into())
        );
        assert_eq!(
            field(RoomInput {
                platform: None,
                ..base.clone()
            }),
            Some("platform".into())
        );
        assert_eq!(
            field(RoomInput {
                display_name: " ".into(),
                ..base
            }),
            Some("display_name".into())
        );
    }

    #[test]
    fn settings_and_rings_refuse_out_of_range_values() {
        let base = ServiceSettings::default();
        assert!(base.clone().validate().is_ok());
        let bad = [
            ServiceSettings {
                maintenance_start: "24:00".into(),
                ..base.clone()
            },
            ServiceSettings {
                maintenance_start: "2:00".into(),
                ..base.clone()
            },
            ServiceSettings {
                maintenance_start: "+1:+5".into(),
                ..base.clone()
            },
            ServiceSettings {
                maintenance_start: "-0:05".into(),
                ..base.clone()
            },
            ServiceSettings {
                maintenance_hours: 0,
                ..base.clone()
            },
            ServiceSettings {
                offline_after_minutes: 1,
                ..base.clone()
            },
            ServiceSettings {
                notification_email: "ops".into(),
                ..base
            },
        ];
        for s in bad {
            assert!(s.clone().validate().is_err(), "{s:?}");
        }
        let ring = |d: &str| {
            UpdateRingInput {
                name: "Pilot".into(),
                deferral_days: d.into(),
            }
            .validate()
            .is_ok()
        };
        assert!(ring("0") && ring("90"));
        assert!(!ring("91") && !ring("-1") && !ring("x"));
    }
}
