//! Partner relationships end to end on the services, on SQLite and PostgreSQL: a customer
//! invites a partner scoped to some rooms, the partner's tenant manager accepts and names a
//! Primary admin, who works inside the scope only; revocation on the next request; races.

use crate::common::*;
use crate::rooms::{all_rooms_query, assignment, group_input, new_room};
use app::domain::audit::AuditEntryView;
use app::domain::authz::OrgRole;
use app::domain::authz::{Actor, DenyReason, Permission};
use app::domain::directory::Principal;
use app::domain::ids::{OrgId, RelationshipId, RoleId};
use app::domain::partners::{
    ApprovalMode, ChangeCategory, InvitationDraft, RelationshipStatus, ScopeChoice, TenantAccess,
};
use app::domain::roles::RoleDraft;
use app::domain::rooms::RoomRow;
use app::domain::validation::{GroupName, Valid};
use app::server::service::identity::{self, Addressed};
use app::server::service::{audit, groups, org_roles, partners, roles, room_groups, rooms};
use app::server::ServiceError;
use chrono::Duration;
use sea_orm::DatabaseConnection;

/// Contoso (customer, rooms in the US and GB, a rule group "All US rooms") and Northwind
/// (partner, with a Tenant manager Tina and a technician Pat).
pub(crate) struct World {
    pub(crate) db: DatabaseConnection,
    pub(crate) contoso: Org,
    pub(crate) grace: Actor,
    pub(crate) seattle: RoomRow,
    pub(crate) london: RoomRow,
    pub(crate) us_group: app::domain::ids::RoomGroupId,
    pub(crate) northwind: Org,
    pub(crate) nadia: Actor,
    pub(crate) tina: Actor,
    pub(crate) pat: app::domain::ids::UserId,
    pub(crate) hugo: app::domain::ids::UserId,
}

pub(crate) async fn world() -> World {
    let db = db().await;
    let (contoso, grace) = org_with_admin(&db, "Contoso", "contoso.com").await;
    let seattle = new_room(
        &db,
        &grace,
        contoso.id,
        (
            "Rainier",
            "rainier@contoso.com",
            "Seattle HQ",
            "Seattle",
            "US",
        ),
    )
    .await;
    let london = new_room(
        &db,
        &grace,
        contoso.id,
        ("Thames", "thames@contoso.com", "London", "London", "GB"),
    )
    .await;
    let us_group = room_groups::create_room_group(
        &db,
        &grace,
        contoso.id,
        group_input("All US rooms", "US"),
        now(),
    )
    .await
    .unwrap()
    .id;
    let (northwind, nadia) = partner_with_admin(&db, "Northwind", "northwind.com").await;
    let tina = user(&db, &northwind, "tina@northwind.com", "Tina Tenant").await;
    org_roles::assign_org_role(
        &db,
        &nadia,
        northwind.id,
        OrgRole::TenantManager,
        Principal::User(tina),
        now(),
    )
    .await
    .unwrap();
    let tina = actor(&db, &northwind, tina).await;
    let pat = user(&db, &northwind, "pat@northwind.com", "Pat Primary").await;
    let hugo = user(&db, &northwind, "hugo@northwind.com", "Hugo Helpdesk").await;
    World {
        db,
        contoso,
        grace,
        seattle,
        london,
        us_group,
        northwind,
        nadia,
        tina,
        pat,
        hugo,
    }
}

fn draft(w: &World) -> InvitationDraft {
    InvitationDraft {
        partner_domain: "northwind.com".into(),
        expires_in_days: 14,
        invited_admins: vec!["hugo@northwind.com".into()],
        approvals: vec![(ChangeCategory::Rooms, ApprovalMode::Auto)],
        scope: ScopeChoice {
            all_rooms: false,
            rooms: vec![],
            room_groups: vec![w.us_group],
        },
        ends_on: None,
        terms_accepted: true,
    }
}

fn valid(d: InvitationDraft) -> Valid<InvitationDraft> {
    d.validate(now().date_naive()).unwrap()
}

pub(crate) async fn invite(w: &World) -> RelationshipId {
    invite_with(w, ApprovalMode::Auto).await
}

/// An invitation whose room changes need the customer's approval or not.
pub(crate) async fn invite_with(w: &World, rooms: ApprovalMode) -> RelationshipId {
    let d = InvitationDraft {
        approvals: vec![(ChangeCategory::Rooms, rooms)],
        ..draft(w)
    };
    partners::invite_partner(&w.db, &w.grace, w.contoso.id, valid(d), now())
        .await
        .unwrap()
}

