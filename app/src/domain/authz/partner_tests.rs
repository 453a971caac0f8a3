//! The authorization table over who acts (customer people, partner people, another partner's
//! people) × every `Action` × where (own organisation, the customer's rooms inside and outside
//! the relationship's scope, the customer as a whole, the relationship's partner roles, an
//! organisation the actor has no standing in). Written down as data, cell by cell, so that a new
//! `Action`, actor kind or place fails until someone decides its cells; then the partner caps
//! one by one (Primary admins' permissions, the ceiling, the relationship acted on).

use super::*;
use crate::domain::ids::{OrgId, RelationshipId, RoomGroupId, RoomId, UserId};
use std::collections::BTreeMap;

/// Who acts. The partner people belong to one partner organisation with one live relationship
/// to the customer; its ceiling is the customer's "US" room group.
#[derive(Clone, Copy, Debug, EnumIter, PartialEq)]
enum Kind {
    CustomerGlobalAdmin,
    CustomerMsa,
    /// A customer user with a custom assignment of Site Lead's permissions over the "US" group.
    CustomerSiteLead,
    /// The partner's Global admin, holding no partner role for the customer.
    PartnerGlobalAdmin,
    /// A partner Tenant manager holding no partner role for the customer.
    TenantManager,
    /// In the relationship's Primary admins ("Assigned admins", all of the relationship's rooms).
    PrimaryAdmin,
    /// In a custom partner role "Help desk": Tickets View and Update over all of the
    /// relationship's rooms.
    HelpDesk,
    /// Primary admin of another partner organisation, for another customer.
    OtherPartnersPrimaryAdmin,
    /// A customer user without any role or assignment.
    CustomerUser,
}

impl Kind {
    fn label(self) -> &'static str {
        match self {
            Kind::CustomerGlobalAdmin => "customer GA",
            Kind::CustomerMsa => "customer MSA",
            Kind::CustomerSiteLead => "customer site lead",
            Kind::PartnerGlobalAdmin => "partner GA",
            Kind::TenantManager => "tenant manager",
            Kind::PrimaryAdmin => "primary admin",
            Kind::HelpDesk => "help desk",
            Kind::OtherPartnersPrimaryAdmin => "other partner PA",
            Kind::CustomerUser => "customer user",
        }
    }
}

/// Where the action is done.
#[derive(Clone, Copy, Debug, EnumIter, PartialEq)]
enum Place {
    /// The actor's own organisation: `Resource::SomeRooms` for an action on rooms,
    /// `Resource::Org` for everything else (organisation-level and organisation-wide actions).
    Home,
    /// A customer room in the "US" group, inside the relationship's scope.
    InCeiling,
    /// A customer room in the "EU" group, outside the relationship's scope.
    OffCeiling,
    /// `Resource::Org(customer)`. For `ViewRoles` / `ModifyRoles` this is the customer's own
    /// role set (services authorize role management on `Resource::Org`), so the table has no
    /// separate column for it.
    Customer,
    /// `Resource::Relationship` of the customer's relationship with the partner: its partner
    /// roles.
    Relationship,
    /// A room of an organisation in which nobody here has any standing.
    Elsewhere,
}

impl Place {
    fn label(self) -> &'static str {
        match self {
            Place::Home => "home",
            Place::InCeiling => "in-ceiling",
            Place::OffCeiling => "off-ceiling",
            Place::Customer => "customer",
            Place::Relationship => "relationship",
            Place::Elsewhere => "elsewhere",
        }
    }
}

/// One row per action (in `Action` order), one line per actor kind (in `Kind` order), one cell
/// per place (in `Place` order): "allow" or the `DenyReason`.
///
/// Reading notes, per the specification:
/// - The customer's Global admins and MSAs have everything in their own organisation, partner
///   roles included, except editing them: `ModifyRoles` on the relationship is the partner's
///   delegation, never the customer's (they delete partner roles through `ManagePartners`).
/// - Partner people hold nothing in the customer through their organisation roles: without a
///   partner role the customer is a stranger (`NotMember`); with one, organisation-level actions
///   of the customer are never theirs (`MissingRole`), and `RemoveCustomer` is the relationship's
///   Primary admins' only.
/// - A partner permission outside Primary admins' (Reset key, Download key, Unenroll, Create,
///   group Modify/Create, ring Create, Settings) is `MissingRole` wherever it is tried.
/// - The ceiling is the "US" group: the partner's room permissions stop there (`OutOfScope`
///   beyond it and on the customer as a whole, which needs a ceiling of all rooms).
/// - A home member without any room-role assignment is `NotMember` for room permissions (the
///   existing convention: they have no access to the rooms at all), `MissingRole` once they hold
///   some assignment.
/// - Room places with an organisation-level action, and `ViewRoles` / `ModifyRoles` on a single
///   room, are not requests any service makes; their cells record what the decision gives, so
///   that a change to it is noticed.
const TABLE: &str = "
actor / place        | home         in-ceiling   off-ceiling  customer     relationship elsewhere
SearchDirectory
  customer GA        | allow        allow        allow        allow        allow        NotMember
  customer MSA       | allow        allow        allow        allow        allow        NotMember
  customer site lead | allow        allow        allow        allow        allow        NotMember
  partner GA         | allow        NotMember    NotMember    NotMember    NotMember    NotMember
  tenant manager     | allow        NotMember    NotMember    NotMember    NotMember    NotMember
  primary admin      | allow        MissingRole  MissingRole  MissingRole  MissingRole  NotMember
  help desk          | allow        MissingRole  MissingRole  MissingRole  MissingRole  NotMember
  other partner PA   | allow        NotMember    NotMember    NotMember    NotMember    NotMember
  customer user      | allow        allow        allow        allow        allow        NotMember
ViewOverview
  customer GA        | allow        allow        allow        allow        allow        NotMember
  customer MSA       | allow        allow        allow        allow        allow        NotMember
  customer site lead | allow        allow        allow        allow        allow        NotMember
  partner GA         | allow        NotMember    NotMember    NotMember    NotMember    NotMember
  tenant manager     | allow        NotMember    NotMember    NotMember    NotMember    NotMember
  primary admin      | allow        allow        allow        allow        allow        NotMember
  help desk          | allow        allow        allow        allow        allow        NotMember
  other partner PA   | allow        NotMember    NotMember    NotMember    NotMember    NotMember
  customer user      | allow        allow        allow        allow        allow        NotMember
ViewAdministrators
  customer GA        | allow        allow        allow        allow        allow        NotMember
  customer MSA       | allow        allow        allow        allow        allow        NotMember
  customer site lead | MissingRole  MissingRole  MissingRole  MissingRole  MissingRole  NotMember
  partner GA         | allow        NotMember    NotMember    NotMember    NotMember    NotMember
  tenant manager     | MissingRole  NotMember    NotMember    NotMember    NotMember    NotMember
  primary admin      | MissingRole  MissingRole  MissingRole  MissingRole  MissingRole  NotMember
  help desk          | MissingRole  MissingRole  MissingRole  MissingRole  MissingRole  NotMember
  other partner PA   | MissingRole  NotMember    NotMember    NotMember    NotMember    NotMember
  customer user      | MissingRole  MissingRole  MissingRole  MissingRole  MissingRole  NotMember
ManageAdministrators
  customer GA        | allow        allow        allow        allow        allow        NotMember
  customer MSA       | MissingRole  MissingRole  MissingRole  MissingRole  MissingRole  NotMember
  customer site lead | MissingRole  MissingRole  MissingRole  MissingRole  MissingRole  NotMember
  partner GA         | allow        NotMember    NotMember    NotMember    NotMember    NotMember
  tenant manager     | MissingRole  NotMember    NotMember    NotMember    NotMember    NotMember
  primary admin      | MissingRole  MissingRole  MissingRole  MissingRole  MissingRole  NotMember
  help desk          | MissingRole  MissingRole  MissingRole  MissingRole  MissingRole  NotMember
  other partner PA   | MissingRole  NotMember    NotMember    NotMember    NotMember    NotMember
  customer user      | MissingRole  MissingRole  MissingRole  MissingRole  MissingRole  NotMember
