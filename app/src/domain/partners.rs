//! Partner relationships (specification section 4): what a customer invites a partner to, and
//! the wire types of both sides' pages. The relationship belongs to the customer; the partner
//! reads it through the relationship only.

use super::authz::{Permission, Scope};
use super::directory::Principal;
use super::ids::{
    ChangeRequestId, OrgId, RelationshipId, RoleId, RoomGroupId, RoomId, UpdateRingId,
};
use super::organisation::{domain, upn_shape};
use super::rooms::RoomInput;
use super::validation::{is_hidden, Valid, ValidationError};
#[cfg(feature = "ssr")]
use sea_orm::sea_query::StringLen;
use serde::{Deserialize, Serialize};
use strum::EnumIter;

/// Stored state of a relationship. "Expired" and "ending soon" are not stored: they follow from
/// the dates and `now`, so no job has to run for access to end on time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, EnumIter)]
#[cfg_attr(feature = "ssr", derive(sea_orm::DeriveActiveEnum))]
#[cfg_attr(
    feature = "ssr",
    sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")
)]
pub enum RelationshipState {
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "pending"))]
    Pending,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "active"))]
    Active,
}

/// What both sides see, computed from the stored state, the dates and `now`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RelationshipStatus {
    Pending,
    Active,
    /// Active, and its end date is within [`ENDING_SOON_DAYS`].
    EndingSoon,
    /// An invitation past its expiry, or a relationship past its end date.
    Expired,
}

impl RelationshipStatus {
    pub fn label(self) -> &'static str {
        match self {
            RelationshipStatus::Pending => "Pending",
            RelationshipStatus::Active => "Active",
            RelationshipStatus::EndingSoon => "Ending soon",
            RelationshipStatus::Expired => "Expired",
        }
    }

    /// Whether the partner may act for the customer: accepted and not past its end date.
    pub fn is_live(self) -> bool {
        matches!(
            self,
            RelationshipStatus::Active | RelationshipStatus::EndingSoon
        )
    }
}

/// Relationships ending within this many days are flagged on both sides.
pub const ENDING_SOON_DAYS: i64 = 30;
/// An invitation expires after 1 to this many days.
pub const MAX_INVITATION_DAYS: u32 = 30;

/// The status of a relationship at `now`.
pub fn status_at(
    state: RelationshipState,
    invitation_expires_at: chrono::DateTime<chrono::Utc>,
    ends_at: Option<chrono::DateTime<chrono::Utc>>,
    now: chrono::DateTime<chrono::Utc>,
) -> RelationshipStatus {
    match state {
        RelationshipState::Pending if now >= invitation_expires_at => RelationshipStatus::Expired,
        RelationshipState::Pending => RelationshipStatus::Pending,
        RelationshipState::Active => match ends_at {
            Some(end) if now >= end => RelationshipStatus::Expired,
            Some(end) if end - now <= chrono::Duration::days(ENDING_SOON_DAYS) => {
                RelationshipStatus::EndingSoon
            }
            _ => RelationshipStatus::Active,
        },
    }
}

/// Change-control categories the customer can put under approval. Only categories whose
/// changes the portal holds for approval are listed, so the wizard offers nothing it does not
/// enforce.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, EnumIter,
)]
#[cfg_attr(feature = "ssr", derive(sea_orm::DeriveActiveEnum))]
#[cfg_attr(
    feature = "ssr",
    sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")
)]
pub enum ChangeCategory {
    /// Editing a room's details, moving it to another update ring, unenrolling it.
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "rooms"))]
    Rooms,
}

impl ChangeCategory {
    pub fn label(self) -> &'static str {
        match self {
            ChangeCategory::Rooms => "Room changes",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            ChangeCategory::Rooms => {
                "Editing a room's details, moving it to another update ring, unenrolling it."
            }
        }
    }
}

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, EnumIter,
)]
#[cfg_attr(feature = "ssr", derive(sea_orm::DeriveActiveEnum))]
#[cfg_attr(
    feature = "ssr",
    sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")
)]
pub enum ApprovalMode {
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "auto"))]
    Auto,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "manual"))]
    Manual,
}

/// The rooms a relationship covers, as the customer chose them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopeChoice {
    pub all_rooms: bool,
    pub rooms: Vec<RoomId>,
    pub room_groups: Vec<RoomGroupId>,
}

