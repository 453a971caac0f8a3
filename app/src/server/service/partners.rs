//! Partner relationships (specification section 4), both sides: the customer's *Settings >
//! Partners* (invite, withdraw, change, delete a partner role, remove) and the partner's
//! *Tenants* (see, accept, deny, remove the customer), and the partnerships an actor holds.
//!
//! The relationship and its partner roles are the customer's rows. The partner reaches them only
//! through `CustomerScopes`, made from relationship rows that name it; the actor's partnerships
//! are read afresh on every request and filtered by `now`, so a removal, a deleted role or a
//! passed end date counts on the next request without any job.

use super::audit::{Attempt, Category, Operation};
use super::membership::members_of;
use super::roles::permissions_and_scopes;
use crate::domain::authz::{
    Action, Actor, BuiltInRole, DenyReason, Grant, Partnership, Permission, Resource, Scope,
};
use crate::domain::directory::Principal;
use crate::domain::ids::{
    GroupId, OrgId, RelationshipId, RoleAssignmentId, RoleId, RoomGroupId, UserId,
};
use crate::domain::partners::{
    end_of, status_at, InvitationDraft, PartnerMemberView, PartnerRoleView, PartnerView,
    RelationshipState, RelationshipStatus, RelationshipSummary, ScopeChoice, TenantAccess,
    TenantPage, TenantView, TENANT_PAGE_SIZE,
};
use crate::domain::validation::{Valid, ValidationError};
use crate::server::entity::{
    org_domain, organisation, partner_approval, partner_invited_admin, partner_relationship,
    partner_scope_item, role, role_assignment, role_assignment_member, room, room_group, user,
};
use crate::server::error::{ConflictKind, ServiceError};
use crate::server::scope::{CustomerScopes, Scoped, TenantScope};
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Alias, CaseStatement, Expr, Func, UnionType};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, JoinType,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Set, TransactionSession,
    TransactionTrait,
};
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

/// The names of Primary admins' two assignments.
pub const ASSIGNED_ADMINS: &str = "Assigned admins";
pub const INVITED_ADMINS: &str = "Invited admins";

/// A relationship is live (the partner may act) once accepted and before its end date.
pub(crate) fn live(now: DateTime<Utc>) -> Condition {
    Condition::all()
        .add(partner_relationship::Column::State.eq(RelationshipState::Active))
        .add(
            Condition::any()
                .add(partner_relationship::Column::EndsAt.is_null())
                .add(partner_relationship::Column::EndsAt.gt(now)),
        )
}

/// The partnerships `user` of partner organisation `partner` (member of `groups`) holds now:
/// one per live relationship in which a partner role's assignment names them; in customer
/// `only` if given, else in every customer.
pub(crate) async fn partnerships_of(
    db: &impl ConnectionTrait,
    partner: OrgId,
    user: UserId,
    groups: &BTreeSet<GroupId>,
    only: Option<OrgId>,
    now: DateTime<Utc>,
) -> Result<Vec<Partnership>, ServiceError> {
    let mut relationships = CustomerScopes::relationships_of(partner).filter(live(now));
    if let Some(customer) = only {
        relationships = relationships.filter(partner_relationship::Column::OrgId.eq(customer));
    }
    let relationships = relationships.all(db).await?;
    let customers = CustomerScopes::of(partner, &relationships);
    if customers.is_empty() {
        return Ok(vec![]);
    }
    let memberships = customers
        .select::<role_assignment_member::Entity>()
        .filter(
            Condition::any()
                .add(role_assignment_member::Column::UserId.eq(user))
                .add(role_assignment_member::Column::GroupId.is_in(groups.iter().copied())),
        )
        .all(db)
        .await?;
    if memberships.is_empty() {
        return Ok(vec![]);
    }
    let assignments = customers
        .select::<role_assignment::Entity>()
        .filter(role_assignment::Column::Id.is_in(memberships.iter().map(|m| m.assignment_id)))
        .all(db)
        .await?;
    // Only roles of a live relationship of this partner, in that relationship's customer.
    let by_id: BTreeMap<RelationshipId, &partner_relationship::Model> =
        relationships.iter().map(|r| (r.id, r)).collect();
    let roles: Vec<role::Model> = customers
        .select::<role::Entity>()
        .filter(role::Column::Id.is_in(assignments.iter().map(|a| a.role_id)))
        .all(db)
        .await?
        .into_iter()
        .filter(|r| {
            r.relationship_id
                .and_then(|rel| by_id.get(&rel))
                .is_some_and(|rel| rel.org_id == r.org_id)
        })
        .collect();
    let role_of: BTreeMap<RoleId, &role::Model> = roles.iter().map(|r| (r.id, r)).collect();
    let assignments: Vec<role_assignment::Model> = assignments
        .into_iter()
        .filter(|a| role_of.contains_key(&a.role_id))
        .collect();
    let (grants, _) = super::roles::grants_with(db, &customers, &roles, &assignments).await?;
    let ceilings = ceilings(db, &customers, &relationships).await?;
    let mut held: BTreeMap<RelationshipId, Partnership> = BTreeMap::new();
    for (a, (permissions, scope)) in assignments.iter().zip(grants) {
        let role = role_of[&a.role_id];
        let Some(rel) = role.relationship_id.and_then(|id| by_id.get(&id)) else {
            continue;
        };
        let p = held.entry(rel.id).or_insert_with(|| Partnership {
            relationship: rel.id,
            customer: rel.org_id,
            ceiling: ceilings.get(&rel.id).cloned().unwrap_or(Scope::AllRooms),
            grants: vec![],
            primary_admin: false,
        });
        p.primary_admin |= role.built_in == Some(BuiltInRole::PrimaryAdmins);
        p.grants.push(Grant {
            org: rel.org_id,
            permissions,
            scope,
        });
    }
    Ok(held.into_values().collect())
}

/// The list's groups, in order: open invitations, expired ones, live customers, ended ones.
const OPEN_INVITATION: i32 = 0;
const LIVE_CUSTOMER: i32 = 2;

/// A relationship's place in *Tenants*, in SQL: [`status_at`] at `now`, grouped as the list
/// shows it.
fn list_rank(now: DateTime<Utc>) -> CaseStatement {
    use partner_relationship::Column as R;
    Expr::case(
        Condition::all()
            .add(R::AcceptedAt.is_null())
            .add(R::State.eq(RelationshipState::Pending))
            .add(R::InvitationExpiresAt.gt(now)),
        OPEN_INVITATION,
    )
    .case(R::AcceptedAt.is_null(), 1)
    .case(live(now), LIVE_CUSTOMER)
    .finally(3)
}