ViewSecurityGroups
  customer GA        | allow        allow        allow        allow        allow        NotMember
  customer MSA       | allow        allow        allow        allow        allow        NotMember
  customer site lead | MissingRole  MissingRole  MissingRole  MissingRole  MissingRole  NotMember
  partner GA         | allow        NotMember    NotMember    NotMember    NotMember    NotMember
  tenant manager     | MissingRole  NotMember    NotMember    NotMember    NotMember    NotMember
  primary admin      | MissingRole  MissingRole  MissingRole  MissingRole  MissingRole  NotMember
  help desk          | MissingRole  MissingRole  MissingRole  MissingRole  MissingRole  NotMember
  other partner PA   | MissingRole  NotMember    NotMember    NotMember    NotMember    NotMember
  customer user      | MissingRole  MissingRole  MissingRole  MissingRole  MissingRole  NotMember
ManageSecurityGroups
  customer GA        | allow        allow        allow        allow        allow        NotMember
  customer MSA       | allow        allow        allow        allow        allow        NotMember
  customer site lead | MissingRole  MissingRole  MissingRole  MissingRole  MissingRole  NotMember
  partner GA         | allow        NotMember    NotMember    NotMember    NotMember    NotMember
  tenant manager     | MissingRole  NotMember    NotMember    NotMember    NotMember    NotMember
  primary admin      | MissingRole  MissingRole  MissingRole  MissingRole  MissingRole  NotMember
  help desk          | MissingRole  MissingRole  MissingRole  MissingRole  MissingRole  NotMember
  other partner PA   | MissingRole  NotMember    NotMember    NotMember    NotMember    NotMember
  customer user      | MissingRole  MissingRole  MissingRole  MissingRole  MissingRole  NotMember
ViewTenantManagers
  customer GA        | NotAPartner  NotAPartner  NotAPartner  NotAPartner  NotAPartner  NotMember
  customer MSA       | NotAPartner  NotAPartner  NotAPartner  NotAPartner  NotAPartner  NotMember
  customer site lead | NotAPartner  NotAPartner  NotAPartner  NotAPartner  NotAPartner  NotMember
  partner GA         | allow        NotMember    NotMember    NotMember    NotMember    NotMember
  tenant manager     | allow        NotMember    NotMember    NotMember    NotMember    NotMember
  primary admin      | MissingRole  MissingRole  MissingRole  MissingRole  MissingRole  NotMember
  help desk          | MissingRole  MissingRole  MissingRole  MissingRole  MissingRole  NotMember
  other partner PA   | MissingRole  NotMember    NotMember    NotMember    NotMember    NotMember
  customer user      | NotAPartner  NotAPartner  NotAPartner  NotAPartner  NotAPartner  NotMember
ManageTenantManagers
  customer GA        | NotAPartner  NotAPartner  NotAPartner  NotAPartner  NotAPartner  NotMember
  customer MSA       | NotAPartner  NotAPartner  NotAPartner  NotAPartner  NotAPartner  NotMember
  customer site lead | NotAPartner  NotAPartner  NotAPartner  NotAPartner  NotAPartner  NotMember
  partner GA         | allow        NotMember    NotMember    NotMember    NotMember    NotMember
  tenant manager     | MissingRole  NotMember    NotMember    NotMember    NotMember    NotMember
  primary admin      | MissingRole  MissingRole  MissingRole  MissingRole  MissingRole  NotMember
  help desk          | MissingRole  MissingRole  MissingRole  MissingRole  MissingRole  NotMember
  other partner PA   | MissingRole  NotMember    NotMember    NotMember    NotMember    NotMember
  customer user      | NotAPartner  NotAPartner  NotAPartner  NotAPartner  NotAPartner  NotMember
ViewPartners
  customer GA        | allow        allow        allow        allow        allow        NotMember
  customer MSA       | allow        allow        allow        allow        allow        NotMember
  customer site lead | MissingRole  MissingRole  MissingRole  MissingRole  MissingRole  NotMember
  partner GA         | allow        NotMember    NotMember    NotMember    NotMember    NotMember
  tenant manager     | MissingRole  NotMember    NotMember    NotMember    NotMember    NotMember
  primary admin      | MissingRole  MissingRole  MissingRole  MissingRole  MissingRole  NotMember
  help desk          | MissingRole  MissingRole  MissingRole  MissingRole  MissingRole  NotMember
  other partner PA   | MissingRole  NotMember    NotMember    NotMember    NotMember    NotMember
  customer user      | MissingRole  MissingRole  MissingRole  MissingRole  MissingRole  NotMember
ManagePartners
  customer GA        | allow        allow        allow        allow        allow        NotMember
  customer MSA       | allow        allow        allow        allow        allow        NotMember
  customer site lead | MissingRole  MissingRole  MissingRole  MissingRole  MissingRole  NotMember
  partner GA         | allow        NotMember    NotMember    NotMember    NotMember    NotMember
  tenant manager     | MissingRole  NotMember    NotMember    NotMember    NotMember    NotMember
  primary admin      | MissingRole  MissingRole  MissingRole  MissingRole  MissingRole  NotMember
  help desk          | MissingRole  MissingRole  MissingRole  MissingRole  MissingRole  NotMember
  other partner PA   | MissingRole  NotMember    NotMember    NotMember    NotMember    NotMember
  customer user      | MissingRole  MissingRole  MissingRole  MissingRole  MissingRole  NotMember
ViewTenants
  customer GA        | NotAPartner  NotAPartner  NotAPartner  NotAPartner  NotAPartner  NotMember
  customer MSA       | NotAPartner  NotAPartner  NotAPartner  NotAPartner  NotAPartner  NotMember
  customer site lead | NotAPartner  NotAPartner  NotAPartner  NotAPartner  NotAPartner  NotMember
  partner GA         | allow        NotMember    NotMember    NotMember    NotMember    NotMember
  tenant manager     | allow        NotMember    NotMember    NotMember    NotMember    NotMember
  primary admin      | MissingRole  MissingRole  MissingRole  MissingRole  MissingRole  NotMember
  help desk          | MissingRole  MissingRole  MissingRole  MissingRole  MissingRole  NotMember
  other partner PA   | MissingRole  NotMember    NotMember    NotMember    NotMember    NotMember
  customer user      | NotAPartner  NotAPartner  NotAPartner  NotAPartner  NotAPartner  NotMember
AnswerInvitation
  customer GA        | NotAPartner  NotAPartner  NotAPartner  NotAPartner  NotAPartner  NotMember
  customer MSA       | NotAPartner  NotAPartner  NotAPartner  NotAPartner  NotAPartner  NotMember
  customer site lead | NotAPartner  NotAPartner  NotAPartner  NotAPartner  NotAPartner  NotMember
  partner GA         | allow        NotMember    NotMember    NotMember    NotMember    NotMember
  tenant manager     | allow        NotMember    NotMember    NotMember    NotMember    NotMember
  primary admin      | MissingRole  MissingRole  MissingRole  MissingRole  MissingRole  NotMember
  help desk          | MissingRole  MissingRole  MissingRole  MissingRole  MissingRole  NotMember
  other partner PA   | MissingRole  NotMember    NotMember    NotMember    NotMember    NotMember
  customer user      | NotAPartner  NotAPartner  NotAPartner  NotAPartner  NotAPartner  NotMember