impl ScopeChoice {
    pub fn to_scope(&self) -> Scope {
        if self.all_rooms {
            Scope::AllRooms
        } else {
            Scope::Some {
                rooms: self.rooms.iter().copied().collect(),
                room_groups: self.room_groups.iter().copied().collect(),
            }
        }
    }
}

/// Summary of a partner relationship row, shared by both sides' lists.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelationshipSummary {
    pub id: RelationshipId,
    pub customer: OrgId,
    pub customer_name: String,
    pub customer_domain: String,
    pub partner: OrgId,
    pub partner_name: String,
    pub partner_domain: String,
    pub status: RelationshipStatus,
    /// "All rooms", or "2 room groups (All US rooms), 1 room".
    pub scope_summary: String,
    pub rooms_in_scope: u64,
    pub invitation_expires_at: chrono::DateTime<chrono::Utc>,
    pub ends_at: Option<chrono::DateTime<chrono::Utc>>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub accepted_at: Option<chrono::DateTime<chrono::Utc>>,
    pub approvals: Vec<(ChangeCategory, ApprovalMode)>,
}

/// A member of a partner role, as the customer sees it: named with their organisation, read
/// from the partner's directory through the relationship.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerMemberView {
    pub principal: Principal,
    pub name: String,
    /// The user's UPN, or "Security group".
    pub detail: String,
    pub org_name: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerRoleView {
    pub id: RoleId,
    pub name: String,
    pub built_in: bool,
    pub permissions: Vec<Permission>,
    pub members: Vec<PartnerMemberView>,
}

/// *Settings > Partners*: one relationship with its partner roles.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerView {
    pub summary: RelationshipSummary,
    /// The rooms in scope as chosen, with names, for changing them.
    pub scope_all_rooms: bool,
    pub scope_rooms: Vec<(RoomId, String)>,
    pub scope_groups: Vec<(RoomGroupId, String)>,
    pub invited_admins: Vec<String>,
    pub roles: Vec<PartnerRoleView>,
}

/// How much of a customer a partner user sees in *Tenants*.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TenantAccess {
    /// The user holds a partner role for the customer and can switch to it.
    Works,
    /// Tenant managers, Global admins and MSAs without a role: name, domain, status and the
    /// number of rooms in scope only.
    Metadata,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantView {
    pub summary: RelationshipSummary,
    pub access: TenantAccess,
    /// Whether the user may accept or deny (pending invitations only).
    pub may_answer: bool,
    /// Whether the user is one of the customer's Primary admins (may remove the customer).
    pub primary_admin: bool,
}

/// Rows per page of *Tenants*.
pub const TENANT_PAGE_SIZE: u64 = 50;

/// One page of *Tenants*: invitations first (pending before expired), then customers (live
/// before ended), each by name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantPage {
    pub rows: Vec<TenantView>,
    /// Zero-based, clamped to the last page.
    pub page: u64,
    pub pages: u64,
    /// Over every page.
    pub invitations_waiting: u64,
    pub customers: u64,
}

/// *Add partner*, as the wizard sends it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationDraft {
    pub partner_domain: String,
    /// Days until the invitation expires, 1 to [`MAX_INVITATION_DAYS`].
    pub expires_in_days: u32,
    /// UPNs of the partner's users the customer names; they join "Invited admins" on accept.
    pub invited_admins: Vec<String>,
    pub approvals: Vec<(ChangeCategory, ApprovalMode)>,
    pub scope: ScopeChoice,
    /// The last day of the relationship (UTC); it ends at the start of the next day.
    pub ends_on: Option<chrono::NaiveDate>,
    pub terms_accepted: bool,
}

impl InvitationDraft {
    pub const MAX_INVITED_ADMINS: usize = 20;
    pub const MAX_SCOPE_ITEMS: usize = 500;

