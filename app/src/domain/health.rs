//! Room health (specification sections 2 and 8): the component signals a device reports in its
//! heartbeats, the incidents they open and resolve, and the room's health that follows from its
//! open incidents. Pure rules here; the server applies them in one transaction per heartbeat.

use super::rooms::{stored_enum, Health};
use chrono::{DateTime, Utc};
#[cfg(feature = "ssr")]
use sea_orm::sea_query::StringLen;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use strum::{EnumIter, IntoEnumIterator};

stored_enum!(
    /// What a heartbeat reports on, and what an incident is about (its category): `Offline`,
    /// the room fell silent, and `Customer`, a person raised it; no device reports either.
    Component {
        Display = "display" / "Display",
        Camera = "camera" / "Camera",
        Microphone = "microphone" / "Microphone",
        Speaker = "speaker" / "Speaker",
        Network = "network" / "Network",
        SignIn = "sign_in" / "Sign-in",
        Software = "software" / "Software",
        Offline = "offline" / "Connectivity",
        Customer = "customer" / "Customer incident",
    }
);

stored_enum!(
    /// A component's state in a heartbeat.
    Signal {
        Ok = "ok" / "OK",
        Warning = "warning" / "Warning",
        Error = "error" / "Error",
    }
);

stored_enum!(
    /// Ordered from the most severe.
    Severity {
        Critical = "critical" / "Critical",
        High = "high" / "High",
        Medium = "medium" / "Medium",
        Low = "low" / "Low",
    }
);

stored_enum!(
    IncidentStatus {
        Active = "active" / "Active",
        Resolved = "resolved" / "Resolved",
    }
);

impl Component {
    /// Whether a device reports it (all but `Offline` and `Customer`).
    pub fn is_reported(self) -> bool {
        !matches!(self, Component::Offline | Component::Customer)
    }
}

/// The components a device reports.
pub fn reported() -> impl Iterator<Item = Component> {
    Component::iter().filter(|c| c.is_reported())
}

/// A heartbeat as the agent API accepts it: components it does not name keep their state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Heartbeat {
    pub sent_at: DateTime<Utc>,
    pub software_version: String,
    pub components: BTreeMap<Component, Signal>,
}

/// Longest software version kept.
pub const MAX_SOFTWARE_VERSION: usize = 100;

impl Heartbeat {
    /// Parses the agent's JSON fields; the message says what is wrong (the API's `400`).
    pub fn parse(
        sent_at: &str,
        software_version: &str,
        components: &BTreeMap<String, String>,
    ) -> Result<Self, String> {
        let sent_at = DateTime::parse_from_rfc3339(sent_at)
            .map_err(|_| "sent_at must be an RFC 3339 date and time".to_owned())?
            .with_timezone(&Utc);
        if software_version.chars().count() > MAX_SOFTWARE_VERSION {
            return Err(format!(
                "software_version is longer than {MAX_SOFTWARE_VERSION} characters"
            ));
        }
        let mut parsed = BTreeMap::new();
        for (name, value) in components {
            let component = Component::from_key(name)
                .filter(|c| c.is_reported())
                .ok_or_else(|| {
                    let known: Vec<&str> = reported().map(Component::key).collect();
                    format!("unknown component {name:?}; known: {}", known.join(", "))
                })?;
            let signal = Signal::from_key(value)
                .ok_or_else(|| format!("{name} must be ok, warning or error, not {value:?}"))?;
            parsed.insert(component, signal);
        }
        Ok(Self {
            sent_at,
            software_version: software_version.to_owned(),
            components: parsed,
        })
    }
}

impl Severity {
    /// Stored beside the severity so that "most severe first" is an index order.
    pub fn rank(self) -> i16 {
        match self {
            Severity::Critical => 4,
            Severity::High => 3,
            Severity::Medium => 2,
            Severity::Low => 1,
        }
    }
}