RemoveCustomer
  customer GA        | MissingRole  MissingRole  MissingRole  MissingRole  MissingRole  NotMember
  customer MSA       | MissingRole  MissingRole  MissingRole  MissingRole  MissingRole  NotMember
  customer site lead | MissingRole  MissingRole  MissingRole  MissingRole  MissingRole  NotMember
  partner GA         | MissingRole  NotMember    NotMember    NotMember    NotMember    NotMember
  tenant manager     | MissingRole  NotMember    NotMember    NotMember    NotMember    NotMember
  primary admin      | MissingRole  allow        allow        allow        allow        NotMember
  help desk          | MissingRole  MissingRole  MissingRole  MissingRole  MissingRole  NotMember
  other partner PA   | MissingRole  NotMember    NotMember    NotMember    NotMember    NotMember
  customer user      | MissingRole  MissingRole  MissingRole  MissingRole  MissingRole  NotMember
ViewRooms
  customer GA        | allow        allow        allow        allow        allow        NotMember
  customer MSA       | allow        allow        allow        allow        allow        NotMember
  customer site lead | allow        allow        OutOfScope   OutOfScope   OutOfScope   NotMember
  partner GA         | allow        NotMember    NotMember    NotMember    NotMember    NotMember
  tenant manager     | NotMember    NotMember    NotMember    NotMember    NotMember    NotMember
  primary admin      | NotMember    allow        OutOfScope   OutOfScope   MissingRole  NotMember
  help desk          | NotMember    MissingRole  MissingRole  MissingRole  MissingRole  NotMember
  other partner PA   | NotMember    NotMember    NotMember    NotMember    NotMember    NotMember
  customer user      | NotMember    NotMember    NotMember    NotMember    NotMember    NotMember
ModifyRoom
  customer GA        | allow        allow        allow        allow        allow        NotMember
  customer MSA       | allow        allow        allow        allow        allow        NotMember
  customer site lead | allow        allow        OutOfScope   OutOfScope   OutOfScope   NotMember
  partner GA         | allow        NotMember    NotMember    NotMember    NotMember    NotMember
  tenant manager     | NotMember    NotMember    NotMember    NotMember    NotMember    NotMember
  primary admin      | NotMember    allow        OutOfScope   OutOfScope   MissingRole  NotMember
  help desk          | NotMember    MissingRole  MissingRole  MissingRole  MissingRole  NotMember
  other partner PA   | NotMember    NotMember    NotMember    NotMember    NotMember    NotMember
  customer user      | NotMember    NotMember    NotMember    NotMember    NotMember    NotMember
ResetEnrollmentKey
  customer GA        | allow        allow        allow        allow        allow        NotMember
  customer MSA       | allow        allow        allow        allow        allow        NotMember
  customer site lead | MissingRole  MissingRole  MissingRole  MissingRole  MissingRole  NotMember
  partner GA         | allow        NotMember    NotMember    NotMember    NotMember    NotMember
  tenant manager     | NotMember    NotMember    NotMember    NotMember    NotMember    NotMember
  primary admin      | NotMember    MissingRole  MissingRole  MissingRole  MissingRole  NotMember
  help desk          | NotMember    MissingRole  MissingRole  MissingRole  MissingRole  NotMember
  other partner PA   | NotMember    NotMember    NotMember    NotMember    NotMember    NotMember
  customer user      | NotMember    NotMember    NotMember    NotMember    NotMember    NotMember
DownloadEnrollmentKey
  customer GA        | allow        allow        allow        allow        allow        NotMember
  customer MSA       | allow        allow        allow        allow        allow        NotMember
  customer site lead | allow        allow        OutOfScope   OutOfScope   OutOfScope   NotMember
  partner GA         | allow        NotMember    NotMember    NotMember    NotMember    NotMember
  tenant manager     | NotMember    NotMember    NotMember    NotMember    NotMember    NotMember
  primary admin      | NotMember    MissingRole  MissingRole  MissingRole  MissingRole  NotMember
  help desk          | NotMember    MissingRole  MissingRole  MissingRole  MissingRole  NotMember
  other partner PA   | NotMember    NotMember    NotMember    NotMember    NotMember    NotMember
  customer user      | NotMember    NotMember    NotMember    NotMember    NotMember    NotMember
UnenrollRoom
  customer GA        | allow        allow        allow        allow        allow        NotMember
  customer MSA       | allow        allow        allow        allow        allow        NotMember
  customer site lead | allow        allow        OutOfScope   OutOfScope   OutOfScope   NotMember
  partner GA         | allow        NotMember    NotMember    NotMember    NotMember    NotMember
  tenant manager     | NotMember    NotMember    NotMember    NotMember    NotMember    NotMember
  primary admin      | NotMember    MissingRole  MissingRole  MissingRole  MissingRole  NotMember
  help desk          | NotMember    MissingRole  MissingRole  MissingRole  MissingRole  NotMember
  other partner PA   | NotMember    NotMember    NotMember    NotMember    NotMember    NotMember
  customer user      | NotMember    NotMember    NotMember    NotMember    NotMember    NotMember
CreateRoom
  customer GA        | allow        allow        allow        allow        allow        NotMember
  customer MSA       | allow        allow        allow        allow        allow        NotMember
  customer site lead | allow        allow        OutOfScope   OutOfScope   OutOfScope   NotMember
  partner GA         | allow        NotMember    NotMember    NotMember    NotMember    NotMember
  tenant manager     | NotMember    NotMember    NotMember    NotMember    NotMember    NotMember
  primary admin      | NotMember    MissingRole  MissingRole  MissingRole  MissingRole  NotMember
  help desk          | NotMember    MissingRole  MissingRole  MissingRole  MissingRole  NotMember
  other partner PA   | NotMember    NotMember    NotMember    NotMember    NotMember    NotMember
  customer user      | NotMember    NotMember    NotMember    NotMember    NotMember    NotMember
ViewRoomGroups
  customer GA        | allow        allow        allow        allow        allow        NotMember
  customer MSA       | allow        allow        allow        allow        allow        NotMember
  customer site lead | allow        allow        OutOfScope   OutOfScope   OutOfScope   NotMember
  partner GA         | allow        NotMember    NotMember    NotMember    NotMember    NotMember
  tenant manager     | NotMember    NotMember    NotMember    NotMember    NotMember    NotMember
  primary admin      | NotMember    allow        OutOfScope   OutOfScope   MissingRole  NotMember
  help desk          | NotMember    MissingRole  MissingRole  MissingRole  MissingRole  NotMember
  other partner PA   | NotMember    NotMember    NotMember    NotMember    NotMember    NotMember
  customer user      | NotMember    NotMember    NotMember    NotMember    NotMember    NotMember
ModifyRoomGroup
  customer GA        | allow        allow        allow        allow        allow        NotMember
  customer MSA       | allow        allow        allow        allow        allow        NotMember
  customer site lead | allow        allow        OutOfScope   OutOfScope   OutOfScope   NotMember
  partner GA         | allow        NotMember    NotMember    NotMember    NotMember    NotMember
  tenant manager     | NotMember    NotMember    NotMember    NotMember    NotMember    NotMember
  primary admin      | NotMember    MissingRole  MissingRole  MissingRole  MissingRole  NotMember
  help desk          | NotMember    MissingRole  MissingRole  MissingRole  MissingRole  NotMember
  other partner PA   | NotMember    NotMember    NotMember    NotMember    NotMember    NotMember
  customer user      | NotMember    NotMember    NotMember    NotMember    NotMember    NotMember