    /// Checks the draft as of `today` (UTC). The domain is normalised; whether it names a known
    /// organisation other than the customer is the service's to say.
    pub fn validate(mut self, today: chrono::NaiveDate) -> Result<Valid<Self>, ValidationError> {
        self.partner_domain = domain("partner_domain", &self.partner_domain)?;
        if !(1..=MAX_INVITATION_DAYS).contains(&self.expires_in_days) {
            return Err(ValidationError::new(
                "expires_in_days",
                format!("Choose between 1 and {MAX_INVITATION_DAYS} days."),
            ));
        }
        let mut upns = Vec::new();
        for raw in self.invited_admins.iter().filter(|u| !u.trim().is_empty()) {
            let (upn, upn_domain) = upn_shape("invited_admins", raw)?;
            if upn_domain != self.partner_domain {
                return Err(ValidationError::new(
                    "invited_admins",
                    format!(
                        "{upn} is not on the partner's domain {}: invite the partner's own users.",
                        self.partner_domain
                    ),
                ));
            }
            if !upns.contains(&upn) {
                upns.push(upn);
            }
        }
        if upns.len() > Self::MAX_INVITED_ADMINS {
            return Err(ValidationError::new(
                "invited_admins",
                format!("Invite at most {} admins.", Self::MAX_INVITED_ADMINS),
            ));
        }
        self.invited_admins = upns;
        let mut approvals: Vec<(ChangeCategory, ApprovalMode)> = Vec::new();
        for (category, mode) in self.approvals {
            approvals.retain(|(c, _)| *c != category);
            approvals.push((category, mode));
        }
        approvals.sort();
        self.approvals = approvals;
        self.scope = validate_scope(self.scope)?;
        if let Some(end) = self.ends_on {
            if end < today {
                return Err(ValidationError::new(
                    "ends_on",
                    "Choose an end date from today on, or none.",
                ));
            }
        }
        if !self.terms_accepted {
            return Err(ValidationError::new(
                "terms",
                "Agree to the terms to send the invitation.",
            ));
        }
        Ok(Valid(self))
    }
}

/// A relationship's rooms: all, or at least one room or room group (deduplicated).
pub fn validate_scope(mut scope: ScopeChoice) -> Result<ScopeChoice, ValidationError> {
    scope.rooms.sort();
    scope.rooms.dedup();
    scope.room_groups.sort();
    scope.room_groups.dedup();
    if scope.all_rooms {
        scope.rooms.clear();
        scope.room_groups.clear();
    } else if scope.rooms.is_empty() && scope.room_groups.is_empty() {
        return Err(ValidationError::new(
            "scope",
            "Choose rooms or room groups, or all rooms.",
        ));
    } else if scope.rooms.len() + scope.room_groups.len() > InvitationDraft::MAX_SCOPE_ITEMS {
        return Err(ValidationError::new(
            "scope",
            format!(
                "Choose at most {} rooms and groups; use a room group for more.",
                InvitationDraft::MAX_SCOPE_ITEMS
            ),
        ));
    }
    Ok(scope)
}

/// The moment a relationship ending on `day` ends: the start of the next day, UTC.
pub fn end_of(day: chrono::NaiveDate) -> chrono::DateTime<chrono::Utc> {
    let next = day.succ_opt().unwrap_or(day);
    next.and_time(chrono::NaiveTime::MIN).and_utc()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, Utc};

    fn draft() -> InvitationDraft {
        InvitationDraft {
            partner_domain: " Northwind.example ".into(),
            expires_in_days: 14,
            invited_admins: vec![
                "Ann@northwind.example".into(),
                "ann@northwind.example".into(),
            ],
            approvals: vec![(ChangeCategory::Rooms, ApprovalMode::Manual)],
            scope: ScopeChoice {
                all_rooms: false,
                rooms: vec![],
                room_groups: vec![RoomGroupId::new()],
            },
            ends_on: None,
            terms_accepted: true,
        }
    }

    fn noon() -> chrono::DateTime<Utc> {
        let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap_or_default();
        day.and_hms_opt(12, 0, 0).unwrap_or_default().and_utc()
    }

    #[test]
    fn invitation_drafts_are_checked_field_by_field() {
        let today = noon().date_naive();
        let ok = draft().validate(today).map(|v| v.get().clone());
        assert_eq!(
            ok.as_ref().map(|d| d.partner_domain.as_str()),
            Ok("northwind.example")
        );
        assert_eq!(
            ok.map(|d| d.invited_admins),
            Ok(vec!["ann@northwind.example".to_owned()])
        );
        let field = |d: InvitationDraft| d.validate(today).err().map(|e| e.field);
        assert_eq!(
            field(InvitationDraft {
                expires_in_days: 0,
                ..draft()
            }),
            Some("expires_in_days".to_owned())
        );
        assert_eq!(
            field(InvitationDraft {
                expires_in_days: 31,
                ..draft()
            }),
            Some("expires_in_days".to_owned())
        );
        assert_eq!(
            field(InvitationDraft {
                partner_domain: "not a domain".into(),
                ..draft()
            }),
            Some("partner_domain".to_owned())
        );
        assert_eq!(
            field(InvitationDraft {
                invited_admins: vec!["eve@contoso.example".into()],
                ..draft()
            }),
            Some("invited_admins".to_owned())
        );
        assert_eq!(
            field(InvitationDraft {
                terms_accepted: false,
                ..draft()
            }),
            Some("terms".to_owned())
        );
        assert_eq!(
            field(InvitationDraft {
                ends_on: today.pred_opt(),
                ..draft()
            }),
            Some("ends_on".to_owned())
        );
        let empty = ScopeChoice {
            all_rooms: false,
            rooms: vec![],
            room_groups: vec![],
        };
        assert_eq!(
            field(InvitationDraft {
                scope: empty,
                ..draft()
            }),
            Some("scope".to_owned())
        );
        assert_eq!(end_of(today), noon() + Duration::hours(12));
    }

    #[test]
    fn status_follows_the_dates() {
        let now = noon();
        let later = now + Duration::days(3);
        let s = RelationshipState::Pending;
        assert_eq!(status_at(s, later, None, now), RelationshipStatus::Pending);
        assert_eq!(status_at(s, now, None, now), RelationshipStatus::Expired);
        let a = RelationshipState::Active;
        assert_eq!(status_at(a, now, None, now), RelationshipStatus::Active);
        assert_eq!(
            status_at(a, now, Some(now + Duration::days(31)), now),
            RelationshipStatus::Active
        );
        assert_eq!(
            status_at(a, now, Some(now + Duration::days(30)), now),
            RelationshipStatus::EndingSoon
        );
        assert_eq!(
            status_at(a, now, Some(now), now),
            RelationshipStatus::Expired
        );
        assert!(!RelationshipStatus::Expired.is_live());
        assert!(RelationshipStatus::EndingSoon.is_live());
    }
}