/// Invited, and accepted by Tina naming Pat as primary admin.
pub(crate) async fn active(w: &World) -> RelationshipId {
    active_with(w, ApprovalMode::Auto).await
}

/// Like [`active`], with room changes under `rooms` approval.
pub(crate) async fn active_with(w: &World, rooms: ApprovalMode) -> RelationshipId {
    let id = invite_with(w, rooms).await;
    partners::accept_invitation(&w.db, &w.tina, id, vec![Principal::User(w.pat)], now())
        .await
        .unwrap();
    id
}

pub(crate) async fn pat(w: &World) -> Actor {
    actor(&w.db, &w.northwind, w.pat).await
}

fn room_ids(page: &app::domain::rooms::RoomPage) -> Vec<app::domain::ids::RoomId> {
    page.rows.iter().map(|r| r.id).collect()
}

#[tokio::test]
async fn an_invitation_is_checked_and_seen_only_by_the_partners_staff_and_invited_admins() {
    let w = world().await;
    let unknown = InvitationDraft {
        partner_domain: "nowhere.example".into(),
        invited_admins: vec![],
        ..draft(&w)
    };
    let refused =
        partners::invite_partner(&w.db, &w.grace, w.contoso.id, valid(unknown), now()).await;
    assert!(
        matches!(&refused, Err(ServiceError::Invalid(e)) if e.field == "partner_domain"),
        "{refused:?}"
    );
    let own = InvitationDraft {
        partner_domain: "contoso.com".into(),
        invited_admins: vec![],
        ..draft(&w)
    };
    let refused = partners::invite_partner(&w.db, &w.grace, w.contoso.id, valid(own), now()).await;
    assert!(
        matches!(&refused, Err(ServiceError::Invalid(e)) if e.field == "partner_domain"),
        "{refused:?}"
    );

    let id = invite(&w).await;
    let again =
        partners::invite_partner(&w.db, &w.grace, w.contoso.id, valid(draft(&w)), now()).await;
    assert!(matches!(again, Err(ServiceError::Conflict(_))), "{again:?}");

    // Staff and the invited admin see it; Pat (no role, not invited) does not.
    for who in [&w.tina, &w.nadia, &actor(&w.db, &w.northwind, w.hugo).await] {
        let tenants = partners::list_tenants(&w.db, who, 0, now())
            .await
            .unwrap()
            .rows;
        assert_eq!(tenants.len(), 1);
        assert_eq!(tenants[0].summary.id, id);
        assert_eq!(tenants[0].summary.status, RelationshipStatus::Pending);
        assert_eq!(tenants[0].summary.scope_summary, "Room group: All US rooms");
        assert_eq!(tenants[0].summary.rooms_in_scope, 1);
    }
    assert!(partners::list_tenants(&w.db, &pat(&w).await, 0, now())
        .await
        .unwrap()
        .rows
        .is_empty());
    let hugo = actor(&w.db, &w.northwind, w.hugo).await;
    assert!(
        !partners::list_tenants(&w.db, &hugo, 0, now())
            .await
            .unwrap()
            .rows[0]
            .may_answer
    );
    assert!(
        partners::list_tenants(&w.db, &w.tina, 0, now())
            .await
            .unwrap()
            .rows[0]
            .may_answer
    );
    // Hugo may see it but not answer it.
    let refused =
        partners::accept_invitation(&w.db, &hugo, id, vec![Principal::User(w.pat)], now()).await;
    assert!(
        matches!(refused, Err(ServiceError::Forbidden(_))),
        "{refused:?}"
    );
    // The customer sees it pending, and the invitation is in both logs.
    let listed = partners::list_partners(&w.db, &w.grace, w.contoso.id, now())
        .await
        .unwrap();
    assert_eq!(listed[0].invited_admins, vec!["hugo@northwind.com"]);
    assert_eq!(
        audit_rows(
            &w.db,
            &w.grace,
            w.contoso.id,
            "PartnerInvitation",
            "Successful"
        )
        .await
        .len(),
        1
    );
    assert_eq!(
        audit_rows(
            &w.db,
            &w.nadia,
            w.northwind.id,
            "PartnerInvitation",
            "Successful"
        )
        .await
        .len(),
        1
    );
}