CreateRoomGroup
  customer GA        | allow        allow        allow        allow        allow        NotMember
  customer MSA       | allow        allow        allow        allow        allow        NotMember
  customer site lead | OutOfScope   allow        OutOfScope   OutOfScope   OutOfScope   NotMember
  partner GA         | allow        NotMember    NotMember    NotMember    NotMember    NotMember
  tenant manager     | NotMember    NotMember    NotMember    NotMember    NotMember    NotMember
  primary admin      | NotMember    MissingRole  MissingRole  MissingRole  MissingRole  NotMember
  help desk          | NotMember    MissingRole  MissingRole  MissingRole  MissingRole  NotMember
  other partner PA   | NotMember    NotMember    NotMember    NotMember    NotMember    NotMember
  customer user      | NotMember    NotMember    NotMember    NotMember    NotMember    NotMember
ViewUpdateRings
  customer GA        | allow        allow        allow        allow        allow        NotMember
  customer MSA       | allow        allow        allow        allow        allow        NotMember
  customer site lead | allow        allow        OutOfScope   OutOfScope   OutOfScope   NotMember
  partner GA         | allow        NotMember    NotMember    NotMember    NotMember    NotMember
  tenant manager     | NotMember    NotMember    NotMember    NotMember    NotMember    NotMember
  primary admin      | NotMember    allow        OutOfScope   OutOfScope   MissingRole  NotMember
  help desk          | NotMember    MissingRole  MissingRole  MissingRole  MissingRole  NotMember
  other partner PA   | NotMember    NotMember    NotMember    NotMember    NotMember    NotMember
  customer user      | NotMember    NotMember    NotMember    NotMember    NotMember    NotMember
ModifyUpdateRing
  customer GA        | allow        allow        allow        allow        allow        NotMember
  customer MSA       | allow        allow        allow        allow        allow        NotMember
  customer site lead | allow        allow        OutOfScope   OutOfScope   OutOfScope   NotMember
  partner GA         | allow        NotMember    NotMember    NotMember    NotMember    NotMember
  tenant manager     | NotMember    NotMember    NotMember    NotMember    NotMember    NotMember
  primary admin      | NotMember    allow        OutOfScope   OutOfScope   MissingRole  NotMember
  help desk          | NotMember    MissingRole  MissingRole  MissingRole  MissingRole  NotMember
  other partner PA   | NotMember    NotMember    NotMember    NotMember    NotMember    NotMember
  customer user      | NotMember    NotMember    NotMember    NotMember    NotMember    NotMember
CreateUpdateRing
  customer GA        | allow        allow        allow        allow        allow        NotMember
  customer MSA       | allow        allow        allow        allow        allow        NotMember
  customer site lead | MissingRole  MissingRole  MissingRole  MissingRole  MissingRole  NotMember
  partner GA         | allow        NotMember    NotMember    NotMember    NotMember    NotMember
  tenant manager     | NotMember    NotMember    NotMember    NotMember    NotMember    NotMember
  primary admin      | NotMember    MissingRole  MissingRole  MissingRole  MissingRole  NotMember
  help desk          | NotMember    MissingRole  MissingRole  MissingRole  MissingRole  NotMember
  other partner PA   | NotMember    NotMember    NotMember    NotMember    NotMember    NotMember
  customer user      | NotMember    NotMember    NotMember    NotMember    NotMember    NotMember
ViewReports
  customer GA        | allow        allow        allow        allow        allow        NotMember
  customer MSA       | allow        allow        allow        allow        allow        NotMember
  customer site lead | allow        allow        OutOfScope   OutOfScope   OutOfScope   NotMember
  partner GA         | allow        NotMember    NotMember    NotMember    NotMember    NotMember
  tenant manager     | NotMember    NotMember    NotMember    NotMember    NotMember    NotMember
  primary admin      | NotMember    allow        OutOfScope   OutOfScope   MissingRole  NotMember
  help desk          | NotMember    MissingRole  MissingRole  MissingRole  MissingRole  NotMember
  other partner PA   | NotMember    NotMember    NotMember    NotMember    NotMember    NotMember
  customer user      | NotMember    NotMember    NotMember    NotMember    NotMember    NotMember
CreateCustomerIncident
  customer GA        | allow        allow        allow        allow        allow        NotMember
  customer MSA       | allow        allow        allow        allow        allow        NotMember
  customer site lead | allow        allow        OutOfScope   OutOfScope   OutOfScope   NotMember
  partner GA         | allow        NotMember    NotMember    NotMember    NotMember    NotMember
  tenant manager     | NotMember    NotMember    NotMember    NotMember    NotMember    NotMember
  primary admin      | NotMember    allow        OutOfScope   OutOfScope   MissingRole  NotMember
  help desk          | NotMember    MissingRole  MissingRole  MissingRole  MissingRole  NotMember
  other partner PA   | NotMember    NotMember    NotMember    NotMember    NotMember    NotMember
  customer user      | NotMember    NotMember    NotMember    NotMember    NotMember    NotMember
ViewTickets
  customer GA        | allow        allow        allow        allow        allow        NotMember
  customer MSA       | allow        allow        allow        allow        allow        NotMember
  customer site lead | allow        allow        OutOfScope   OutOfScope   OutOfScope   NotMember
  partner GA         | allow        NotMember    NotMember    NotMember    NotMember    NotMember
  tenant manager     | NotMember    NotMember    NotMember    NotMember    NotMember    NotMember
  primary admin      | NotMember    allow        OutOfScope   OutOfScope   MissingRole  NotMember
  help desk          | NotMember    allow        OutOfScope   OutOfScope   MissingRole  NotMember
  other partner PA   | NotMember    NotMember    NotMember    NotMember    NotMember    NotMember
  customer user      | NotMember    NotMember    NotMember    NotMember    NotMember    NotMember
ViewAllTickets
  customer GA        | NotAPartner  NotAPartner  NotAPartner  NotAPartner  NotAPartner  NotMember
  customer MSA       | NotAPartner  NotAPartner  NotAPartner  NotAPartner  NotAPartner  NotMember
  customer site lead | NotAPartner  NotAPartner  NotAPartner  NotAPartner  NotAPartner  NotMember
  partner GA         | allow        NotMember    NotMember    NotMember    NotMember    NotMember
  tenant manager     | allow        NotMember    NotMember    NotMember    NotMember    NotMember
  primary admin      | allow        MissingRole  MissingRole  MissingRole  MissingRole  NotMember
  help desk          | allow        MissingRole  MissingRole  MissingRole  MissingRole  NotMember
  other partner PA   | allow        NotMember    NotMember    NotMember    NotMember    NotMember
  customer user      | NotAPartner  NotAPartner  NotAPartner  NotAPartner  NotAPartner  NotMember
UpdateTicket
  customer GA        | allow        allow        allow        allow        allow        NotMember
  customer MSA       | allow        allow        allow        allow        allow        NotMember
  customer site lead | allow        allow        OutOfScope   OutOfScope   OutOfScope   NotMember
  partner GA         | allow        NotMember    NotMember    NotMember    NotMember    NotMember
  tenant manager     | NotMember    NotMember    NotMember    NotMember    NotMember    NotMember
  primary admin      | NotMember    allow        OutOfScope   OutOfScope   MissingRole  NotMember
  help desk          | NotMember    allow        OutOfScope   OutOfScope   MissingRole  NotMember
  other partner PA   | NotMember    NotMember    NotMember    NotMember    NotMember    NotMember
  customer user      | NotMember    NotMember    NotMember    NotMember    NotMember    NotMember
