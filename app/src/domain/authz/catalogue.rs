//! The permission catalogue of the specification (section 3), the built-in role matrix as data,
//! and the organisation roles.

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use strum::{EnumIter, IntoEnumIterator};
// Named by the `DeriveActiveEnum` expansion of `OrgRole`.
#[cfg(feature = "ssr")]
use sea_orm::sea_query::StringLen;

/// The permission catalogue, one variant per row of the specification's table. Stored by the
/// stable identifiers below (custom roles' permissions).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, EnumIter,
)]
#[cfg_attr(feature = "ssr", derive(sea_orm::DeriveActiveEnum))]
#[cfg_attr(
    feature = "ssr",
    sea_orm(rs_type = "String", db_type = "String(StringLen::N(40))")
)]
pub enum Permission {
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "rooms.view"))]
    RoomsView,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "rooms.modify"))]
    RoomsModify,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "rooms.reset_key"))]
    RoomsResetKey,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "rooms.download_key"))]
    RoomsDownloadKey,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "rooms.unenroll"))]
    RoomsUnenroll,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "rooms.create"))]
    RoomsCreate,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "groups.view"))]
    GroupsView,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "groups.modify"))]
    GroupsModify,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "groups.create"))]
    GroupsCreate,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "update_rings.view"))]
    UpdateRingsView,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "update_rings.modify"))]
    UpdateRingsModify,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "update_rings.create"))]
    UpdateRingsCreate,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "reports.view"))]
    ReportsView,
    #[cfg_attr(
        feature = "ssr",
        sea_orm(string_value = "reports.create_customer_incident")
    )]
    ReportsCreateCustomerIncident,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "tickets.view"))]
    TicketsView,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "tickets.update"))]
    TicketsUpdate,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "settings.view"))]
    SettingsView,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "settings.modify"))]
    SettingsModify,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "roles.view"))]
    RolesView,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "roles.modify"))]
    RolesModify,
}

impl Permission {
    /// (feature, permission) as the catalogue names them.
    pub fn labels(self) -> (&'static str, &'static str) {
        use Permission::*;
        match self {
            RoomsView => ("Rooms", "View"),
            RoomsModify => ("Rooms", "Modify"),
            RoomsResetKey => ("Rooms", "Reset key"),
            RoomsDownloadKey => ("Rooms", "Download key"),
            RoomsUnenroll => ("Rooms", "Unenroll"),
            RoomsCreate => ("Rooms", "Create"),
            GroupsView => ("Group management", "View"),
            GroupsModify => ("Group management", "Modify"),
            GroupsCreate => ("Group management", "Create"),
            UpdateRingsView => ("Update ring management", "View"),
            UpdateRingsModify => ("Update ring management", "Modify"),
            UpdateRingsCreate => ("Update ring management", "Create"),
            ReportsView => ("Reports", "View"),
            ReportsCreateCustomerIncident => ("Reports", "Create customer incident"),
            TicketsView => ("Tickets management", "View"),
            TicketsUpdate => ("Tickets management", "Update"),
            SettingsView => ("MMR settings", "View"),
            SettingsModify => ("MMR settings", "Modify"),
            RolesView => ("Role management", "View"),
            RolesModify => ("Role management", "Modify"),
        }
    }

    /// "Rooms: Reset key".
    pub fn describe(self) -> String {
        let (feature, name) = self.labels();
        format!("{feature}: {name}")
    }
}

/// Built-in roles whose permissions are fixed by the specification.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, EnumIter,
)]
#[cfg_attr(feature = "ssr", derive(sea_orm::DeriveActiveEnum))]
#[cfg_attr(
    feature = "ssr",
    sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")
)]
pub enum BuiltInRole {
    /// "MMR Admin": the customer's Managed Service Administrator role for rooms.
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "mmr_admin"))]
    MmrAdmin,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "site_lead"))]
    SiteLead,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "site_tech"))]
    SiteTech,
    /// The partner's built-in role per customer.
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "primary_admins"))]
    PrimaryAdmins,
}