#[tokio::test]
async fn a_primary_admin_works_inside_the_scope_only_and_never_in_the_customers_own_things() {
    let w = world().await;
    active(&w).await;
    let pat = pat(&w).await;
    assert_eq!(pat.partnerships.len(), 1);
    assert!(pat.partnerships[0].primary_admin);
    // Hugo was invited by UPN and joined "Invited admins".
    let hugo = actor(&w.db, &w.northwind, w.hugo).await;
    assert!(hugo.partnerships[0].primary_admin);

    let page = rooms::list_rooms(&w.db, &pat, w.contoso.id, all_rooms_query())
        .await
        .unwrap();
    assert_eq!(room_ids(&page), vec![w.seattle.id]);
    rooms::get_room(&w.db, &pat, w.contoso.id, w.seattle.id)
        .await
        .unwrap();
    // Outside the ceiling: not found, as if it did not exist.
    assert!(matches!(
        rooms::get_room(&w.db, &pat, w.contoso.id, w.london.id).await,
        Err(ServiceError::NotFound)
    ));
    // Beyond Primary admins' permissions: refused, and logged in Contoso's log.
    let refused = rooms::unenroll_room(&w.db, &pat, w.contoso.id, w.seattle.id, now()).await;
    assert!(
        matches!(
            refused,
            Err(ServiceError::Forbidden(DenyReason::MissingRole))
        ),
        "{refused:?}"
    );
    let failed = audit_rows(&w.db, &w.grace, w.contoso.id, "Room", "Failed").await;
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].user_tenant_id, w.northwind.id);
    // The customer's own roles, directory, groups and partners are not the partner's.
    let own = roles::list_roles(&w.db, &pat, w.contoso.id).await.unwrap();
    assert_eq!(
        own.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
        vec!["Primary admins"],
        "the partner sees its own partner roles only"
    );
    assert!(matches!(
        groups::list_groups(&w.db, &pat, w.contoso.id).await,
        Err(ServiceError::Forbidden(_))
    ));
    assert!(matches!(
        partners::list_partners(&w.db, &pat, w.contoso.id, now()).await,
        Err(ServiceError::Forbidden(_))
    ));
    // A change the partner may make lands in the customer's log under the partner's name.
    rooms::update_room(
        &w.db,
        &pat,
        w.contoso.id,
        w.seattle.id,
        crate::rooms::valid_room(
            "Rainier 2",
            "rainier@contoso.com",
            "Seattle HQ",
            "Seattle",
            "US",
        ),
        now(),
    )
    .await
    .unwrap();
    let done = audit_rows(&w.db, &w.grace, w.contoso.id, "Room", "Successful").await;
    let renamed = done
        .iter()
        .find(|r| r.object_name == "Rainier -> Rainier 2")
        .expect("the partner's change is in the customer's log");
    assert_eq!(renamed.user_tenant_id, w.northwind.id);
    assert_eq!(renamed.user_id, pat.user);
    // The customer's own role list does not show partner roles, nor can it edit them.
    let contoso_roles = roles::list_roles(&w.db, &w.grace, w.contoso.id)
        .await
        .unwrap();
    assert!(contoso_roles.iter().all(|r| r.name != "Primary admins"));
    let partner_role = primary_admins_role(&w).await;
    assert!(matches!(
        roles::get_role(&w.db, &w.grace, w.contoso.id, partner_role).await,
        Err(ServiceError::NotFound)
    ));
    let listed = partners::list_partners(&w.db, &w.grace, w.contoso.id, now())
        .await
        .unwrap();
    let members: Vec<(&str, &str)> = listed[0].roles[0]
        .members
        .iter()
        .map(|m| (m.name.as_str(), m.org_name.as_str()))
        .collect();
    assert_eq!(
        members,
        vec![("Hugo Helpdesk", "Northwind"), ("Pat Primary", "Northwind")]
    );
}

async fn primary_admins_role(w: &World) -> RoleId {
    partners::list_partners(&w.db, &w.grace, w.contoso.id, now())
        .await
        .unwrap()[0]
        .roles
        .iter()
        .find(|r| r.built_in)
        .unwrap()
        .id
}