ViewSettings
  customer GA        | allow        allow        allow        allow        allow        NotMember
  customer MSA       | allow        allow        allow        allow        allow        NotMember
  customer site lead | MissingRole  MissingRole  MissingRole  MissingRole  MissingRole  NotMember
  partner GA         | allow        NotMember    NotMember    NotMember    NotMember    NotMember
  tenant manager     | NotMember    NotMember    NotMember    NotMember    NotMember    NotMember
  primary admin      | NotMember    MissingRole  MissingRole  MissingRole  MissingRole  NotMember
  help desk          | NotMember    MissingRole  MissingRole  MissingRole  MissingRole  NotMember
  other partner PA   | NotMember    NotMember    NotMember    NotMember    NotMember    NotMember
  customer user      | NotMember    NotMember    NotMember    NotMember    NotMember    NotMember
ModifySettings
  customer GA        | allow        allow        allow        allow        allow        NotMember
  customer MSA       | allow        allow        allow        allow        allow        NotMember
  customer site lead | MissingRole  MissingRole  MissingRole  MissingRole  MissingRole  NotMember
  partner GA         | allow        NotMember    NotMember    NotMember    NotMember    NotMember
  tenant manager     | NotMember    NotMember    NotMember    NotMember    NotMember    NotMember
  primary admin      | NotMember    MissingRole  MissingRole  MissingRole  MissingRole  NotMember
  help desk          | NotMember    MissingRole  MissingRole  MissingRole  MissingRole  NotMember
  other partner PA   | NotMember    NotMember    NotMember    NotMember    NotMember    NotMember
  customer user      | NotMember    NotMember    NotMember    NotMember    NotMember    NotMember
ViewRoles
  customer GA        | allow        allow        allow        allow        allow        NotMember
  customer MSA       | allow        allow        allow        allow        allow        NotMember
  customer site lead | MissingRole  MissingRole  MissingRole  MissingRole  MissingRole  NotMember
  partner GA         | allow        NotMember    NotMember    NotMember    NotMember    NotMember
  tenant manager     | NotMember    NotMember    NotMember    NotMember    NotMember    NotMember
  primary admin      | NotMember    allow        OutOfScope   MissingRole  allow        NotMember
  help desk          | NotMember    MissingRole  MissingRole  MissingRole  MissingRole  NotMember
  other partner PA   | NotMember    NotMember    NotMember    NotMember    NotMember    NotMember
  customer user      | NotMember    NotMember    NotMember    NotMember    NotMember    NotMember
ModifyRoles
  customer GA        | allow        allow        allow        allow        MissingRole  NotMember
  customer MSA       | allow        allow        allow        allow        MissingRole  NotMember
  customer site lead | MissingRole  MissingRole  MissingRole  MissingRole  MissingRole  NotMember
  partner GA         | allow        NotMember    NotMember    NotMember    NotMember    NotMember
  tenant manager     | NotMember    NotMember    NotMember    NotMember    NotMember    NotMember
  primary admin      | NotMember    allow        OutOfScope   MissingRole  allow        NotMember
  help desk          | NotMember    MissingRole  MissingRole  MissingRole  MissingRole  NotMember
  other partner PA   | NotMember    NotMember    NotMember    NotMember    NotMember    NotMember
  customer user      | NotMember    NotMember    NotMember    NotMember    MissingRole  NotMember
ViewAuditLog
  customer GA        | allow        allow        allow        allow        allow        NotMember
  customer MSA       | allow        allow        allow        allow        allow        NotMember
  customer site lead | MissingRole  MissingRole  MissingRole  MissingRole  MissingRole  NotMember
  partner GA         | allow        NotMember    NotMember    NotMember    NotMember    NotMember
  tenant manager     | MissingRole  NotMember    NotMember    NotMember    NotMember    NotMember
  primary admin      | MissingRole  MissingRole  MissingRole  MissingRole  MissingRole  NotMember
  help desk          | MissingRole  MissingRole  MissingRole  MissingRole  MissingRole  NotMember
  other partner PA   | MissingRole  NotMember    NotMember    NotMember    NotMember    NotMember
  customer user      | MissingRole  MissingRole  MissingRole  MissingRole  MissingRole  NotMember
";

/// The fixed cast: one customer with a "US" and an "EU" room group, one partner with a live
/// relationship to it (ceiling: the "US" group), another partner with another customer, and an
/// organisation nobody here has any standing in.
struct World {
    customer: OrgId,
    partner: OrgId,
    other_partner: OrgId,
    other_customer: OrgId,
    stranger: OrgId,
    relationship: RelationshipId,
    other_relationship: RelationshipId,
    us: RoomGroupId,
    eu: RoomGroupId,
    us_room: RoomId,
    eu_room: RoomId,
}

impl World {
    fn new() -> Self {
        World {
            customer: OrgId::new(),
            partner: OrgId::new(),
            other_partner: OrgId::new(),
            other_customer: OrgId::new(),
            stranger: OrgId::new(),
            relationship: RelationshipId::new(),
            other_relationship: RelationshipId::new(),
            us: RoomGroupId::new(),
            eu: RoomGroupId::new(),
            us_room: RoomId::new(),
            eu_room: RoomId::new(),
        }
    }

    fn us_only(&self) -> Scope {
        Scope::Some {
            rooms: BTreeSet::new(),
            room_groups: BTreeSet::from([self.us]),
        }
    }

    fn us_room(&self) -> Resource {
        self.room(self.us_room, self.us)
    }

    fn eu_room(&self) -> Resource {
        self.room(self.eu_room, self.eu)
    }

    fn room(&self, room: RoomId, group: RoomGroupId) -> Resource {
        Resource::Room {
            org: self.customer,
            room,
            room_groups: BTreeSet::from([group]),
        }
    }

    fn groups_of_rooms(&self) -> BTreeMap<RoomId, BTreeSet<RoomGroupId>> {
        BTreeMap::from([
            (self.us_room, BTreeSet::from([self.us])),
            (self.eu_room, BTreeSet::from([self.eu])),
        ])
    }

    /// A partner user of this world's partner holding, for the customer, `grants` (one per
    /// partner-role assignment naming them) under `ceiling`.
    fn partner_user(&self, ceiling: Scope, grants: Vec<Grant>, primary_admin: bool) -> Actor {
        Actor {
            user: UserId::new(),
            org: self.partner,
            org_manages_customers: true,
            org_roles: BTreeSet::new(),
            grants: vec![],
            partnerships: vec![Partnership {
                relationship: self.relationship,
                customer: self.customer,
                ceiling,
                grants,
                primary_admin,
            }],
        }
    }

    fn customer_grant(&self, permissions: BTreeSet<Permission>, scope: Scope) -> Grant {
        Grant {
            org: self.customer,
            permissions,
            scope,
        }
    }

    fn actor(&self, kind: Kind) -> Actor {
        let person = |org: OrgId, manages: bool, roles: &[OrgRole]| Actor {
            user: UserId::new(),
            org,
            org_manages_customers: manages,
            org_roles: roles.iter().copied().collect(),
            grants: vec![],
            partnerships: vec![],
        };
        let primary_admins = BuiltInRole::PrimaryAdmins.permissions();
        match kind {
            Kind::CustomerGlobalAdmin => person(self.customer, false, &[OrgRole::GlobalAdmin]),
            Kind::CustomerMsa => person(self.customer, false, &[OrgRole::ManagedServiceAdmin]),
            Kind::CustomerSiteLead => Actor {
                grants: vec![
                    self.customer_grant(BuiltInRole::SiteLead.permissions(), self.us_only())
                ],
                ..person(self.customer, false, &[])
            },
            Kind::PartnerGlobalAdmin => person(self.partner, true, &[OrgRole::GlobalAdmin]),
            Kind::TenantManager => person(self.partner, true, &[OrgRole::TenantManager]),
            Kind::PrimaryAdmin => self.partner_user(
                self.us_only(),
                vec![self.customer_grant(primary_admins, Scope::AllRooms)],
                true,
            ),
            Kind::HelpDesk => self.partner_user(
                self.us_only(),
                vec![self.customer_grant(
                    BTreeSet::from([Permission::TicketsView, Permission::TicketsUpdate]),
                    Scope::AllRooms,
                )],
                false,
            ),
            Kind::OtherPartnersPrimaryAdmin => Actor {
                partnerships: vec![Partnership {
                    relationship: self.other_relationship,
                    customer: self.other_customer,
                    ceiling: Scope::AllRooms,
                    grants: vec![Grant {
                        org: self.other_customer,
                        permissions: primary_admins,
                        scope: Scope::AllRooms,
                    }],
                    primary_admin: true,
                }],
                ..person(self.other_partner, true, &[])
            },
            Kind::CustomerUser => person(self.customer, false, &[]),
        }
    }

