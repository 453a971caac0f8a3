//! Identifier newtypes. A `UserId` can never be passed where an `OrgId` is expected, and with the
//! `ssr` feature each one is a SeaORM column type as it is.

use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};
use uuid::Uuid;

macro_rules! id_type {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "ssr", derive(sea_orm::DeriveValueType))]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A fresh random identifier (v4).
            pub fn new() -> Self {
                Self(Uuid::new_v4())
            }
        }

        // SeaORM asks primary keys to convert from an auto-increment value; UUIDs never do.
        #[cfg(feature = "ssr")]
        impl sea_orm::TryFromU64 for $name {
            fn try_from_u64(_: u64) -> Result<Self, sea_orm::DbErr> {
                Err(sea_orm::DbErr::ConvertFromU64(stringify!($name)))
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    )*};
}

id_type!(
    /// An organisation (tenant).
    OrgId,
    /// A user of exactly one home organisation.
    UserId,
    /// A security group of an organisation.
    GroupId,
    /// A row granting an organisation role (Global admin, MSA, Tenant manager) to a user or group.
    OrgRoleAssignmentId,
    /// A meeting room.
    RoomId,
    /// A room group ("All US rooms").
    RoomGroupId,
    /// An update ring of an organisation.
    UpdateRingId,
    /// A role of *Settings > Roles*, built-in or custom.
    RoleId,
    /// One assignment of a role: members over a scope.
    RoleAssignmentId,
    /// An entry of the audit log.
    AuditEntryId,
    /// An incident of a room: a component that turned bad, or the room falling silent.
    IncidentId,
    /// An entry of a ticket's timeline.
    TicketEventId,
    /// A partner relationship (an invitation until the partner accepts it), owned by the customer.
    RelationshipId,
    /// A partner's change held for the customer's approval.
    ChangeRequestId,
);