#[tokio::test]
async fn partner_roles_stay_within_primary_admins_and_the_scope_and_the_last_primary_admin_stays() {
    let w = world().await;
    active(&w).await;
    let pat = pat(&w).await;
    // A Help desk role for Hugo: tickets only, over the relationship's rooms.
    let tickets = RoleDraft {
        name: "Help desk".into(),
        description: String::new(),
        permissions: vec![Permission::TicketsView, Permission::TicketsUpdate],
    }
    .validate()
    .unwrap();
    roles::create_role(
        &w.db,
        &pat,
        w.contoso.id,
        tickets,
        Some(assignment(
            "Hugo",
            vec![Principal::User(w.hugo)],
            vec![],
            vec![],
            true,
        )),
        now(),
    )
    .await
    .unwrap();
    // Beyond Primary admins' permissions: refused.
    let reset = RoleDraft {
        name: "Keys".into(),
        description: String::new(),
        permissions: vec![Permission::RoomsResetKey],
    }
    .validate()
    .unwrap();
    let refused = roles::create_role(&w.db, &pat, w.contoso.id, reset, None, now()).await;
    assert!(
        matches!(refused, Err(ServiceError::Forbidden(_))),
        "{refused:?}"
    );
    // A scope naming a room outside the relationship's: refused.
    let view = RoleDraft {
        name: "Viewers".into(),
        description: String::new(),
        permissions: vec![Permission::RoomsView],
    }
    .validate()
    .unwrap();
    let refused = roles::create_role(
        &w.db,
        &pat,
        w.contoso.id,
        view,
        Some(assignment(
            "London",
            vec![Principal::User(w.hugo)],
            vec![w.london.id],
            vec![],
            false,
        )),
        now(),
    )
    .await;
    assert!(
        matches!(
            refused,
            Err(ServiceError::Forbidden(DenyReason::OutOfScope))
        ),
        "{refused:?}"
    );
    // Members come from the partner's directory only.
    let refused = roles::save_assignment(
        &w.db,
        &pat,
        w.contoso.id,
        primary_admins_role(&w).await,
        None,
        assignment(
            "Contoso",
            vec![Principal::User(w.grace.user)],
            vec![],
            vec![],
            true,
        ),
        now(),
    )
    .await;
    assert!(
        matches!(refused, Err(ServiceError::NotFound)),
        "{refused:?}"
    );

    let detail = roles::get_role(&w.db, &pat, w.contoso.id, primary_admins_role(&w).await)
        .await
        .unwrap();
    let assigned = detail
        .assignments
        .iter()
        .find(|a| a.name == partners::ASSIGNED_ADMINS)
        .unwrap();
    let invited = detail
        .assignments
        .iter()
        .find(|a| a.name == partners::INVITED_ADMINS)
        .unwrap();
    assert_eq!(invited.members.len(), 1);
    // Emptying "Invited admins" is fine while Pat remains; emptying both is refused.
    let emptied = roles::save_assignment(
        &w.db,
        &pat,
        w.contoso.id,
        primary_admins_role(&w).await,
        Some(invited.id),
        assignment(
            partners::INVITED_ADMINS,
            vec![Principal::User(w.pat)],
            vec![],
            vec![],
            true,
        ),
        now(),
    )
    .await;
    emptied.unwrap();
    roles::delete_assignment(&w.db, &pat, w.contoso.id, assigned.id, now())
        .await
        .unwrap();
    let last = roles::delete_assignment(&w.db, &pat, w.contoso.id, invited.id, now()).await;
    assert!(
        matches!(
            last,
            Err(ServiceError::Conflict(
                app::server::ConflictKind::LastPrimaryAdmin
            ))
        ),
        "{last:?}"
    );
    // Hugo, out of Primary admins now, is a Help desk member: tickets only, no rooms.
    let hugo = actor(&w.db, &w.northwind, w.hugo).await;
    assert_eq!(hugo.partnerships.len(), 1);
    assert!(!hugo.partnerships[0].primary_admin);
    assert!(
        rooms::list_rooms(&w.db, &hugo, w.contoso.id, all_rooms_query())
            .await
            .is_err()
    );
}

#[tokio::test]
async fn deny_deletes_the_invitation_and_a_new_one_works() {
    let w = world().await;
    let id = invite(&w).await;
    partners::deny_invitation(&w.db, &w.tina, id, now())
        .await
        .unwrap();
    assert!(
        partners::list_partners(&w.db, &w.grace, w.contoso.id, now())
            .await
            .unwrap()
            .is_empty()
    );
    let again = partners::deny_invitation(&w.db, &w.tina, id, now()).await;
    assert!(matches!(again, Err(ServiceError::Conflict(_))), "{again:?}");
    let accept =
        partners::accept_invitation(&w.db, &w.tina, id, vec![Principal::User(w.pat)], now()).await;
    assert!(
        matches!(accept, Err(ServiceError::Conflict(_))),
        "{accept:?}"
    );
    let fresh = invite(&w).await;
    partners::accept_invitation(&w.db, &w.tina, fresh, vec![Principal::User(w.pat)], now())
        .await
        .unwrap();
    let denied = audit_rows(
        &w.db,
        &w.grace,
        w.contoso.id,
        "PartnerInvitation",
        "Successful",
    )
    .await;
    assert!(denied
        .iter()
        .any(|r| r.object_name.starts_with("Denied: Contoso")));
}