/// Joins a relationship's customer organisation (for its name).
fn customer_of_relationship() -> sea_orm::RelationDef {
    partner_relationship::Entity::belongs_to(organisation::Entity)
        .from(partner_relationship::Column::OrgId)
        .to(organisation::Column::Id)
        .into()
}

/// Each relationship's ceiling: all rooms, or the rooms and room groups the customer chose.
async fn ceilings(
    db: &impl ConnectionTrait,
    scope: &impl Scoped,
    relationships: &[partner_relationship::Model],
) -> Result<BTreeMap<RelationshipId, Scope>, ServiceError> {
    let narrow: Vec<RelationshipId> = relationships
        .iter()
        .filter(|r| !r.all_rooms)
        .map(|r| r.id)
        .collect();
    let items = if narrow.is_empty() {
        vec![]
    } else {
        scope
            .select::<partner_scope_item::Entity>()
            .filter(partner_scope_item::Column::RelationshipId.is_in(narrow))
            .all(db)
            .await?
    };
    Ok(relationships
        .iter()
        .map(|r| {
            if r.all_rooms {
                return (r.id, Scope::AllRooms);
            }
            let mine = items.iter().filter(|i| i.relationship_id == r.id);
            let scope = Scope::Some {
                rooms: mine.clone().filter_map(|i| i.room_id).collect(),
                room_groups: mine.filter_map(|i| i.room_group_id).collect(),
            };
            (r.id, scope)
        })
        .collect())
}

// ---------------------------------------------------------------------------------------------
// Customer side.