// ---------------------------------------------------------------------------------------------
// Change requests: a partner's change held for the customer's approval.

/// A change request waits this many days for the customer's decision, then expires.
pub const CHANGE_REQUEST_DAYS: i64 = 7;

/// Where a change request stands. Only pending, approved, rejected and failed are stored;
/// "expired" follows from the expiry date and `now`, so no job has to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, EnumIter)]
pub enum ChangeRequestState {
    /// Waiting for the customer's decision.
    Pending,
    /// Approved and applied as the partner asked.
    Approved,
    /// Rejected by the customer, with a reason; nothing changed.
    Rejected,
    /// Not decided within [`CHANGE_REQUEST_DAYS`]; nothing changed.
    Expired,
    /// Approved, but the partner could no longer make the change then; nothing changed.
    Failed,
}

impl ChangeRequestState {
    /// The stored value.
    pub fn key(self) -> &'static str {
        match self {
            ChangeRequestState::Pending => "pending",
            ChangeRequestState::Approved => "approved",
            ChangeRequestState::Rejected => "rejected",
            ChangeRequestState::Expired => "expired",
            ChangeRequestState::Failed => "failed",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ChangeRequestState::Pending => "Pending",
            ChangeRequestState::Approved => "Approved",
            ChangeRequestState::Rejected => "Rejected",
            ChangeRequestState::Expired => "Expired",
            ChangeRequestState::Failed => "Not applied",
        }
    }

    /// The state at `now` of a request stored as `key` that expires at `expires_at`. A value
    /// this version does not know reads as failed: it never counts as pending.
    pub fn at(
        key: &str,
        expires_at: chrono::DateTime<chrono::Utc>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Self {
        use strum::IntoEnumIterator;
        match Self::iter().find(|s| s.key() == key) {
            Some(ChangeRequestState::Pending) if now >= expires_at => ChangeRequestState::Expired,
            Some(state) => state,
            None => ChangeRequestState::Failed,
        }
    }
}

/// A partner's change in the Rooms category, as held for approval and applied on approval.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RoomChange {
    /// Change the room's details to `input`.
    Update { room: RoomId, input: RoomInput },
    /// Move the room to another update ring, or out of its ring (`None`).
    SetRing {
        room: RoomId,
        ring: Option<UpdateRingId>,
    },
    /// Unenroll the room (its device credential is revoked).
    Unenroll { room: RoomId },
    /// Delete the room, with its device credential, incidents and tickets.
    Delete { room: RoomId },
}

impl RoomChange {
    pub fn room(&self) -> RoomId {
        match self {
            RoomChange::Update { room, .. }
            | RoomChange::SetRing { room, .. }
            | RoomChange::Unenroll { room }
            | RoomChange::Delete { room } => *room,
        }
    }