#[tokio::test]
async fn an_expired_invitation_cannot_be_accepted_and_a_new_one_replaces_it() {
    let w = world().await;
    let id = invite(&w).await;
    let later = now() + Duration::days(15);
    let refused =
        partners::accept_invitation(&w.db, &w.tina, id, vec![Principal::User(w.pat)], later).await;
    assert!(
        matches!(
            refused,
            Err(ServiceError::Conflict(
                app::server::ConflictKind::InvitationExpired
            ))
        ),
        "{refused:?}"
    );
    let tenants = partners::list_tenants(&w.db, &w.tina, 0, later)
        .await
        .unwrap()
        .rows;
    assert_eq!(tenants[0].summary.status, RelationshipStatus::Expired);
    assert!(!tenants[0].may_answer);
    partners::invite_partner(&w.db, &w.grace, w.contoso.id, valid(draft(&w)), later)
        .await
        .unwrap();
}

#[tokio::test]
async fn two_answers_at_once_have_exactly_one_effect() {
    for round in 0..6 {
        let w = world().await;
        let id = invite(&w).await;
        let admins = vec![Principal::User(w.pat)];
        let (a, b) = if round % 2 == 0 {
            let (a, b) = tokio::join!(
                partners::accept_invitation(&w.db, &w.tina, id, admins.clone(), now()),
                partners::deny_invitation(&w.db, &w.nadia, id, now()),
            );
            (a, b)
        } else {
            tokio::join!(
                partners::accept_invitation(&w.db, &w.tina, id, admins.clone(), now()),
                partners::accept_invitation(&w.db, &w.nadia, id, admins.clone(), now()),
            )
        };
        assert!(
            a.is_ok() != b.is_ok(),
            "round {round}: exactly one wins: {a:?} / {b:?}"
        );
        let loser = if a.is_ok() { b } else { a };
        assert!(matches!(loser, Err(ServiceError::Conflict(_))), "{loser:?}");
        let listed = partners::list_partners(&w.db, &w.grace, w.contoso.id, now())
            .await
            .unwrap();
        if let Some(p) = listed.first() {
            assert_eq!(
                p.roles.len(),
                1,
                "one Primary admins role, however the race went"
            );
        }
    }
}