/// The incident a bad signal opens: its severity and title, or `None` for `Ok`. An error of a
/// component a meeting cannot do without (display, camera, microphone, speaker, network,
/// sign-in) is high; of the software, medium; warnings are low, except the network's (medium).
pub fn incident_for(component: Component, signal: Signal) -> Option<(Severity, String)> {
    let severity = match (signal, component) {
        (Signal::Ok, _) => return None,
        (_, Component::Offline) => Severity::Critical,
        (_, Component::Customer) => Severity::Medium,
        (Signal::Error, Component::Software) => Severity::Medium,
        (Signal::Error, _) => Severity::High,
        (Signal::Warning, Component::Network) => Severity::Medium,
        (Signal::Warning, _) => Severity::Low,
    };
    let title = match (component, signal) {
        (Component::Offline, _) => "Room is offline: no heartbeat".to_owned(),
        (Component::Customer, _) => "Reported by a person".to_owned(),
        (c, Signal::Error) => format!("{} failed", c.label()),
        (c, _) => format!("{} reports a warning", c.label()),
    };
    Some((severity, title))
}

/// A room's health from the severities of its open incidents: healthy without any, offline
/// while silent, unhealthy with a critical or high one, warning otherwise. Health is what the
/// devices report: incidents people raise (customer incidents) are tickets, not telemetry.
pub fn health_of(open: impl IntoIterator<Item = (Component, Severity)>) -> Health {
    let mut health = Health::Healthy;
    for (component, severity) in open {
        let this = match (component, severity) {
            (Component::Customer, _) => continue,
            (Component::Offline, _) => return Health::Offline,
            (_, Severity::Critical | Severity::High) => Health::Unhealthy,
            _ => Health::Warning,
        };
        if this == Health::Unhealthy || health == Health::Healthy {
            health = this;
        }
    }
    health
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bad_signal_opens_an_incident_and_ok_none() {
        for component in Component::iter() {
            assert_eq!(incident_for(component, Signal::Ok), None);
            for signal in [Signal::Warning, Signal::Error] {
                let title = incident_for(component, signal).map(|(_, t)| t);
                assert!(
                    title.is_some_and(|t| !t.is_empty()),
                    "{component:?} {signal:?}"
                );
            }
        }
    }

    #[test]
    fn health_follows_the_worst_open_incident() {
        use Component::*;
        assert_eq!(health_of([]), Health::Healthy);
        assert_eq!(health_of([(Network, Severity::Medium)]), Health::Warning);
        assert_eq!(
            health_of([(Network, Severity::Medium), (Camera, Severity::High)]),
            Health::Unhealthy
        );
        assert_eq!(
            health_of([(Camera, Severity::High), (Speaker, Severity::Low)]),
            Health::Unhealthy
        );
        assert_eq!(
            health_of([(Camera, Severity::High), (Offline, Severity::Critical)]),
            Health::Offline
        );
        assert_eq!(health_of([(Customer, Severity::Critical)]), Health::Healthy);
    }

    #[test]
    fn a_heartbeat_names_known_components_with_known_signals() {
        let components = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect()
        };
        let ok = Heartbeat::parse(
            "2026-11-26T10:00:00Z",
            "1.2.3",
            &components(&[("camera", "error"), ("sign_in", "ok")]),
        );
        assert_eq!(
            ok.map(|h| h.components.into_iter().collect::<Vec<_>>()),
            Ok(vec![
                (Component::Camera, Signal::Error),
                (Component::SignIn, Signal::Ok)
            ])
        );
        for (sent_at, pairs) in [
            ("yesterday", vec![("camera", "ok")]),
            ("2026-11-26T10:00:00Z", vec![("toaster", "ok")]),
            ("2026-11-26T10:00:00Z", vec![("offline", "error")]),
            ("2026-11-26T10:00:00Z", vec![("customer", "error")]),
            ("2026-11-26T10:00:00Z", vec![("camera", "broken")]),
        ] {
            assert!(Heartbeat::parse(sent_at, "1", &components(&pairs)).is_err());
        }
        assert!(
            Heartbeat::parse("2026-11-26T10:00:00Z", &"v".repeat(101), &components(&[])).is_err()
        );
    }
}