    pub fn category(&self) -> ChangeCategory {
        match self {
            RoomChange::Update { .. }
            | RoomChange::SetRing { .. }
            | RoomChange::Unenroll { .. }
            | RoomChange::Delete { .. } => ChangeCategory::Rooms,
        }
    }
}

/// What a change request keeps of the change: the change itself, and what it was in words when
/// the partner asked (the room's names then, the values before and after).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldChange {
    pub change: RoomChange,
    pub asked: String,
}

/// What a partner's change led to: done, or held for the customer's approval.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChangeOutcome {
    Applied,
    AwaitingApproval(ChangeRequestId),
}

/// One change request, as the customer's *Approvals* and the partner's *Change requests* show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeRequestView {
    pub id: ChangeRequestId,
    pub customer: OrgId,
    pub customer_name: String,
    pub partner: OrgId,
    pub partner_name: String,
    pub relationship: RelationshipId,
    pub category: ChangeCategory,
    /// The object as the audit log names it ("Rainier -> Rainier 2").
    pub object_name: String,
    /// What was asked, in words.
    pub asked: String,
    pub requested_by_name: String,
    /// The requester's organisation (the partner).
    pub requested_by_org: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub expires_at: chrono::DateTime<chrono::Utc>,
    pub state: ChangeRequestState,
    pub decided_at: Option<chrono::DateTime<chrono::Utc>>,
    pub decided_by_name: Option<String>,
    /// Why it was rejected, or why it could not be applied; may be empty for an approval.
    pub reason: String,
}

/// The reason a customer gives with a decision: trimmed, at most [`DecisionReason::MAX_CHARS`],
/// no hidden characters but line breaks. Required to reject (the partner sees it), optional to
/// approve.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecisionReason(String);

impl DecisionReason {
    pub const MAX_CHARS: usize = 500;

    pub fn parse(approve: bool, raw: &str) -> Result<Self, ValidationError> {
        let reason = raw.trim();
        if !approve && reason.is_empty() {
            return Err(ValidationError::new(
                "reason",
                "Say why you reject the change: the partner sees your reason.",
            ));
        }
        if reason.chars().count() > Self::MAX_CHARS {
            return Err(ValidationError::new(
                "reason",
                format!("Use at most {} characters.", Self::MAX_CHARS),
            ));
        }
        if reason.chars().any(|c| c != '\n' && is_hidden(c)) {
            return Err(ValidationError::new(
                "reason",
                "Use letters, digits, punctuation and line breaks only.",
            ));
        }
        Ok(Self(reason.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod change_request_tests {
    use super::*;
    use chrono::{Duration, TimeZone, Utc};

    #[test]
    fn a_pending_request_expires_on_its_date_and_unknown_states_never_read_as_pending() {
        let now = Utc
            .with_ymd_and_hms(2026, 11, 24, 12, 0, 0)
            .single()
            .unwrap_or_default();
        let later = now + Duration::days(CHANGE_REQUEST_DAYS);
        let at = |key: &str, when| ChangeRequestState::at(key, later, when);
        assert_eq!(at("pending", now), ChangeRequestState::Pending);
        assert_eq!(at("pending", later), ChangeRequestState::Expired);
        assert_eq!(at("approved", later), ChangeRequestState::Approved);
        assert_eq!(at("rejected", now), ChangeRequestState::Rejected);
        assert_eq!(at("failed", now), ChangeRequestState::Failed);
        assert_eq!(at("PENDING", now), ChangeRequestState::Failed);
    }

    #[test]
    fn a_rejection_needs_a_reason_of_at_most_500_characters() {
        let field = |approve, raw: &str| DecisionReason::parse(approve, raw).err().map(|e| e.field);
        assert_eq!(field(false, "  "), Some("reason".to_owned()));
        assert_eq!(field(true, ""), None);
        assert_eq!(field(false, &"x".repeat(500)), None);
        assert_eq!(field(false, &"x".repeat(501)), Some("reason".to_owned()));
        assert_eq!(field(true, &"x".repeat(501)), Some("reason".to_owned()));
        assert_eq!(field(false, "no\u{202e}pe"), Some("reason".to_owned()));
        assert_eq!(
            DecisionReason::parse(false, " Not in the\nfreeze window ")
                .map(|r| r.as_str().to_owned()),
            Ok("Not in the\nfreeze window".to_owned())
        );
    }
}