#[tokio::test]
async fn revocation_takes_effect_on_the_next_request() {
    // Removing the partner.
    let w = world().await;
    let id = active(&w).await;
    partners::remove_partner(&w.db, &w.grace, w.contoso.id, id, now())
        .await
        .unwrap();
    let pat_now = pat(&w).await;
    assert!(pat_now.partnerships.is_empty());
    assert!(matches!(
        rooms::list_rooms(&w.db, &pat_now, w.contoso.id, all_rooms_query()).await,
        Err(ServiceError::NotFound)
    ));
    assert!(
        audit_rows(&w.db, &w.nadia, w.northwind.id, "Partner", "Successful")
            .await
            .iter()
            .any(|r| r.object_name.contains("Northwind"))
    );

    // Narrowing the scope to one London room.
    let w = world().await;
    let id = active(&w).await;
    partners::update_partner(
        &w.db,
        &w.grace,
        w.contoso.id,
        id,
        ScopeChoice {
            all_rooms: false,
            rooms: vec![w.london.id],
            room_groups: vec![],
        },
        None,
        now(),
    )
    .await
    .unwrap();
    let page = rooms::list_rooms(&w.db, &pat(&w).await, w.contoso.id, all_rooms_query())
        .await
        .unwrap();
    assert_eq!(room_ids(&page), vec![w.london.id]);

    // Passing the end date: no job, the next request is refused.
    let w = world().await;
    let id = invite(&w).await;
    partners::accept_invitation(&w.db, &w.tina, id, vec![Principal::User(w.pat)], now())
        .await
        .unwrap();
    let last_day = now().date_naive() + Duration::days(2);
    partners::update_partner(
        &w.db,
        &w.grace,
        w.contoso.id,
        id,
        ScopeChoice {
            all_rooms: true,
            rooms: vec![],
            room_groups: vec![],
        },
        Some(last_day),
        now(),
    )
    .await
    .unwrap();
    let before_end = actor_at(&w.db, &w.northwind, w.pat, now() + Duration::days(2)).await;
    assert_eq!(before_end.partnerships.len(), 1);
    let after_end = actor_at(&w.db, &w.northwind, w.pat, now() + Duration::days(3)).await;
    assert!(after_end.partnerships.is_empty());
    let seen = partners::list_tenants(&w.db, &w.tina, 0, now() + Duration::days(3))
        .await
        .unwrap()
        .rows;
    assert_eq!(seen[0].summary.status, RelationshipStatus::Expired);
    let customer_side = partners::list_partners(&w.db, &w.grace, w.contoso.id, now())
        .await
        .unwrap();
    assert_eq!(
        customer_side[0].summary.status,
        RelationshipStatus::EndingSoon
    );

    // Deleting a partner role, and the partner removing the customer.
    let w = world().await;
    let id = active(&w).await;
    let role = primary_admins_role(&w).await;
    partners::delete_partner_role(&w.db, &w.grace, w.contoso.id, id, role, now())
        .await
        .unwrap();
    assert!(pat(&w).await.partnerships.is_empty());

    let w = world().await;
    active(&w).await;
    let tina = actor(&w.db, &w.northwind, w.tina.user).await;
    let refused = partners::remove_customer(&w.db, &tina, w.contoso.id, now()).await;
    assert!(
        matches!(refused, Err(ServiceError::NotFound)),
        "{refused:?}"
    );
    partners::remove_customer(&w.db, &pat(&w).await, w.contoso.id, now())
        .await
        .unwrap();
    assert!(pat(&w).await.partnerships.is_empty());
    assert!(
        partners::list_partners(&w.db, &w.grace, w.contoso.id, now())
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn nothing_of_a_customer_reaches_another_partner() {
    let w = world().await;
    active(&w).await;
    let (fabrikam_partner, fiona) = partner_with_admin(&w.db, "Litware", "litware.com").await;
    // Litware is a partner of another customer.
    let (woodgrove, walter) = org_with_admin(&w.db, "Woodgrove", "woodgrove.com").await;
    let id = partners::invite_partner(
        &w.db,
        &walter,
        woodgrove.id,
        valid(InvitationDraft {
            partner_domain: "litware.com".into(),
            invited_admins: vec![],
            scope: ScopeChoice {
                all_rooms: true,
                rooms: vec![],
                room_groups: vec![],
            },
            ..draft(&w)
        }),
        now(),
    )
    .await
    .unwrap();
    partners::accept_invitation(&w.db, &fiona, id, vec![Principal::User(fiona.user)], now())
        .await
        .unwrap();
    let fiona = actor(&w.db, &fabrikam_partner, fiona.user).await;
    assert_eq!(fiona.partnerships.len(), 1);
    for refused in [
        rooms::list_rooms(&w.db, &fiona, w.contoso.id, all_rooms_query())
            .await
            .map(|_| ()),
        rooms::get_room(&w.db, &fiona, w.contoso.id, w.seattle.id)
            .await
            .map(|_| ()),
        roles::list_roles(&w.db, &fiona, w.contoso.id)
            .await
            .map(|_| ()),
        partners::remove_customer(&w.db, &fiona, w.contoso.id, now()).await,
    ] {
        assert!(
            matches!(refused, Err(ServiceError::NotFound)),
            "{refused:?}"
        );
    }
    let tenants = partners::list_tenants(&w.db, &fiona, 0, now())
        .await
        .unwrap()
        .rows;
    assert_eq!(tenants.len(), 1);
    assert_eq!(tenants[0].summary.customer, woodgrove.id);
    assert_eq!(tenants[0].access, TenantAccess::Works);
    // And Northwind's lists do not show Woodgrove.
    let northwind = partners::list_tenants(&w.db, &w.nadia, 0, now())
        .await
        .unwrap()
        .rows;
    assert!(northwind.iter().all(|t| t.summary.customer == w.contoso.id));
    let _: OrgId = w.contoso.id;
}

#[tokio::test]
async fn a_partner_group_holding_primary_admins_is_a_path_to_grant_only_for_who_could_grant() {
    let w = world().await;
    let id = invite(&w).await;
    // Nadia (Global admin of Northwind) makes a group and names it primary admin on accept.
    let group = groups::create_group(
        &w.db,
        &w.nadia,
        w.northwind.id,
        GroupName::parse("Contoso team").unwrap(),
        now(),
    )
    .await
    .unwrap()
    .id;
    partners::accept_invitation(&w.db, &w.nadia, id, vec![Principal::Group(group)], now())
        .await
        .unwrap();
    // Nadia holds no role for Contoso: adding Pat to the group would make Pat a Primary admin.
    let nadia = actor(&w.db, &w.northwind, w.nadia.user).await;
    let refused =
        groups::add_group_member(&w.db, &nadia, w.northwind.id, group, w.pat, now()).await;
    assert!(
        matches!(refused, Err(ServiceError::Forbidden(_))),
        "{refused:?}"
    );
    assert!(pat(&w).await.partnerships.is_empty());
    // Deleting the group would leave Primary admins without a member.
    let refused = groups::delete_group(&w.db, &nadia, w.northwind.id, group, now()).await;
    assert!(refused.is_err(), "{refused:?}");
}

/// Pat is in "Assigned admins", Hugo in "Invited admins": removing either alone is fine, both
/// would leave Primary admins empty. On PostgreSQL the two removals run in concurrent
/// transactions; the relationship's row lock makes the second see the first.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_last_primary_admin_holds_under_concurrent_removals() {
    for round in 0..12 {
        let w = world().await;
        active(&w).await;
        let pat = pat(&w).await;
        let role = primary_admins_role(&w).await;
        let detail = roles::get_role(&w.db, &pat, w.contoso.id, role)
            .await
            .unwrap();
        let [assigned, invited] =
            [partners::ASSIGNED_ADMINS, partners::INVITED_ADMINS].map(|name| {
                detail
                    .assignments
                    .iter()
                    .find(|a| a.name == name)
                    .unwrap()
                    .id
            });
        let (a, b) = tokio::join!(
            roles::delete_assignment(&w.db, &pat, w.contoso.id, assigned, now()),
            roles::delete_assignment(&w.db, &pat, w.contoso.id, invited, now()),
        );
        assert!(a.is_ok() != b.is_ok(), "round {round}: {a:?} / {b:?}");
        let loser = if a.is_ok() { b } else { a };
        assert!(
            matches!(
                loser,
                Err(ServiceError::Conflict(
                    app::server::ConflictKind::LastPrimaryAdmin
                ))
            ),
            "{loser:?}"
        );
        let members = partners::list_partners(&w.db, &w.grace, w.contoso.id, now())
            .await
            .unwrap()[0]
            .roles[0]
            .members
            .len();
        assert_eq!(members, 1, "round {round}");
    }
}

/// A request loads the partnership of the organisation it names and no other: Pat's request
/// about Northwind itself holds nothing of Contoso, so Contoso's rooms are refused to it, while
/// the same user's request about Contoso works. The switcher and *Tenants* name Contoso without
/// loading any grant, and a page past the end is the last page.
#[tokio::test]
async fn a_request_loads_only_the_partnership_of_the_organisation_it_names() {
    let w = world().await;
    let id = active(&w).await;
    let signed_in = app::server::context::SignedIn {
        user: w.pat,
        org: w.northwind.id,
    };
    let load = |addressed| {
        let signed_in = signed_in.clone();
        let db = w.db.clone();
        async move {
            identity::load_actor_for(&db, &signed_in, addressed, now())
                .await
                .unwrap()
                .unwrap()
        }
    };
    let at_home = load(Addressed::Home).await;
    assert!(at_home.partnerships.is_empty());
    assert!(matches!(
        rooms::list_rooms(&w.db, &at_home, w.contoso.id, all_rooms_query()).await,
        Err(ServiceError::NotFound)
    ));
    let in_contoso = load(Addressed::Org(w.contoso.id)).await;
    assert_eq!(in_contoso.partnerships.len(), 1);
    assert_eq!(in_contoso.partnerships[0].relationship, id);
    let page = rooms::list_rooms(&w.db, &in_contoso, w.contoso.id, all_rooms_query())
        .await
        .unwrap();
    assert_eq!(room_ids(&page), vec![w.seattle.id]);
    // Addressing its own organisation loads no partnership either.
    assert!(load(Addressed::Org(w.northwind.id))
        .await
        .partnerships
        .is_empty());

    assert_eq!(
        partners::customer_names(&w.db, &at_home, now())
            .await
            .unwrap(),
        vec![(w.contoso.id, "Contoso".to_owned())]
    );
    let tenants = partners::list_tenants(&w.db, &at_home, 7, now())
        .await
        .unwrap();
    assert_eq!((tenants.page, tenants.pages, tenants.customers), (0, 1, 1));
    assert_eq!(tenants.rows.len(), 1);
    assert_eq!(tenants.rows[0].access, TenantAccess::Works);
    assert!(tenants.rows[0].primary_admin);
    // Once the relationship is gone, the switcher no longer names it.
    partners::remove_partner(&w.db, &w.grace, w.contoso.id, id, now())
        .await
        .unwrap();
    assert!(partners::customer_names(&w.db, &at_home, now())
        .await
        .unwrap()
        .is_empty());
}

/// An invitation that lapses and a relationship that reaches its end date are written to both
/// organisations' logs, once, by the portal, at the moment they happened; a relationship
/// extended after it ended and then ending again is written again.
#[tokio::test]
async fn expiries_are_written_once_to_both_logs() {
    let w = world().await;
    let by_portal = |rows: Vec<AuditEntryView>| -> Vec<AuditEntryView> {
        rows.into_iter()
            .filter(|e| e.user_name.as_deref() == Some(audit::PORTAL_NAME))
            .collect()
    };
    let logs = [(&w.grace, w.contoso.id), (&w.nadia, w.northwind.id)];

    let invitation = invite(&w).await;
    let expires = partners::list_partners(&w.db, &w.grace, w.contoso.id, now())
        .await
        .unwrap()[0]
        .summary
        .invitation_expires_at;
    assert_eq!(partners::record_lapses(&w.db, now()).await.unwrap(), 0);
    let after = expires + Duration::minutes(1);
    // Two instances at the same moment: one entry per log.
    let (a, b) = tokio::join!(
        partners::record_lapses(&w.db, after),
        partners::record_lapses(&w.db, after)
    );
    assert_eq!(a.unwrap() + b.unwrap(), 1);
    assert_eq!(partners::record_lapses(&w.db, after).await.unwrap(), 0);
    for (admin, org) in logs {
        let rows =
            by_portal(audit_rows(&w.db, admin, org, "PartnerInvitation", "Successful").await);
        assert_eq!(rows.len(), 1, "{rows:?}");
        assert_eq!(rows[0].created_at, expires);
        assert_eq!(
            rows[0].object_name,
            "Contoso and Northwind: invitation expired unanswered"
        );
        assert!(rows[0].user_tenant_id.0.is_nil());
    }
    partners::remove_partner(&w.db, &w.grace, w.contoso.id, invitation, after)
        .await
        .unwrap();

    // An accepted relationship with an end date, extended once it has ended.
    let id = active(&w).await;
    let first_end = (now() + Duration::days(3)).date_naive();
    let scope = draft(&w).scope;
    partners::update_partner(
        &w.db,
        &w.grace,
        w.contoso.id,
        id,
        scope.clone(),
        Some(first_end),
        now(),
    )
    .await
    .unwrap();
    let ended = now() + Duration::days(5);
    assert_eq!(partners::record_lapses(&w.db, ended).await.unwrap(), 1);
    let second_end = (ended + Duration::days(3)).date_naive();
    partners::update_partner(
        &w.db,
        &w.grace,
        w.contoso.id,
        id,
        scope,
        Some(second_end),
        ended,
    )
    .await
    .unwrap();
    assert_eq!(partners::record_lapses(&w.db, ended).await.unwrap(), 0);
    let ended_again = ended + Duration::days(5);
    assert_eq!(
        partners::record_lapses(&w.db, ended_again).await.unwrap(),
        1
    );
    for (admin, org) in logs {
        let rows = by_portal(audit_rows(&w.db, admin, org, "Partner", "Successful").await);
        assert_eq!(rows.len(), 2, "{rows:?}");
        assert!(rows
            .iter()
            .all(|r| r.object_name == "Contoso and Northwind: relationship reached its end date"));
    }
}

/// In partner mode, a customer's overview says what the partner user holds there, over the rooms
/// the customer put in the relationship (not over all the customer's rooms), and counts only
/// those; a partner user without a role there, and the customer's audit log, stay out of it.
#[tokio::test]
async fn a_partners_overview_of_a_customer_says_what_they_hold_inside_the_relationship() {
    use app::domain::overview::Holding;
    use app::server::service::overview;
    let w = world().await;
    active(&w).await;
    let pat = pat(&w).await;
    let seen = overview::overview(&w.db, &pat, w.contoso.id, now())
        .await
        .unwrap();
    assert_eq!(
        seen.holdings,
        vec![Holding {
            role: "Primary admins".into(),
            scope: Some(vec!["All US rooms".into()]),
            rooms: 1,
            direct: true,
            through: vec![],
        }]
    );
    let rooms = seen.rooms.expect("Primary admins view rooms");
    assert_eq!(
        rooms.total, 1,
        "Rainier only: Thames is outside the relationship"
    );
    assert_eq!(
        seen.refusals, None,
        "the customer's audit log is not the partner's"
    );

    // Nadia, Northwind's Global admin, holds no partner role in Contoso: it is not there for her.
    let refused = overview::overview(&w.db, &w.nadia, w.contoso.id, now()).await;
    assert!(
        matches!(refused, Err(ServiceError::NotFound)),
        "{refused:?}"
    );
    // Pat's own organisation's overview is his own.
    let home = overview::overview(&w.db, &pat, w.northwind.id, now())
        .await
        .unwrap();
    assert!(home.holdings.is_empty(), "{:?}", home.holdings);
}