    fn resource(&self, actor: &Actor, action: Action, place: Place) -> Resource {
        match place {
            Place::Home => match action.requirement() {
                Requirement::Permission(_) if !action.is_org_wide() => {
                    Resource::SomeRooms(actor.org)
                }
                _ => Resource::Org(actor.org),
            },
            Place::InCeiling => self.us_room(),
            Place::OffCeiling => self.eu_room(),
            Place::Customer => Resource::Org(self.customer),
            Place::Relationship => Resource::Relationship {
                org: self.customer,
                relationship: self.relationship,
            },
            Place::Elsewhere => Resource::Room {
                org: self.stranger,
                room: RoomId::new(),
                room_groups: BTreeSet::new(),
            },
        }
    }
}

struct Row {
    action: Action,
    /// One line per actor kind: the kind and its cells, one per place.
    lines: Vec<(Kind, Vec<&'static str>)>,
}

/// Parses `TABLE`, checking the header and that every line names a known action or actor kind.
fn rows() -> Vec<Row> {
    let mut lines = TABLE.lines().filter(|l| !l.trim().is_empty());
    let header = lines.next().unwrap_or_else(|| panic!("a header"));
    let (_, places) = header
        .split_once('|')
        .unwrap_or_else(|| panic!("header: actor / place | places"));
    let places: Vec<&str> = places.split_whitespace().collect();
    let expected: Vec<&str> = Place::iter().map(Place::label).collect();
    assert_eq!(places, expected, "the header lists the places in order");
    let mut rows: Vec<Row> = Vec::new();
    for line in lines {
        if !line.starts_with(' ') {
            let action = Action::iter()
                .find(|a| format!("{a:?}") == line.trim())
                .unwrap_or_else(|| panic!("unknown action {line:?}"));
            rows.push(Row {
                action,
                lines: vec![],
            });
            continue;
        }
        let (label, cells) = line
            .split_once('|')
            .unwrap_or_else(|| panic!("actor | cells"));
        let kind = Kind::iter()
            .find(|k| k.label() == label.trim())
            .unwrap_or_else(|| panic!("unknown actor kind {label:?}"));
        let row = rows
            .last_mut()
            .unwrap_or_else(|| panic!("an action before its lines"));
        row.lines.push((kind, cells.split_whitespace().collect()));
    }
    rows
}

fn decision_named(cell: &str) -> Decision {
    match cell {
        "allow" => Decision::Allow,
        "NotMember" => Decision::Deny(DenyReason::NotMember),
        "MissingRole" => Decision::Deny(DenyReason::MissingRole),
        "NotAPartner" => Decision::Deny(DenyReason::NotAPartner),
        "OutOfScope" => Decision::Deny(DenyReason::OutOfScope),
        "LastGlobalAdmin" => Decision::Deny(DenyReason::LastGlobalAdmin),
        other => panic!("unknown cell {other:?}"),
    }
}

#[test]
fn the_table_has_a_row_per_action_a_line_per_actor_kind_and_a_cell_per_place() {
    let rows = rows();
    let actions: Vec<Action> = rows.iter().map(|r| r.action).collect();
    let all: Vec<Action> = Action::iter().collect();
    assert_eq!(actions, all, "one row per action, in declaration order");
    let kinds: Vec<Kind> = Kind::iter().collect();
    for row in &rows {
        let listed: Vec<Kind> = row.lines.iter().map(|(k, _)| *k).collect();
        assert_eq!(listed, kinds, "{:?}: one line per actor kind", row.action);
        for (kind, cells) in &row.lines {
            assert_eq!(
                cells.len(),
                Place::iter().count(),
                "{:?} / {kind:?}: one cell per place",
                row.action
            );
        }
    }
    let cells: usize = rows
        .iter()
        .flat_map(|r| r.lines.iter().map(|(_, c)| c.len()))
        .sum();
    assert_eq!(
        cells,
        Action::iter().count() * Kind::iter().count() * Place::iter().count(),
        "actions × actor kinds × places"
    );
}

#[test]
fn every_actor_kind_in_every_place_is_decided_as_the_table_says() {
    let w = World::new();
    let mut wrong = Vec::new();
    for row in rows() {
        for (kind, cells) in &row.lines {
            let actor = w.actor(*kind);
            for (place, cell) in Place::iter().zip(cells) {
                let resource = w.resource(&actor, row.action, place);
                let got = authorize(&actor, row.action, &resource);
                if got != decision_named(cell) {
                    wrong.push(format!(
                        "{:?} / {} / {}: table says {cell}, decided {got:?}",
                        row.action,
                        kind.label(),
                        place.label()
                    ));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} cells differ:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

/// The action whose requirement is exactly `permission`.
fn action_for(permission: Permission) -> Action {
    Action::iter()
        .find(|a| matches!(a.requirement(), Requirement::Permission(p) if p == permission))
        .unwrap_or_else(|| panic!("no action for {permission:?}"))
}

fn some(rooms: &[RoomId], room_groups: &[RoomGroupId]) -> Scope {
    Scope::Some {
        rooms: rooms.iter().copied().collect(),
        room_groups: room_groups.iter().copied().collect(),
    }
}

const MISSING_ROLE: Decision = Decision::Deny(DenyReason::MissingRole);
const OUT_OF_SCOPE: Decision = Decision::Deny(DenyReason::OutOfScope);
const NOT_MEMBER: Decision = Decision::Deny(DenyReason::NotMember);

/// A partner role is stored with its permissions; one holding more than Primary admins' (written
/// before the catalogue changed, or by hand in the database) still gives only what Primary
/// admins may have, whatever its scope, the ceiling or the resource.
#[test]
fn a_stored_partner_role_beyond_primary_admins_still_gets_missing_role() {
    let w = World::new();
    let primary = BuiltInRole::PrimaryAdmins.permissions();
    let beyond: BTreeSet<Permission> = Permission::iter()
        .filter(|p| !primary.contains(p))
        .collect();
    assert!(beyond.contains(&Permission::SettingsModify));
    assert!(beyond.contains(&Permission::RoomsResetKey));
    // Every permission over all rooms under a ceiling of all rooms: nothing but the cap stands
    // in the way.
    let everything = w.partner_user(
        Scope::AllRooms,
        vec![w.customer_grant(Permission::iter().collect(), Scope::AllRooms)],
        true,
    );
    let relationship = Resource::Relationship {
        org: w.customer,
        relationship: w.relationship,
    };
    for permission in &beyond {
        let action = action_for(*permission);
        for resource in [
            Resource::Org(w.customer),
            Resource::SomeRooms(w.customer),
            w.us_room(),
            relationship.clone(),
        ] {
            assert_eq!(
                authorize(&everything, action, &resource),
                MISSING_ROLE,
                "{permission:?} on {resource:?}"
            );
        }
        assert_eq!(reach(&everything, w.customer, *permission), None);
        let just = BTreeSet::from([*permission]);
        assert_eq!(
            authorize_role_permissions(&everything, w.customer, &just),
            MISSING_ROLE
        );
        assert_eq!(
            authorize_grant(
                &everything,
                w.customer,
                &just,
                &w.us_only(),
                &w.groups_of_rooms()
            ),
            MISSING_ROLE
        );
    }
    // Primary admins' own permissions do pass, so the refusals above are the cap at work.
    for permission in &primary {
        let action = action_for(*permission);
        let (allowed_on, refused_on) = match permission {
            // Role management is the relationship's partner roles, never the customer's own.
            Permission::RolesView | Permission::RolesModify => {
                (relationship.clone(), Some(Resource::Org(w.customer)))
            }
            _ => (Resource::Org(w.customer), None),
        };
        assert_eq!(
            authorize(&everything, action, &allowed_on),
            Decision::Allow,
            "{permission:?}"
        );
        if let Some(resource) = refused_on {
            assert_eq!(authorize(&everything, action, &resource), MISSING_ROLE);
        }
        assert!(reach(&everything, w.customer, *permission).is_some_and(|r| r.is_all_rooms()));
    }
    assert_eq!(
        authorize_role_permissions(&everything, w.customer, &primary),
        Decision::Allow
    );
}

/// A partner hands out partner roles only inside the relationship's scope: "all rooms" means all
/// of the relationship's rooms (the ceiling applies when the grant is used), a named room or
/// group must lie inside the ceiling.
#[test]
fn a_partner_grant_naming_anything_outside_the_ceiling_is_out_of_scope() {
    let w = World::new();
    let admin = w.actor(Kind::PrimaryAdmin);
    let tickets = BTreeSet::from([Permission::TicketsView]);
    let groups = w.groups_of_rooms();
    let grant = |actor: &Actor, permissions: &BTreeSet<Permission>, scope: &Scope| {
        authorize_grant(actor, w.customer, permissions, scope, &groups)
    };
    let cases = [
        (some(&[w.us_room], &[]), Decision::Allow),
        (some(&[], &[w.us]), Decision::Allow),
        (Scope::AllRooms, Decision::Allow),
        (some(&[], &[]), Decision::Allow),
        (some(&[w.eu_room], &[]), OUT_OF_SCOPE),
        (some(&[], &[w.eu]), OUT_OF_SCOPE),
        (some(&[w.us_room, w.eu_room], &[]), OUT_OF_SCOPE),
        (some(&[w.us_room], &[w.eu]), OUT_OF_SCOPE),
        // A room whose groups are unknown is in no group, so not inside a group ceiling.
        (some(&[RoomId::new()], &[]), OUT_OF_SCOPE),
    ];
    for (scope, expected) in &cases {
        assert_eq!(grant(&admin, &tickets, scope), *expected, "{scope:?}");
    }
    // The ceiling bounds the grant even where the partner's own grants name the room.
    let wide = w.partner_user(
        w.us_only(),
        vec![w.customer_grant(tickets.clone(), some(&[w.us_room, w.eu_room], &[]))],
        false,
    );
    assert_eq!(
        grant(&wide, &tickets, &some(&[w.eu_room], &[])),
        OUT_OF_SCOPE
    );
    assert_eq!(
        grant(&wide, &tickets, &some(&[w.us_room], &[])),
        Decision::Allow
    );
    // Help desk over one room: neither the whole group nor all rooms, nor what it lacks.
    let narrow = w.partner_user(
        w.us_only(),
        vec![w.customer_grant(tickets.clone(), some(&[w.us_room], &[]))],
        false,
    );
    assert_eq!(grant(&narrow, &tickets, &some(&[], &[w.us])), OUT_OF_SCOPE);
    assert_eq!(grant(&narrow, &tickets, &Scope::AllRooms), OUT_OF_SCOPE);
    assert_eq!(
        grant(
            &narrow,
            &BTreeSet::from([Permission::RoomsView]),
            &some(&[w.us_room], &[])
        ),
        MISSING_ROLE
    );
    // Nothing at all in a customer without a partnership.
    let other = w.actor(Kind::OtherPartnersPrimaryAdmin);
    assert_eq!(
        grant(&other, &tickets, &some(&[w.us_room], &[])),
        MISSING_ROLE
    );
}

/// `reach` (what list queries filter by) is the partner's grants within the ceiling, and agrees
/// room by room with `authorize`.
#[test]
fn a_partners_reach_is_its_grants_within_the_ceiling() {
    let w = World::new();
    let another_us_room = RoomId::new();
    let ungrouped_room = RoomId::new();
    let rooms = [
        (w.us_room, BTreeSet::from([w.us])),
        (another_us_room, BTreeSet::from([w.us])),
        (w.eu_room, BTreeSet::from([w.eu])),
        (ungrouped_room, BTreeSet::new()),
    ];
    // (grants' scope, ceiling, which of `rooms` are in reach)
    let cases = [
        (Scope::AllRooms, w.us_only(), [true, true, false, false]),
        (
            some(&[w.us_room, w.eu_room], &[]),
            Scope::AllRooms,
            [true, false, true, false],
        ),
        (some(&[w.eu_room], &[]), w.us_only(), [false; 4]),
        (
            some(&[], &[w.us]),
            some(&[w.us_room], &[]),
            [true, false, false, false],
        ),
        (
            some(&[ungrouped_room], &[w.eu]),
            some(&[ungrouped_room], &[w.us]),
            [false, false, false, true],
        ),
        (Scope::AllRooms, Scope::AllRooms, [true; 4]),
    ];
    for (grants, ceiling, expected) in cases {
        let actor = w.partner_user(
            ceiling.clone(),
            vec![w.customer_grant(BTreeSet::from([Permission::RoomsModify]), grants.clone())],
            false,
        );
        let held = reach(&actor, w.customer, Permission::RoomsModify)
            .unwrap_or_else(|| panic!("a grant holds it"));
        assert_eq!(held.grants, grants);
        assert_eq!(held.ceiling, ceiling);
        assert_eq!(
            held.is_all_rooms(),
            grants == Scope::AllRooms && ceiling == Scope::AllRooms
        );
        for ((room, groups), expected) in rooms.iter().zip(expected) {
            assert_eq!(
                held.covers_room(*room, groups),
                expected,
                "{grants:?} within {ceiling:?}"
            );
            let resource = Resource::Room {
                org: w.customer,
                room: *room,
                room_groups: groups.clone(),
            };
            let decided = authorize(&actor, Action::ModifyRoom, &resource) == Decision::Allow;
            assert_eq!(decided, expected, "authorize agrees with reach");
        }
        // A permission no grant holds, or one beyond Primary admins', is out of reach.
        assert_eq!(reach(&actor, w.customer, Permission::RoomsView), None);
        assert_eq!(reach(&actor, w.customer, Permission::RoomsCreate), None);
        // Nothing of the partner's own organisation or of another one comes with it.
        assert_eq!(reach(&actor, w.partner, Permission::RoomsModify), None);
        assert_eq!(reach(&actor, w.stranger, Permission::RoomsModify), None);
    }
}

/// A group itself (rename, members) is in reach only when both the grants and the ceiling name
/// it, since its membership can grow past a room-by-room scope.
#[test]
fn a_room_group_is_in_reach_only_when_grants_and_ceiling_both_name_it() {
    let w = World::new();
    let named = |grants: Scope, ceiling: Scope| Reach { grants, ceiling };
    assert!(named(Scope::AllRooms, Scope::AllRooms).names_group(w.us));
    assert!(named(Scope::AllRooms, w.us_only()).names_group(w.us));
    assert!(!named(Scope::AllRooms, w.us_only()).names_group(w.eu));
    assert!(!named(some(&[], &[w.eu]), w.us_only()).names_group(w.eu));
    assert!(!named(some(&[w.us_room], &[]), Scope::AllRooms).names_group(w.us));
    assert!(named(some(&[], &[w.us]), Scope::AllRooms).names_group(w.us));
    // The same through `authorize` on the group itself.
    let admin = w.actor(Kind::PrimaryAdmin);
    let group = |group| Resource::RoomGroup {
        org: w.customer,
        group,
    };
    assert_eq!(
        authorize(&admin, Action::ViewRoomGroups, &group(w.us)),
        Decision::Allow
    );
    assert_eq!(
        authorize(&admin, Action::ViewRoomGroups, &group(w.eu)),
        OUT_OF_SCOPE
    );
}

/// With a ceiling of all rooms a Primary admin acts on the customer as a whole for its room
/// permissions, yet still never on the customer's own roles; the partner roles need a grant over
/// all of the relationship's rooms.
#[test]
fn a_ceiling_of_all_rooms_opens_the_customer_as_a_whole_but_not_its_roles() {
    let w = World::new();
    let primary = BuiltInRole::PrimaryAdmins.permissions();
    let admin = w.partner_user(
        Scope::AllRooms,
        vec![w.customer_grant(primary.clone(), Scope::AllRooms)],
        true,
    );
    let relationship = Resource::Relationship {
        org: w.customer,
        relationship: w.relationship,
    };
    let customer = Resource::Org(w.customer);
    assert_eq!(
        authorize(&admin, Action::ViewRooms, &customer),
        Decision::Allow
    );
    assert_eq!(
        authorize(&admin, Action::ModifyUpdateRing, &customer),
        Decision::Allow
    );
    for action in [Action::ViewRoles, Action::ModifyRoles] {
        assert_eq!(authorize(&admin, action, &customer), MISSING_ROLE);
        assert_eq!(authorize(&admin, action, &relationship), Decision::Allow);
    }
    // Role management over the "US" group only is not over the relationship's rooms.
    let us_roles = w.partner_user(
        Scope::AllRooms,
        vec![w.customer_grant(primary, w.us_only())],
        true,
    );
    for action in [Action::ViewRoles, Action::ModifyRoles] {
        assert_eq!(authorize(&us_roles, action, &relationship), OUT_OF_SCOPE);
    }
}

/// A partner acts through its own relationship only: another relationship of the same customer
/// is nothing to it, and ending the relationship is its Primary admins' only.
#[test]
fn a_partner_acts_on_its_own_relationship_only() {
    let w = World::new();
    let admin = w.actor(Kind::PrimaryAdmin);
    let help_desk = w.actor(Kind::HelpDesk);
    let ours = Resource::Relationship {
        org: w.customer,
        relationship: w.relationship,
    };
    let theirs = Resource::Relationship {
        org: w.customer,
        relationship: RelationshipId::new(),
    };
    for action in [
        Action::ViewRoles,
        Action::ModifyRoles,
        Action::RemoveCustomer,
    ] {
        assert_eq!(
            authorize(&admin, action, &ours),
            Decision::Allow,
            "{action:?}"
        );
        assert_eq!(authorize(&admin, action, &theirs), NOT_MEMBER, "{action:?}");
    }
    assert_eq!(
        authorize(&help_desk, Action::RemoveCustomer, &ours),
        MISSING_ROLE
    );
    assert_eq!(
        authorize(&help_desk, Action::RemoveCustomer, &theirs),
        NOT_MEMBER
    );
    // The customer sees the partner roles and deletes them, never edits them.
    let customer_admin = w.actor(Kind::CustomerGlobalAdmin);
    assert_eq!(
        authorize(&customer_admin, Action::ViewRoles, &ours),
        Decision::Allow
    );
    assert_eq!(
        authorize(&customer_admin, Action::ManagePartners, &ours),
        Decision::Allow
    );
    assert_eq!(
        authorize(&customer_admin, Action::ModifyRoles, &ours),
        MISSING_ROLE
    );
}

/// Standing: home in one's own organisation, partner in a customer through a partnership, and
/// stranger everywhere else (the partner's Global admin included, until it holds a partner role).
#[test]
fn standing_comes_from_home_or_a_partnership_and_nothing_else() {
    let w = World::new();
    let admin = w.actor(Kind::PrimaryAdmin);
    assert_eq!(admin.standing(w.partner), Standing::Home);
    assert!(matches!(
        admin.standing(w.customer),
        Standing::Partner(p) if p.relationship == w.relationship
    ));
    assert_eq!(admin.standing(w.stranger), Standing::Stranger);
    assert_eq!(
        admin.partnership(w.customer).map(|p| p.relationship),
        Some(w.relationship)
    );
    assert_eq!(admin.partnership(w.partner), None);
    assert_eq!(admin.partnership(w.stranger), None);
    assert!(has_standing(&admin, w.partner));
    assert!(has_standing(&admin, w.customer));
    assert!(!has_standing(&admin, w.stranger));
    assert!(!has_standing(&admin, w.other_customer));
    let partner_admin = w.actor(Kind::PartnerGlobalAdmin);
    assert_eq!(partner_admin.standing(w.customer), Standing::Stranger);
    assert!(!has_standing(&partner_admin, w.customer));
    // With partnerships for two customers, each customer finds its own.
    let other = w.actor(Kind::OtherPartnersPrimaryAdmin);
    let mut both = admin.clone();
    both.partnerships.extend(other.partnerships.iter().cloned());
    assert_eq!(
        both.partnership(w.customer).map(|p| p.relationship),
        Some(w.relationship)
    );
    assert_eq!(
        both.partnership(w.other_customer).map(|p| p.relationship),
        Some(w.other_relationship)
    );
}

/// A refusal answers "not found" for what the actor may not see at all: rooms and room groups
/// they may not view, anything of an organisation where they have no standing. A partner sees
/// the customer's rooms inside the ceiling only, and a partner's Global admin nothing of the
/// customer until it holds a partner role there.
#[test]
fn what_may_be_seen_follows_view_permissions_inside_the_ceiling_and_standing() {
    let w = World::new();
    let group = |group| Resource::RoomGroup {
        org: w.customer,
        group,
    };
    let stranger_room = w.resource(
        &w.actor(Kind::CustomerUser),
        Action::ViewRooms,
        Place::Elsewhere,
    );
    let relationship = Resource::Relationship {
        org: w.customer,
        relationship: w.relationship,
    };
    // (actor, [US room, EU room, US group, EU group, customer, some rooms, relationship,
    //  a room elsewhere, the stranger organisation])
    let cases = [
        (
            Kind::PrimaryAdmin,
            [true, false, true, false, true, true, true, false, false],
        ),
        // Tickets only: no room or group to look at, yet standing in the customer.
        (
            Kind::HelpDesk,
            [false, false, false, false, true, true, true, false, false],
        ),
        (Kind::PartnerGlobalAdmin, [false; 9]),
        (Kind::OtherPartnersPrimaryAdmin, [false; 9]),
        (
            Kind::CustomerSiteLead,
            [true, false, true, false, true, true, true, false, false],
        ),
        (
            Kind::CustomerGlobalAdmin,
            [true, true, true, true, true, true, true, false, false],
        ),
    ];
    for (kind, expected) in cases {
        let actor = w.actor(kind);
        let resources = [
            w.us_room(),
            w.eu_room(),
            group(w.us),
            group(w.eu),
            Resource::Org(w.customer),
            Resource::SomeRooms(w.customer),
            relationship.clone(),
            stranger_room.clone(),
            Resource::OrgRoleChange {
                org: w.stranger,
                global_admins_after: 1,
            },
        ];
        for (resource, expected) in resources.iter().zip(expected) {
            assert_eq!(
                may_see(&actor, resource),
                expected,
                "{} / {resource:?}",
                kind.label()
            );
        }
    }
}