/// # Authorization
/// `Action::ViewPartners` on the organisation (Global admin or MSA).
pub async fn list_partners(
    db: &impl ConnectionTrait,
    actor: &Actor,
    org: OrgId,
    now: DateTime<Utc>,
) -> Result<Vec<PartnerView>, ServiceError> {
    let scope = TenantScope::authorize(actor, Action::ViewPartners, &Resource::Org(org))?;
    let relationships = scope
        .select::<partner_relationship::Entity>()
        .order_by_asc(partner_relationship::Column::CreatedAt)
        .all(db)
        .await?;
    let summaries = summaries(db, &scope, &relationships, now).await?;
    let invited = scope
        .select::<partner_invited_admin::Entity>()
        .order_by_asc(partner_invited_admin::Column::Upn)
        .all(db)
        .await?;
    let mut roles = partner_roles(db, &scope, &relationships).await?;
    let items = scope.select::<partner_scope_item::Entity>().all(db).await?;
    let room_names: BTreeMap<_, _> = scope
        .select::<room::Entity>()
        .filter(room::Column::Id.is_in(items.iter().filter_map(|i| i.room_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.id, r.display_name))
        .collect();
    let group_names: BTreeMap<_, _> = scope
        .select::<room_group::Entity>()
        .filter(room_group::Column::Id.is_in(items.iter().filter_map(|i| i.room_group_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|g| (g.id, g.name))
        .collect();
    let all_rooms: BTreeSet<RelationshipId> = relationships
        .iter()
        .filter(|r| r.all_rooms)
        .map(|r| r.id)
        .collect();
    Ok(summaries
        .into_iter()
        .map(|summary| PartnerView {
            scope_all_rooms: all_rooms.contains(&summary.id),
            scope_rooms: items
                .iter()
                .filter(|i| i.relationship_id == summary.id)
                .filter_map(|i| i.room_id)
                .filter_map(|r| Some((r, room_names.get(&r)?.clone())))
                .collect(),
            scope_groups: items
                .iter()
                .filter(|i| i.relationship_id == summary.id)
                .filter_map(|i| i.room_group_id)
                .filter_map(|g| Some((g, group_names.get(&g)?.clone())))
                .collect(),
            invited_admins: invited
                .iter()
                .filter(|i| i.relationship_id == summary.id)
                .map(|i| i.upn.clone())
                .collect(),
            roles: roles.remove(&summary.id).unwrap_or_default(),
            summary,
        })
        .collect())
}

/// The partner roles of `relationships`, with their members named from the partner's directory.
async fn partner_roles(
    db: &impl ConnectionTrait,
    scope: &TenantScope,
    relationships: &[partner_relationship::Model],
) -> Result<BTreeMap<RelationshipId, Vec<PartnerRoleView>>, ServiceError> {
    let roles = scope
        .select::<role::Entity>()
        .filter(role::Column::RelationshipId.is_in(relationships.iter().map(|r| r.id)))
        .order_by_asc(role::Column::NameLower)
        .all(db)
        .await?;
    let assignments = scope
        .select::<role_assignment::Entity>()
        .filter(role_assignment::Column::RoleId.is_in(roles.iter().map(|r| r.id)))
        .all(db)
        .await?;
    let members = scope
        .select::<role_assignment_member::Entity>()
        .filter(
            role_assignment_member::Column::AssignmentId.is_in(assignments.iter().map(|a| a.id)),
        )
        .all(db)
        .await?;
    let (grants, _) = permissions_and_scopes(db, scope, &assignments).await?;
    let mut permissions: BTreeMap<RoleId, BTreeSet<Permission>> = BTreeMap::new();
    for (a, (perms, _)) in assignments.iter().zip(grants) {
        permissions.insert(a.role_id, perms);
    }
    let mut names: BTreeMap<Principal, PartnerMemberView> = BTreeMap::new();
    let org_names = org_names(db, relationships.iter().map(|r| r.partner_org_id)).await?;
    for rel in relationships {
        let partner = TenantScope::partner_of(rel);
        let org_name = org_names
            .get(&rel.partner_org_id)
            .cloned()
            .unwrap_or_default();
        let principals: Vec<Principal> = members
            .iter()
            .filter(|m| m.org_id == rel.org_id)
            .filter_map(|m| match (m.user_id, m.group_id) {
                (Some(u), _) => Some(Principal::User(u)),
                (None, Some(g)) => Some(Principal::Group(g)),
                (None, None) => None,
            })
            .collect();
        for view in super::directory::describe(db, &partner, &principals).await? {
            names.insert(
                view.principal,
                PartnerMemberView {
                    principal: view.principal,
                    name: view.name,
                    detail: view.detail,
                    org_name: org_name.clone(),
                },
            );
        }
    }
    let mut out: BTreeMap<RelationshipId, Vec<PartnerRoleView>> = BTreeMap::new();
    for r in roles {
        let Some(rel) = r.relationship_id else {
            continue;
        };
        let mine: BTreeSet<RoleAssignmentId> = assignments
            .iter()
            .filter(|a| a.role_id == r.id)
            .map(|a| a.id)
            .collect();
        let mut role_members: Vec<PartnerMemberView> = members
            .iter()
            .filter(|m| mine.contains(&m.assignment_id))
            .filter_map(|m| {
                let p = match (m.user_id, m.group_id) {
                    (Some(u), _) => Principal::User(u),
                    (None, Some(g)) => Principal::Group(g),
                    (None, None) => return None,
                };
                names.get(&p).cloned()
            })
            .collect();
        role_members.sort_by_key(|m| m.name.to_lowercase());
        role_members.dedup_by_key(|m| m.principal);
        let perms = match r.built_in {
            Some(b) => b.permissions(),
            None => permissions.remove(&r.id).unwrap_or_default(),
        };
        out.entry(rel).or_default().push(PartnerRoleView {
            id: r.id,
            name: r.name,
            built_in: r.built_in.is_some(),
            permissions: perms.into_iter().collect(),
            members: role_members,
        });
    }
    Ok(out)
}

async fn org_name(db: &impl ConnectionTrait, org: OrgId) -> Result<String, ServiceError> {
    Ok(super::identity::get_org(db, org).await?.name)
}

/// The first verified domain of each organisation.
async fn domains_of(
    db: &impl ConnectionTrait,
    orgs: impl IntoIterator<Item = OrgId>,
) -> Result<BTreeMap<OrgId, String>, ServiceError> {
    let orgs: BTreeSet<OrgId> = orgs.into_iter().collect();
    let mut out = BTreeMap::new();
    for d in org_domain::Entity::find()
        .filter(org_domain::Column::OrgId.is_in(orgs))
        .order_by_asc(org_domain::Column::Domain)
        .all(db)
        .await?
    {
        out.entry(d.org_id).or_insert(d.domain);
    }
    Ok(out)
}

/// What both sides' lists show of `relationships` (all of one customer, or a page of one
/// partner's): a fixed number of statements however many there are.
async fn summaries(
    db: &impl ConnectionTrait,
    scope: &impl Scoped,
    relationships: &[partner_relationship::Model],
    now: DateTime<Utc>,
) -> Result<Vec<RelationshipSummary>, ServiceError> {
    if relationships.is_empty() {
        return Ok(vec![]);
    }
    let orgs: BTreeSet<OrgId> = relationships
        .iter()
        .flat_map(|r| [r.org_id, r.partner_org_id])
        .collect();
    let names = org_names(db, orgs.iter().copied()).await?;
    let domains = domains_of(db, orgs).await?;
    let ceilings = ceilings(db, scope, relationships).await?;
    let approvals = scope
        .select::<partner_approval::Entity>()
        .filter(partner_approval::Column::RelationshipId.is_in(relationships.iter().map(|r| r.id)))
        .all(db)
        .await?;
    let scopes = describe_scopes(db, scope, relationships, &ceilings).await?;
    let mut out = Vec::with_capacity(relationships.len());
    for (r, (scope_summary, rooms_in_scope)) in relationships.iter().zip(scopes) {
        out.push(RelationshipSummary {
            id: r.id,
            customer: r.org_id,
            customer_name: names.get(&r.org_id).cloned().unwrap_or_default(),
            customer_domain: domains.get(&r.org_id).cloned().unwrap_or_default(),
            partner: r.partner_org_id,
            partner_name: names.get(&r.partner_org_id).cloned().unwrap_or_default(),
            partner_domain: domains.get(&r.partner_org_id).cloned().unwrap_or_default(),
            status: status_at(r.state, r.invitation_expires_at, r.ends_at, now),
            scope_summary,
            rooms_in_scope,
            invitation_expires_at: r.invitation_expires_at,
            ends_at: r.ends_at,
            created_at: r.created_at,
            accepted_at: r.accepted_at,
            approvals: approvals
                .iter()
                .filter(|a| a.relationship_id == r.id)
                .map(|a| (a.category, a.mode))
                .collect(),
        });
    }
    Ok(out)
}

/// Organisations' names, and nothing else of their rows (which hold sign-in settings).
async fn org_names(
    db: &impl ConnectionTrait,
    orgs: impl IntoIterator<Item = OrgId>,
) -> Result<BTreeMap<OrgId, String>, ServiceError> {
    Ok(organisation::Entity::find()
        .filter(organisation::Column::Id.is_in(orgs))
        .select_only()
        .column(organisation::Column::Id)
        .column(organisation::Column::Name)
        .into_tuple::<(OrgId, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}

/// Compound statements per round trip, below SQLite's limit of 500 terms.
const COUNTS_PER_STATEMENT: usize = 100;

/// For each relationship, "All rooms" or "Room groups: All US rooms; 2 rooms", and how many
/// rooms that is now: the groups in one read, the counts in one `UNION ALL` (each term counts
/// one relationship's rooms through its customer's scope).
async fn describe_scopes(
    db: &impl ConnectionTrait,
    scope: &impl Scoped,
    relationships: &[partner_relationship::Model],
    ceilings: &BTreeMap<RelationshipId, Scope>,
) -> Result<Vec<(String, u64)>, ServiceError> {
    let named: BTreeSet<RoomGroupId> = ceilings
        .values()
        .flat_map(|c| match c {
            Scope::AllRooms => vec![],
            Scope::Some { room_groups, .. } => room_groups.iter().copied().collect(),
        })
        .collect();
    let groups: BTreeMap<RoomGroupId, room_group::Model> = if named.is_empty() {
        BTreeMap::new()
    } else {
        scope
            .select::<room_group::Entity>()
            .filter(room_group::Column::Id.is_in(named))
            .all(db)
            .await?
            .into_iter()
            .map(|g| (g.id, g))
            .collect()
    };
    let mut out = Vec::with_capacity(relationships.len());
    let mut terms = Vec::with_capacity(relationships.len());
    for (k, r) in relationships.iter().enumerate() {
        let customer = TenantScope::customer_of(r);
        let mut count = customer.select::<room::Entity>().select_only();
        match ceilings.get(&r.id) {
            Some(Scope::Some { rooms, room_groups }) => {
                let mut mine: Vec<&room_group::Model> = room_groups
                    .iter()
                    .filter_map(|g| groups.get(g))
                    .filter(|g| g.org_id == r.org_id)
                    .collect();
                mine.sort_by(|a, b| a.name_lower.cmp(&b.name_lower));
                let within = mine.iter().fold(
                    Condition::any().add(room::Column::Id.is_in(rooms.iter().copied())),
                    |any, g| any.add(members_of(&customer, g)),
                );
                count = count.filter(within);
                out.push(scope_words(&mine, rooms.len()));
            }
            _ => out.push("All rooms".to_owned()),
        }
        terms.push(
            count
                .expr_as(Expr::val(k as i64), "k")
                .expr_as(room::Column::Id.count(), "n")
                .into_query(),
        );
    }
    let mut counts = vec![0u64; relationships.len()];
    for chunk in terms.chunks(COUNTS_PER_STATEMENT) {
        let Some((first, rest)) = chunk.split_first() else {
            continue;
        };
        let mut union = first.clone();
        for term in rest {
            union.union(UnionType::All, term.clone());
        }
        for row in db.query_all(&union).await? {
            let k: i64 = row.try_get("", "k")?;
            let n: i64 = row.try_get("", "n")?;
            if let Some(slot) = usize::try_from(k).ok().and_then(|k| counts.get_mut(k)) {
                *slot = u64::try_from(n).unwrap_or_default();
            }
        }
    }
    Ok(out.into_iter().zip(counts).collect())
}

/// "Room groups: All US rooms, Boardrooms; 2 rooms".
fn scope_words(groups: &[&room_group::Model], rooms: usize) -> String {
    let mut parts = Vec::new();
    if !groups.is_empty() {
        let names: Vec<&str> = groups.iter().map(|g| g.name.as_str()).collect();
        parts.push(format!(
            "{}: {}",
            if groups.len() == 1 {
                "Room group"
            } else {
                "Room groups"
            },
            names.join(", ")
        ));
    }
    if rooms > 0 {
        parts.push(match rooms {
            1 => "1 room".to_owned(),
            n => format!("{n} rooms"),
        });
    }
    parts.join("; ")
}

/// Checks that a scope names only this organisation's rooms and room groups.
async fn check_scope(
    db: &impl ConnectionTrait,
    scope: &TenantScope,
    choice: &ScopeChoice,
) -> Result<(), ServiceError> {
    let rooms = scope
        .select::<room::Entity>()
        .filter(room::Column::Id.is_in(choice.rooms.iter().copied()))
        .count(db)
        .await?;
    let groups = scope
        .select::<room_group::Entity>()
        .filter(room_group::Column::Id.is_in(choice.room_groups.iter().copied()))
        .count(db)
        .await?;
    if rooms as usize != choice.rooms.len() || groups as usize != choice.room_groups.len() {
        return Err(
            ValidationError::new("scope", "Some of the chosen rooms no longer exist.").into(),
        );
    }
    Ok(())
}

async fn write_scope(
    db: &impl ConnectionTrait,
    scope: &TenantScope,
    relationship: RelationshipId,
    choice: &ScopeChoice,
) -> Result<(), ServiceError> {
    let rooms = choice.rooms.iter().map(|r| (Some(*r), None));
    let groups = choice.room_groups.iter().map(|g| (None, Some(*g)));
    for (room_id, room_group_id) in rooms.chain(groups) {
        partner_scope_item::ActiveModel {
            id: Set(Uuid::new_v4()),
            org_id: Set(scope.org()),
            relationship_id: Set(relationship),
            room_id: Set(room_id),
            room_group_id: Set(room_group_id),
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

/// # Authorization
/// `Action::ManagePartners` on the organisation.
pub async fn invite_partner(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    org: OrgId,
    draft: Valid<InvitationDraft>,
    now: DateTime<Utc>,
) -> Result<RelationshipId, ServiceError> {
    let d = draft.get();
    let attempt = Attempt::new(
        actor,
        Category::PartnerInvitation,
        Operation::Create,
        &d.partner_domain,
        now,
    );
    let scope = attempt
        .authorize(db, Action::ManagePartners, &Resource::Org(org))
        .await?;
    let unknown = || {
        ServiceError::from(ValidationError::new(
            "partner_domain",
            format!(
                "No organisation signs in to Rooms MTM with {}. Check the domain with your partner.",
                d.partner_domain
            ),
        ))
    };
    let partner = org_domain::Entity::find_by_id(d.partner_domain.clone())
        .one(db)
        .await?
        .ok_or_else(unknown)?
        .org_id;
    if partner == org {
        return Err(ValidationError::new(
            "partner_domain",
            "That is your own organisation's domain: invite another organisation.",
        )
        .into());
    }
    let partner_org = super::identity::get_org(db, partner).await?;
    if !partner_org.manages_customers {
        return Err(ValidationError::new(
            "partner_domain",
            format!(
                "{} does not manage customers' rooms in Rooms MTM, so it cannot be your partner.",
                partner_org.name
            ),
        )
        .into());
    }
    check_scope(db, &scope, &d.scope).await?;
    let tx = super::begin_write(db).await?;
    // An invitation that expired unanswered holds nothing: a new one replaces it.
    let existing = scope
        .select::<partner_relationship::Entity>()
        .filter(partner_relationship::Column::PartnerOrgId.eq(partner))
        .one(&tx)
        .await?;
    if let Some(old) = existing {
        let expired = status_at(old.state, old.invitation_expires_at, old.ends_at, now)
            == RelationshipStatus::Expired;
        if !expired {
            return Err(ServiceError::Conflict(ConflictKind::AlreadyPartner));
        }
        delete_relationship(&tx, &scope, old.id).await?;
    }
    let id = RelationshipId::new();
    partner_relationship::ActiveModel {
        id: Set(id),
        org_id: Set(org),
        partner_org_id: Set(partner),
        state: Set(RelationshipState::Pending),
        all_rooms: Set(d.scope.all_rooms),
        invitation_expires_at: Set(now + Duration::days(i64::from(d.expires_in_days))),
        ends_at: Set(d.ends_on.map(end_of)),
        created_at: Set(now),
        accepted_at: Set(None),
        lapse_logged_for: Set(None),
    }
    .insert(&tx)
    .await?;
    write_scope(&tx, &scope, id, &d.scope).await?;
    for upn in &d.invited_admins {
        partner_invited_admin::ActiveModel {
            relationship_id: Set(id),
            upn: Set(upn.clone()),
            org_id: Set(org),
        }
        .insert(&tx)
        .await?;
    }
    for (category, mode) in &d.approvals {
        partner_approval::ActiveModel {
            relationship_id: Set(id),
            category: Set(*category),
            org_id: Set(org),
            mode: Set(*mode),
        }
        .insert(&tx)
        .await?;
    }
    let object = format!("{} ({})", partner_org.name, d.partner_domain);
    let rel = find(&tx, &scope, id).await?;
    attempt.naming(&object).record_for_both(&tx, &rel).await?;
    tx.commit().await?;
    Ok(id)
}

async fn find(
    db: &impl ConnectionTrait,
    scope: &TenantScope,
    id: RelationshipId,
) -> Result<partner_relationship::Model, ServiceError> {
    scope
        .select::<partner_relationship::Entity>()
        .filter(partner_relationship::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)
}

/// Deletes a relationship with its partner roles (their assignments, members and scopes go with
/// them by cascade), its scope, invited admins, approval settings and change requests.
async fn delete_relationship(
    db: &impl ConnectionTrait,
    scope: &TenantScope,
    id: RelationshipId,
) -> Result<(), ServiceError> {
    scope
        .delete_many::<role::Entity>()
        .filter(role::Column::RelationshipId.eq(id))
        .exec(db)
        .await?;
    scope
        .delete_many::<partner_relationship::Entity>()
        .filter(partner_relationship::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// The partner's name and domain, for audit entries.
async fn partner_label(
    db: &impl ConnectionTrait,
    rel: &partner_relationship::Model,
    customer_side: bool,
) -> Result<String, ServiceError> {
    let other = if customer_side {
        rel.partner_org_id
    } else {
        rel.org_id
    };
    let name = org_name(db, other).await?;
    let domain = domains_of(db, [other])
        .await?
        .remove(&other)
        .unwrap_or_default();
    Ok(format!("{name} ({domain})"))
}

/// # Authorization
/// `Action::ManagePartners` on the organisation. Withdraws a pending invitation, or removes a
/// partner: its roles and access end at once.
pub async fn remove_partner(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    org: OrgId,
    id: RelationshipId,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let blind = format!("relationship {id}");
    let attempt = Attempt::new(actor, Category::Partner, Operation::Delete, &blind, now);
    let scope = attempt
        .authorize(db, Action::ManagePartners, &Resource::Org(org))
        .await?;
    let tx = super::begin_write(db).await?;
    let rel = find(&tx, &scope, id).await?;
    let category = match rel.state {
        RelationshipState::Pending => Category::PartnerInvitation,
        RelationshipState::Active => Category::Partner,
    };
    let object = partner_label(&tx, &rel, true).await?;
    delete_relationship(&tx, &scope, id).await?;
    Attempt::new(actor, category, Operation::Delete, &object, now)
        .record_for_both(&tx, &rel)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// # Authorization
/// `Action::ManagePartners` on the relationship. Changes the rooms in scope (narrowing counts on
/// the partner's next request) and the end date.
pub async fn update_partner(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    org: OrgId,
    id: RelationshipId,
    choice: ScopeChoice,
    ends_on: Option<chrono::NaiveDate>,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let blind = format!("relationship {id}");
    let attempt = Attempt::new(actor, Category::Partner, Operation::Update, &blind, now);
    let scope = attempt
        .authorize(
            db,
            Action::ManagePartners,
            &Resource::Relationship {
                org,
                relationship: id,
            },
        )
        .await?;
    let choice = crate::domain::partners::validate_scope(choice)?;
    if let Some(end) = ends_on {
        if end < now.date_naive() {
            return Err(ValidationError::new(
                "ends_on",
                "Choose an end date from today on, or none.",
            )
            .into());
        }
    }
    check_scope(db, &scope, &choice).await?;
    let tx = super::begin_write(db).await?;
    let rel = find(&tx, &scope, id).await?;
    // An accepted relationship past its end date can be extended; an invitation that expired
    // unanswered cannot be revived (send a new one).
    let status = status_at(rel.state, rel.invitation_expires_at, rel.ends_at, now);
    if rel.state == RelationshipState::Pending && status == RelationshipStatus::Expired {
        return Err(ServiceError::Conflict(ConflictKind::InvitationExpired));
    }
    let object = partner_label(&tx, &rel, true).await?;
    let mut active: partner_relationship::ActiveModel = rel.clone().into();
    active.all_rooms = Set(choice.all_rooms);
    active.ends_at = Set(ends_on.map(end_of));
    active.update(&tx).await?;
    scope
        .delete_many::<partner_scope_item::Entity>()
        .filter(partner_scope_item::Column::RelationshipId.eq(id))
        .exec(&tx)
        .await?;
    write_scope(&tx, &scope, id, &choice).await?;
    Attempt::new(actor, Category::Partner, Operation::Update, &object, now)
        .record_for_both(&tx, &rel)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// # Authorization
/// `Action::ManagePartners` on the relationship: the customer deletes any partner role,
/// Primary admins included.
pub async fn delete_partner_role(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    org: OrgId,
    id: RelationshipId,
    role_id: RoleId,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let blind = format!("partner role {role_id}");
    let attempt = Attempt::new(actor, Category::Role, Operation::Delete, &blind, now);
    let scope = attempt
        .authorize(
            db,
            Action::ManagePartners,
            &Resource::Relationship {
                org,
                relationship: id,
            },
        )
        .await?;
    let tx = super::begin_write(db).await?;
    let rel = find(&tx, &scope, id).await?;
    let found = scope
        .select::<role::Entity>()
        .filter(role::Column::Id.eq(role_id))
        .filter(role::Column::RelationshipId.eq(id))
        .one(&tx)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let object = format!(
        "{} of {}",
        found.name,
        partner_label(&tx, &rel, true).await?
    );
    scope
        .delete_many::<role::Entity>()
        .filter(role::Column::Id.eq(role_id))
        .exec(&tx)
        .await?;
    Attempt::new(actor, Category::Role, Operation::Delete, &object, now)
        .record_for_both(&tx, &rel)
        .await?;
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Partner side.

/// The user's UPN, lower-cased, as invitations name partner users.
async fn upn_of(db: &impl ConnectionTrait, actor: &Actor) -> Result<String, ServiceError> {
    Ok(TenantScope::trusted(actor.org)
        .select::<user::Entity>()
        .filter(user::Column::Id.eq(actor.user))
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)?
        .upn_lower)
}

/// # Authorization
/// The partner's own relationships, as far as the actor sees them: pending invitations to staff
/// (Global admins, MSAs, Tenant managers) and to the invited admins; customers to staff (name,
/// domain, status, rooms in scope) and in full to holders of a partner role. One page, in the
/// order [`TenantPage`] gives, chosen and counted in SQL, so that a partner of 2,000 customers
/// reads 50 of them.
pub async fn list_tenants(
    db: &impl ConnectionTrait,
    actor: &Actor,
    page: u64,
    now: DateTime<Utc>,
) -> Result<TenantPage, ServiceError> {
    let staff =
        crate::domain::authz::authorize(actor, Action::ViewTenants, &Resource::Org(actor.org))
            == crate::domain::authz::Decision::Allow;
    let groups = super::identity::groups_of(db, actor.org, actor.user).await?;
    let holds = || CustomerScopes::holds_role(actor.user, groups.iter().copied(), None);
    let seen = if staff {
        Condition::all()
    } else {
        Condition::any()
            .add(Condition::all().add(live(now)).add(holds()))
            .add(
                Condition::all()
                    .add(partner_relationship::Column::State.eq(RelationshipState::Pending))
                    .add(CustomerScopes::invites(&upn_of(db, actor).await?)),
            )
    };
    // Every visible relationship's id and group, in list order: small rows, the visibility
    // decided once per relationship; the page and the counts are taken from them.
    let order: Vec<(RelationshipId, i32)> = CustomerScopes::relationships_of(actor.org)
        .filter(seen)
        .join(JoinType::InnerJoin, customer_of_relationship())
        .select_only()
        .column(partner_relationship::Column::Id)
        .expr_as(list_rank(now), "rank")
        .order_by_asc(Expr::col(Alias::new("rank")))
        .order_by_asc(Func::lower(Expr::col((
            organisation::Entity,
            organisation::Column::Name,
        ))))
        .order_by_asc(partner_relationship::Column::Id)
        .into_tuple::<(RelationshipId, i32)>()
        .all(db)
        .await?;
    let count = |keep: fn(i32) -> bool| order.iter().filter(|(_, r)| keep(*r)).count() as u64;
    let invitations_waiting = count(|r| r == OPEN_INVITATION);
    let customers = count(|r| r >= LIVE_CUSTOMER);
    let pages = (order.len() as u64).div_ceil(TENANT_PAGE_SIZE).max(1);
    let page = page.min(pages - 1);
    let ids: Vec<RelationshipId> = order
        .into_iter()
        .skip((page * TENANT_PAGE_SIZE) as usize)
        .take(TENANT_PAGE_SIZE as usize)
        .map(|(id, _)| id)
        .collect();
    let mut rows: BTreeMap<RelationshipId, partner_relationship::Model> =
        CustomerScopes::relationships_of(actor.org)
            .filter(partner_relationship::Column::Id.is_in(ids.iter().copied()))
            .all(db)
            .await?
            .into_iter()
            .map(|r| (r.id, r))
            .collect();
    let rows: Vec<partner_relationship::Model> =
        ids.iter().filter_map(|id| rows.remove(id)).collect();
    // Of the page's: where the user works, and where among the Primary admins.
    let held = |built_in| {
        CustomerScopes::relationships_of(actor.org)
            .filter(partner_relationship::Column::Id.is_in(ids.iter().copied()))
            .filter(live(now))
            .filter(CustomerScopes::holds_role(
                actor.user,
                groups.iter().copied(),
                built_in,
            ))
            .select_only()
            .column(partner_relationship::Column::Id)
            .into_tuple::<RelationshipId>()
    };
    let works: BTreeSet<RelationshipId> = held(None).all(db).await?.into_iter().collect();
    let primary: BTreeSet<RelationshipId> = held(Some(BuiltInRole::PrimaryAdmins))
        .all(db)
        .await?
        .into_iter()
        .collect();
    let summaries = summaries(db, &CustomerScopes::of(actor.org, &rows), &rows, now).await?;
    let rows = summaries
        .into_iter()
        .map(|mut summary| {
            let access = if works.contains(&summary.id) {
                TenantAccess::Works
            } else {
                TenantAccess::Metadata
            };
            // Without a role, an accepted customer is name, domain, status and the number of
            // rooms in scope; an invitation shows what is offered, so that it can be answered.
            if access == TenantAccess::Metadata && summary.status != RelationshipStatus::Pending {
                summary.scope_summary = String::new();
                summary.approvals.clear();
            }
            TenantView {
                may_answer: staff && summary.status == RelationshipStatus::Pending,
                primary_admin: primary.contains(&summary.id),
                summary,
                access,
            }
        })
        .collect();
    Ok(TenantPage {
        rows,
        page,
        pages,
        invitations_waiting,
        customers,
    })
}

/// # Authorization
/// `Action::AnswerInvitation` in the partner's organisation. Accepting makes the relationship
/// live with a Primary admins role whose "Assigned admins" are `primary_admins` (the partner's
/// users or groups) and whose "Invited admins" are the invited UPNs that exist in the partner.
/// Exactly one of two concurrent answers wins: the state changes only from pending.
pub async fn accept_invitation(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    id: RelationshipId,
    primary_admins: Vec<Principal>,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let blind = format!("invitation {id}");
    let attempt = Attempt::new(
        actor,
        Category::PartnerInvitation,
        Operation::Update,
        &blind,
        now,
    );
    let home = attempt
        .authorize(db, Action::AnswerInvitation, &Resource::Org(actor.org))
        .await?;
    let mut admins = primary_admins;
    admins.sort();
    admins.dedup();
    if admins.is_empty() {
        return Err(ValidationError::new(
            "primary_admins",
            "Name at least one primary admin: a user or security group of your organisation.",
        )
        .into());
    }
    if super::directory::describe(db, &home, &admins).await?.len() != admins.len() {
        return Err(ServiceError::NotFound);
    }
    let tx = super::begin_write(db).await?;
    let rel = pending_invitation(&tx, actor, id, now).await?;
    let won = TenantScope::customer_of(&rel)
        .update_many::<partner_relationship::Entity>()
        .col_expr(
            partner_relationship::Column::State,
            Expr::value(RelationshipState::Active),
        )
        .col_expr(partner_relationship::Column::AcceptedAt, Expr::value(now))
        .filter(partner_relationship::Column::Id.eq(rel.id))
        .filter(partner_relationship::Column::PartnerOrgId.eq(actor.org))
        .filter(partner_relationship::Column::State.eq(RelationshipState::Pending))
        .exec(&tx)
        .await?
        .rows_affected;
    if won != 1 {
        return Err(ServiceError::Conflict(ConflictKind::InvitationAnswered));
    }
    let customer = TenantScope::customer_of(&rel);
    let invited_upns: Vec<String> = customer
        .select::<partner_invited_admin::Entity>()
        .filter(partner_invited_admin::Column::RelationshipId.eq(rel.id))
        .all(&tx)
        .await?
        .into_iter()
        .map(|i| i.upn)
        .collect();
    let invited: Vec<Principal> = home
        .select::<user::Entity>()
        .filter(user::Column::UpnLower.is_in(invited_upns))
        .all(&tx)
        .await?
        .into_iter()
        .map(|u| Principal::User(u.id))
        .collect();
    let role_id = RoleId::new();
    let name = BuiltInRole::PrimaryAdmins.name();
    role::ActiveModel {
        id: Set(role_id),
        org_id: Set(rel.org_id),
        name: Set(name.to_owned()),
        name_lower: Set(name.to_lowercase()),
        description: Set(BuiltInRole::PrimaryAdmins.description().to_owned()),
        built_in: Set(Some(BuiltInRole::PrimaryAdmins)),
        relationship_id: Set(Some(rel.id)),
        created_at: Set(now),
    }
    .insert(&tx)
    .await?;
    for (assignment, members) in [(ASSIGNED_ADMINS, &admins), (INVITED_ADMINS, &invited)] {
        insert_all_rooms_assignment(&tx, &customer, role_id, assignment, members, now).await?;
    }
    let object = format!("Accepted: {}", partner_label(&tx, &rel, false).await?);
    Attempt::new(
        actor,
        Category::PartnerInvitation,
        Operation::Update,
        &object,
        now,
    )
    .record_for_both(&tx, &rel)
    .await?;
    tx.commit().await?;
    Ok(())
}

async fn insert_all_rooms_assignment(
    db: &impl ConnectionTrait,
    customer: &TenantScope,
    role_id: RoleId,
    name: &str,
    members: &[Principal],
    now: DateTime<Utc>,
) -> Result<RoleAssignmentId, ServiceError> {
    let id = RoleAssignmentId::new();
    role_assignment::ActiveModel {
        id: Set(id),
        org_id: Set(customer.org()),
        role_id: Set(role_id),
        name: Set(name.to_owned()),
        description: Set(String::new()),
        notify: Set(false),
        all_rooms: Set(true),
        created_at: Set(now),
    }
    .insert(db)
    .await?;
    for member in members {
        let (user_id, group_id) = match member {
            Principal::User(u) => (Some(*u), None),
            Principal::Group(g) => (None, Some(*g)),
        };
        role_assignment_member::ActiveModel {
            id: Set(Uuid::new_v4()),
            org_id: Set(customer.org()),
            assignment_id: Set(id),
            user_id: Set(user_id),
            group_id: Set(group_id),
        }
        .insert(db)
        .await?;
    }
    Ok(id)
}

/// The partner's pending, unexpired invitation `id`: answered or withdrawn ones are a conflict,
/// expired ones say so, and other organisations' are not found.
async fn pending_invitation(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: RelationshipId,
    now: DateTime<Utc>,
) -> Result<partner_relationship::Model, ServiceError> {
    let rel = CustomerScopes::relationships_of(actor.org)
        .filter(partner_relationship::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or(ServiceError::Conflict(ConflictKind::InvitationAnswered))?;
    match status_at(rel.state, rel.invitation_expires_at, rel.ends_at, now) {
        RelationshipStatus::Pending => Ok(rel),
        RelationshipStatus::Expired if rel.state == RelationshipState::Pending => {
            Err(ServiceError::Conflict(ConflictKind::InvitationExpired))
        }
        _ => Err(ServiceError::Conflict(ConflictKind::InvitationAnswered)),
    }
}

/// # Authorization
/// `Action::AnswerInvitation` in the partner's organisation. Denying deletes the invitation; the
/// customer must send a new one.
pub async fn deny_invitation(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    id: RelationshipId,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let blind = format!("invitation {id}");
    let attempt = Attempt::new(
        actor,
        Category::PartnerInvitation,
        Operation::Delete,
        &blind,
        now,
    );
    attempt
        .authorize(db, Action::AnswerInvitation, &Resource::Org(actor.org))
        .await?;
    let tx = super::begin_write(db).await?;
    let rel = pending_invitation(&tx, actor, id, now).await?;
    let object = format!("Denied: {}", partner_label(&tx, &rel, false).await?);
    let gone = TenantScope::customer_of(&rel)
        .delete_many::<partner_relationship::Entity>()
        .filter(partner_relationship::Column::Id.eq(rel.id))
        .filter(partner_relationship::Column::PartnerOrgId.eq(actor.org))
        .filter(partner_relationship::Column::State.eq(RelationshipState::Pending))
        .exec(&tx)
        .await?
        .rows_affected;
    if gone != 1 {
        return Err(ServiceError::Conflict(ConflictKind::InvitationAnswered));
    }
    Attempt::new(
        actor,
        Category::PartnerInvitation,
        Operation::Delete,
        &object,
        now,
    )
    .record_for_both(&tx, &rel)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// # Authorization
/// `Action::RemoveCustomer` on the relationship: the customer's Primary admins only.
pub async fn remove_customer(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    customer: OrgId,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let blind = format!("customer {customer}");
    let attempt = Attempt::new(actor, Category::Partner, Operation::Delete, &blind, now);
    let Some(p) = actor.partnership(customer) else {
        // No standing in that customer: as if it did not exist (the refusal goes to the
        // actor's own log).
        return Err(
            match attempt.refused(db, customer, DenyReason::NotMember).await {
                ServiceError::Forbidden(_) => ServiceError::NotFound,
                other => other,
            },
        );
    };
    let resource = Resource::Relationship {
        org: customer,
        relationship: p.relationship,
    };
    let scope = attempt
        .authorize(db, Action::RemoveCustomer, &resource)
        .await?;
    let tx = super::begin_write(db).await?;
    let rel = find(&tx, &scope, p.relationship).await?;
    let object = format!(
        "Removed by the partner: {}",
        partner_label(&tx, &rel, false).await?
    );
    delete_relationship(&tx, &scope, rel.id).await?;
    Attempt::new(actor, Category::Partner, Operation::Delete, &object, now)
        .record_for_both(&tx, &rel)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// A change to one of the partner's security groups (its members, or deleting it) gives or takes
/// whatever partner roles the group holds in customers. Allowed only if the actor could hand
/// each of those out directly in that customer, and, when the group goes, if every Primary
/// admins role it is in keeps another member. A refusal is audited in the partner's log.
pub(crate) async fn ensure_may_change_group_in_customers(
    db: &impl ConnectionTrait,
    attempt: &Attempt<'_>,
    partner: OrgId,
    group: GroupId,
    deleting: bool,
) -> Result<(), ServiceError> {
    let relationships = CustomerScopes::relationships_of(partner).all(db).await?;
    let customers = CustomerScopes::of(partner, &relationships);
    if customers.is_empty() {
        return Ok(());
    }
    let naming = customers
        .select::<role_assignment_member::Entity>()
        .filter(role_assignment_member::Column::GroupId.eq(group))
        .all(db)
        .await?;
    for rel in &relationships {
        let ids: BTreeSet<RoleAssignmentId> = naming
            .iter()
            .filter(|m| m.org_id == rel.org_id)
            .map(|m| m.assignment_id)
            .collect();
        if ids.is_empty() {
            continue;
        }
        let customer = TenantScope::customer_of(rel);
        let assignments = customer
            .select::<role_assignment::Entity>()
            .filter(role_assignment::Column::Id.is_in(ids))
            .all(db)
            .await?;
        let held = super::roles::holdings(db, &customer, BTreeSet::new(), &assignments).await?;
        // The actor as a request about this customer would load it.
        let actor = Actor {
            partnerships: partnerships_of(
                db,
                partner,
                attempt.actor().user,
                &super::identity::groups_of(db, partner, attempt.actor().user).await?,
                Some(rel.org_id),
                attempt.now(),
            )
            .await?,
            ..attempt.actor().clone()
        };
        let decision = crate::domain::authz::authorize_hand_over(&actor, rel.org_id, &held);
        attempt.refuse_unless(db, partner, decision).await?;
        if deleting {
            super::roles::ensure_primary_admins_outlive(db, &customer, rel.id, &assignments, group)
                .await?;
        }
    }
    Ok(())
}

/// The customers the actor works on (holds a partner role for), by name: the tenant switcher.
/// Nothing but the names of organisations the actor already has standing in.
pub async fn customer_names(
    db: &impl ConnectionTrait,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Vec<(OrgId, String)>, ServiceError> {
    if !actor.org_manages_customers {
        return Ok(vec![]);
    }
    let groups = super::identity::groups_of(db, actor.org, actor.user).await?;
    let mut names: Vec<(OrgId, String)> = CustomerScopes::relationships_of(actor.org)
        .filter(live(now))
        .filter(CustomerScopes::holds_role(actor.user, groups, None))
        .join(JoinType::InnerJoin, customer_of_relationship())
        .select_only()
        .column(partner_relationship::Column::OrgId)
        .column(organisation::Column::Name)
        .into_tuple::<(OrgId, String)>()
        .all(db)
        .await?;
    names.sort_by_cached_key(|(_, name)| name.to_lowercase());
    Ok(names)
}

/// Writes "expired" to both organisations' logs for every invitation past its expiry and every
/// relationship past its end date not yet written for that moment; returns how many. Access
/// ended at that moment already (it is computed from `now` on every request): this only tells
/// both sides when. Each is claimed by a conditional `UPDATE` first, so two instances running
/// the job at once write each event once.
pub async fn record_lapses(
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
) -> Result<u64, ServiceError> {
    use partner_relationship::Column as R;
    let not_yet =
        |end: R| {
            Condition::any().add(R::LapseLoggedFor.is_null()).add(
                sea_orm::sea_query::ExprTrait::lt(Expr::col(R::LapseLoggedFor), Expr::col(end)),
            )
        };
    let lapsed = TenantScope::portal_job::<partner_relationship::Entity>()
        .filter(
            Condition::any()
                .add(
                    Condition::all()
                        .add(R::State.eq(RelationshipState::Pending))
                        .add(R::InvitationExpiresAt.lte(now))
                        .add(not_yet(R::InvitationExpiresAt)),
                )
                .add(
                    Condition::all()
                        .add(R::State.eq(RelationshipState::Active))
                        .add(R::EndsAt.lte(now))
                        .add(not_yet(R::EndsAt)),
                ),
        )
        .all(db)
        .await?;
    let mut written = 0;
    for rel in lapsed {
        let (category, end, what) = match (rel.state, rel.ends_at) {
            (RelationshipState::Pending, _) => (
                Category::PartnerInvitation,
                rel.invitation_expires_at,
                "invitation expired unanswered",
            ),
            (RelationshipState::Active, Some(end)) => {
                (Category::Partner, end, "relationship reached its end date")
            }
            (RelationshipState::Active, None) => continue,
        };
        let tx = super::begin_write(db).await?;
        let claimed = TenantScope::customer_of(&rel)
            .update_many::<partner_relationship::Entity>()
            .col_expr(R::LapseLoggedFor, Expr::value(end))
            .filter(R::Id.eq(rel.id))
            .filter(not_yet(if rel.state == RelationshipState::Pending {
                R::InvitationExpiresAt
            } else {
                R::EndsAt
            }))
            .exec(&tx)
            .await?
            .rows_affected
            == 1;
        if claimed {
            let object = format!(
                "{} and {}: {what}",
                org_name(&tx, rel.org_id).await?,
                org_name(&tx, rel.partner_org_id).await?
            );
            for org in [rel.org_id, rel.partner_org_id] {
                super::audit::record_by_portal(&tx, org, category, Operation::Update, &object, end)
                    .await?;
            }
            written += 1;
        }
        tx.commit().await?;
    }
    Ok(written)
}