/// The built-in role matrix of section 3, as data: (permission, [MMR Admin, Site Lead, Site Tech,
/// Primary admins]).
const ROLE_MATRIX: [(Permission, [bool; 4]); 20] = {
    use Permission::*;
    const Y: bool = true;
    const N: bool = false;
    [
        (RoomsView, [Y, Y, Y, Y]),
        (RoomsModify, [Y, Y, Y, Y]),
        (RoomsResetKey, [Y, N, N, N]),
        (RoomsDownloadKey, [Y, Y, Y, N]),
        (RoomsUnenroll, [Y, Y, Y, N]),
        (RoomsCreate, [Y, Y, N, N]),
        (GroupsView, [Y, Y, N, Y]),
        (GroupsModify, [Y, Y, N, N]),
        (GroupsCreate, [Y, Y, N, N]),
        (UpdateRingsView, [Y, Y, N, Y]),
        (UpdateRingsModify, [Y, Y, N, Y]),
        (UpdateRingsCreate, [Y, N, N, N]),
        (ReportsView, [Y, Y, N, Y]),
        (ReportsCreateCustomerIncident, [Y, Y, Y, Y]),
        (TicketsView, [Y, Y, Y, Y]),
        (TicketsUpdate, [Y, Y, Y, Y]),
        (SettingsView, [Y, N, N, N]),
        (SettingsModify, [Y, N, N, N]),
        (RolesView, [Y, N, N, Y]),
        (RolesModify, [Y, N, N, Y]),
    ]
};

impl BuiltInRole {
    /// The built-in roles every customer organisation has in *Settings > Roles*.
    pub const CUSTOMER: [BuiltInRole; 3] = [
        BuiltInRole::MmrAdmin,
        BuiltInRole::SiteLead,
        BuiltInRole::SiteTech,
    ];

    pub fn name(self) -> &'static str {
        match self {
            BuiltInRole::MmrAdmin => "MMR Admin",
            BuiltInRole::SiteLead => "Site Lead",
            BuiltInRole::SiteTech => "Site Tech",
            BuiltInRole::PrimaryAdmins => "Primary admins",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            BuiltInRole::MmrAdmin => {
                "Managed Service Administrator: everything about rooms, groups, update rings, settings and roles."
            }
            BuiltInRole::SiteLead => {
                "Runs the rooms of a site: rooms, groups, update rings, reports and tickets."
            }
            BuiltInRole::SiteTech => "Looks after rooms on site: rooms, keys and tickets.",
            BuiltInRole::PrimaryAdmins => "The partner's administrators for this customer.",
        }
    }

    fn column(self) -> usize {
        match self {
            BuiltInRole::MmrAdmin => 0,
            BuiltInRole::SiteLead => 1,
            BuiltInRole::SiteTech => 2,
            BuiltInRole::PrimaryAdmins => 3,
        }
    }

    /// The permissions this built-in role holds.
    pub fn permissions(self) -> BTreeSet<Permission> {
        ROLE_MATRIX
            .iter()
            .filter(|(_, cells)| cells[self.column()])
            .map(|(p, _)| *p)
            .collect()
    }
}

/// Roles held in the organisation itself (customer mode *Settings > Administrators*, partner mode
/// *Tenant managers*). Stored as an active enum.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, EnumIter,
)]
#[cfg_attr(feature = "ssr", derive(sea_orm::DeriveActiveEnum))]
#[cfg_attr(
    feature = "ssr",
    sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")
)]
pub enum OrgRole {
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "global_admin"))]
    GlobalAdmin,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "managed_service_admin"))]
    ManagedServiceAdmin,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "tenant_manager"))]
    TenantManager,
}

impl OrgRole {
    pub fn label(self) -> &'static str {
        match self {
            OrgRole::GlobalAdmin => "Global admin",
            OrgRole::ManagedServiceAdmin => "Managed Service Administrator",
            OrgRole::TenantManager => "Tenant manager",
        }
    }

    /// Stable identifier used in forms, URLs and the demo directory.
    pub fn key(self) -> &'static str {
        match self {
            OrgRole::GlobalAdmin => "global_admin",
            OrgRole::ManagedServiceAdmin => "managed_service_admin",
            OrgRole::TenantManager => "tenant_manager",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        OrgRole::iter().find(|r| r.key() == key)
    }

    /// Global admin and MSA have full access to their own organisation.
    pub(super) fn is_org_admin(self) -> bool {
        match self {
            OrgRole::GlobalAdmin | OrgRole::ManagedServiceAdmin => true,
            OrgRole::TenantManager => false,
        }
    }
}
