//! Change control on the services, on SQLite and PostgreSQL: with room changes under manual
//! approval, a partner's change waits as a request that the customer's admins approve (the
//! change is made as asked, if the partner may still make it) or reject with a reason; requests
//! expire; a request is decided once; only the customer's admins see and decide them.

use crate::common::*;
use crate::partners::{active, active_with, pat, world, World};
use crate::rooms::valid_room;
use app::domain::authz::DenyReason;
use app::domain::ids::ChangeRequestId;
use app::domain::partners::{
    ApprovalMode, ChangeOutcome, ChangeRequestState, DecisionReason, ScopeChoice,
    CHANGE_REQUEST_DAYS,
};
use app::domain::rooms::RoomInput;
use app::domain::validation::Valid;
use app::server::service::{approvals, partners, rooms};
use app::server::{ConflictKind, ServiceError};
use chrono::Duration;

fn renamed() -> Valid<RoomInput> {
    valid_room(
        "Rainier 2",
        "rainier@contoso.com",
        "Seattle HQ",
        "Seattle",
        "US",
    )
}

fn approval() -> DecisionReason {
    DecisionReason::parse(true, "").unwrap()
}

fn rejection(why: &str) -> DecisionReason {
    DecisionReason::parse(false, why).unwrap()
}

async fn seattle_name(w: &World) -> String {
    rooms::get_room(&w.db, &w.grace, w.contoso.id, w.seattle.id)
        .await
        .unwrap()
        .room
        .display_name
}

async fn seattle_ring(w: &World) -> Option<app::domain::ids::UpdateRingId> {
    rooms::get_room(&w.db, &w.grace, w.contoso.id, w.seattle.id)
        .await
        .unwrap()
        .room
        .update_ring
        .map(|(id, _)| id)
}

/// Pat asks to rename Rainier; the request's id.
async fn held_rename(w: &World) -> ChangeRequestId {
    let pat = pat(w).await;
    match rooms::update_room(&w.db, &pat, w.contoso.id, w.seattle.id, renamed(), now()).await {
        Ok(ChangeOutcome::AwaitingApproval(id)) => id,
        other => panic!("expected a held change, got {other:?}"),
    }
}

fn is_decided_conflict<T: std::fmt::Debug>(result: &Result<T, ServiceError>) -> bool {
    matches!(
        result,
        Err(ServiceError::Conflict(ConflictKind::ChangeRequestDecided))
    )
}

#[tokio::test]
async fn under_manual_approval_a_partners_room_change_waits_and_changes_nothing() {
    let w = world().await;
    active_with(&w, ApprovalMode::Manual).await;
    let id = held_rename(&w).await;
    assert_eq!(seattle_name(&w).await, "Rainier");
    let logged = audit_rows(&w.db, &w.grace, w.contoso.id, "Room", "Successful").await;
    let held = logged
        .iter()
        .find(|r| r.object_name == "Rainier -> Rainier 2 (awaiting approval)")
        .expect("the held change is in the customer's log");
    assert_eq!(held.user_tenant_id, w.northwind.id);
    assert!(logged
        .iter()
        .all(|r| r.object_name != "Rainier -> Rainier 2"));

    let listed = approvals::list_requests(&w.db, &w.grace, w.contoso.id, now())
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    let r = &listed[0];
    assert_eq!(r.id, id);
    assert_eq!(r.state, ChangeRequestState::Pending);
    assert_eq!(r.partner_name, "Northwind");
    assert_eq!(r.requested_by_name, "Pat Primary");
    assert_eq!(r.requested_by_org, "Northwind");
    assert_eq!(r.customer_name, "Contoso");
    assert_eq!(r.expires_at, now() + Duration::days(CHANGE_REQUEST_DAYS));
    assert_eq!(r.asked, "Change Rainier: name “Rainier” → “Rainier 2”");
    let seen = approvals::list_requests_for_partner(&w.db, &pat(&w).await, w.contoso.id, now())
        .await
        .unwrap();
    assert_eq!(
        seen.iter().map(|r| r.state).collect::<Vec<_>>(),
        vec![ChangeRequestState::Pending]
    );

    // What the partner may not do is refused as before, and nothing is held.
    let pat = pat(&w).await;
    let refused = rooms::unenroll_room(&w.db, &pat, w.contoso.id, w.seattle.id, now()).await;
    assert!(
        matches!(
            refused,
            Err(ServiceError::Forbidden(DenyReason::MissingRole))
        ),
        "{refused:?}"
    );
    let london = valid_room("Thames 2", "thames@contoso.com", "London", "London", "GB");
    let refused = rooms::update_room(&w.db, &pat, w.contoso.id, w.london.id, london, now()).await;
    assert!(
        matches!(refused, Err(ServiceError::NotFound)),
        "{refused:?}"
    );
    let moved = valid_room("Rainier", "rainier@contoso.com", "London", "London", "GB");
    let refused = rooms::update_room(&w.db, &pat, w.contoso.id, w.seattle.id, moved, now()).await;
    assert!(
        matches!(refused, Err(ServiceError::Forbidden(_))),
        "{refused:?}"
    );
    assert_eq!(
        approvals::list_requests(&w.db, &w.grace, w.contoso.id, now())
            .await
            .unwrap()
            .len(),
        1
    );

    // The customer's own admins are not held.
    let own = rooms::update_room(
        &w.db,
        &w.grace,
        w.contoso.id,
        w.seattle.id,
        renamed(),
        now(),
    )
    .await
    .unwrap();
    assert_eq!(own, ChangeOutcome::Applied);
    assert_eq!(seattle_name(&w).await, "Rainier 2");
}

#[tokio::test]
async fn approving_makes_the_change_as_asked_once_and_both_logs_have_the_decision() {
    let w = world().await;
    active_with(&w, ApprovalMode::Manual).await;
    let id = held_rename(&w).await;
    let decided = approvals::decide(&w.db, &w.grace, w.contoso.id, id, true, approval(), now())
        .await
        .unwrap();
    assert_eq!(decided.state, ChangeRequestState::Approved);
    assert_eq!(decided.decided_by_name.as_deref(), Some("Contoso Admin"));
    assert_eq!(seattle_name(&w).await, "Rainier 2");

    // The change is in the customer's log under the partner's user; the decision in both.
    let contoso = audit_rows(&w.db, &w.grace, w.contoso.id, "Room", "Successful").await;
    let made = contoso
        .iter()
        .find(|r| r.object_name == "Rainier -> Rainier 2")
        .expect("the change is logged");
    assert_eq!(made.user_id, pat(&w).await.user);
    let decision = "Rainier -> Rainier 2 (approved)";
    let by_grace = contoso
        .iter()
        .find(|r| r.object_name == decision)
        .expect("the decision is in the customer's log");
    assert_eq!(by_grace.user_id, w.grace.user);
    let northwind = audit_rows(&w.db, &w.nadia, w.northwind.id, "Room", "Successful").await;
    assert!(
        northwind.iter().any(|r| r.object_name == decision),
        "{northwind:#?}"
    );

    // Once only.
    let again = approvals::decide(
        &w.db,
        &w.grace,
        w.contoso.id,
        id,
        false,
        rejection("No"),
        now(),
    )
    .await;
    assert!(is_decided_conflict(&again), "{again:?}");
    let seen = approvals::list_requests_for_partner(&w.db, &pat(&w).await, w.contoso.id, now())
        .await
        .unwrap();
    assert_eq!(seen[0].state, ChangeRequestState::Approved);

    // A ring move is held and made the same way.
    let pilot = app::server::service::room_groups::create_update_ring(
        &w.db,
        &w.grace,
        w.contoso.id,
        app::domain::rooms::UpdateRingInput {
            name: "Pilot".into(),
            deferral_days: "0".into(),
        }
        .validate()
        .unwrap(),
        now(),
    )
    .await
    .unwrap();
    let pat = pat(&w).await;
    let outcome = rooms::set_room_ring(
        &w.db,
        &pat,
        w.contoso.id,
        w.seattle.id,
        Some(pilot.id),
        now(),
    )
    .await
    .unwrap();
    let ChangeOutcome::AwaitingApproval(ring_request) = outcome else {
        panic!("expected a held ring move, got {outcome:?}");
    };
    assert_eq!(seattle_ring(&w).await, None);
    let listed = approvals::list_requests(&w.db, &w.grace, w.contoso.id, now())
        .await
        .unwrap();
    assert_eq!(listed[0].id, ring_request, "pending requests come first");
    assert_eq!(listed[0].asked, "Move Rainier 2 to update ring Pilot");
    approvals::decide(
        &w.db,
        &w.grace,
        w.contoso.id,
        ring_request,
        true,
        approval(),
        now(),
    )
    .await
    .unwrap();
    assert_eq!(seattle_ring(&w).await, Some(pilot.id));
}

#[tokio::test]
async fn rejecting_needs_a_reason_changes_nothing_and_the_partner_sees_why() {
    let w = world().await;
    active_with(&w, ApprovalMode::Manual).await;
    let id = held_rename(&w).await;
    assert!(DecisionReason::parse(false, "  ").is_err());
    let decided = approvals::decide(
        &w.db,
        &w.grace,
        w.contoso.id,
        id,
        false,
        rejection("Not during the December freeze."),
        now(),
    )
    .await
    .unwrap();
    assert_eq!(decided.state, ChangeRequestState::Rejected);
    assert_eq!(seattle_name(&w).await, "Rainier");
    let seen = approvals::list_requests_for_partner(&w.db, &pat(&w).await, w.contoso.id, now())
        .await
        .unwrap();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].state, ChangeRequestState::Rejected);
    assert_eq!(seen[0].reason, "Not during the December freeze.");
    assert_eq!(seen[0].decided_by_name.as_deref(), Some("Contoso Admin"));
    let decision = "Rainier -> Rainier 2 (rejected)";
    for (admin, org) in [(&w.grace, w.contoso.id), (&w.nadia, w.northwind.id)] {
        assert!(audit_rows(&w.db, admin, org, "Room", "Successful")
            .await
            .iter()
            .any(|r| r.object_name == decision));
    }
    let again = approvals::decide(&w.db, &w.grace, w.contoso.id, id, true, approval(), now()).await;
    assert!(is_decided_conflict(&again), "{again:?}");
    assert_eq!(seattle_name(&w).await, "Rainier");
}

#[tokio::test]
async fn an_approval_the_partner_is_no_longer_allowed_fails_and_changes_nothing() {
    // The scope narrowed to London after Pat asked to rename a Seattle room.
    let w = world().await;
    let rel = active_with(&w, ApprovalMode::Manual).await;
    let id = held_rename(&w).await;
    partners::update_partner(
        &w.db,
        &w.grace,
        w.contoso.id,
        rel,
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
    let decided = approvals::decide(&w.db, &w.grace, w.contoso.id, id, true, approval(), now())
        .await
        .unwrap();
    assert_eq!(decided.state, ChangeRequestState::Failed);
    assert!(
        decided.reason.contains("nothing was changed"),
        "{}",
        decided.reason
    );
    assert_eq!(seattle_name(&w).await, "Rainier");
    let contoso = audit_rows(&w.db, &w.grace, w.contoso.id, "Room", "Successful").await;
    assert!(contoso
        .iter()
        .all(|r| r.object_name != "Rainier -> Rainier 2"));
    assert!(contoso
        .iter()
        .any(|r| r.object_name == "Rainier -> Rainier 2 (approved, not applied)"));
    // The room is outside the partner's scope now: its request is no longer shown to them.
    let seen = approvals::list_requests_for_partner(&w.db, &pat(&w).await, w.contoso.id, now())
        .await
        .unwrap();
    assert!(seen.iter().all(|r| r.id != id), "{seen:?}");
    let again = approvals::decide(&w.db, &w.grace, w.contoso.id, id, true, approval(), now()).await;
    assert!(is_decided_conflict(&again), "{again:?}");

    // The requester no longer holds a partner role (Primary admins deleted by the customer).
    let w = world().await;
    let rel = active_with(&w, ApprovalMode::Manual).await;
    let id = held_rename(&w).await;
    let role = partners::list_partners(&w.db, &w.grace, w.contoso.id, now())
        .await
        .unwrap()[0]
        .roles[0]
        .id;
    partners::delete_partner_role(&w.db, &w.grace, w.contoso.id, rel, role, now())
        .await
        .unwrap();
    let decided = approvals::decide(&w.db, &w.grace, w.contoso.id, id, true, approval(), now())
        .await
        .unwrap();
    assert_eq!(decided.state, ChangeRequestState::Failed);
    assert!(decided.reason.contains("Pat Primary"), "{}", decided.reason);
    assert_eq!(seattle_name(&w).await, "Rainier");

    // The change itself is refused by the database when made (the resource account was taken
    // meanwhile): nothing of it stays, and the decision is still recorded.
    let w = world().await;
    active_with(&w, ApprovalMode::Manual).await;
    let account = valid_room(
        "Rainier",
        "board@contoso.com",
        "Seattle HQ",
        "Seattle",
        "US",
    );
    let pat = pat(&w).await;
    let outcome = rooms::update_room(&w.db, &pat, w.contoso.id, w.seattle.id, account, now())
        .await
        .unwrap();
    let ChangeOutcome::AwaitingApproval(id) = outcome else {
        panic!("expected a held change, got {outcome:?}");
    };
    crate::rooms::new_room(
        &w.db,
        &w.grace,
        w.contoso.id,
        ("Board", "board@contoso.com", "Seattle HQ", "Seattle", "US"),
    )
    .await;
    let decided = approvals::decide(&w.db, &w.grace, w.contoso.id, id, true, approval(), now())
        .await
        .unwrap();
    assert_eq!(decided.state, ChangeRequestState::Failed);
    assert!(
        decided.reason.contains("resource account"),
        "{}",
        decided.reason
    );
    let room = rooms::get_room(&w.db, &w.grace, w.contoso.id, w.seattle.id)
        .await
        .unwrap()
        .room;
    assert_eq!(room.resource_account, "rainier@contoso.com");
    assert!(
        audit_rows(&w.db, &w.nadia, w.northwind.id, "Room", "Successful")
            .await
            .iter()
            .any(|r| r.object_name == "Rainier (approved, not applied)")
    );
}

#[tokio::test]
async fn a_request_expires_after_seven_days_and_cannot_be_decided_then() {
    let w = world().await;
    active_with(&w, ApprovalMode::Manual).await;
    let id = held_rename(&w).await;
    let expiry = now() + Duration::days(CHANGE_REQUEST_DAYS);
    let before =
        approvals::list_requests(&w.db, &w.grace, w.contoso.id, expiry - Duration::seconds(1))
            .await
            .unwrap();
    assert_eq!(before[0].state, ChangeRequestState::Pending);
    let listed = approvals::list_requests(&w.db, &w.grace, w.contoso.id, expiry)
        .await
        .unwrap();
    assert_eq!(listed[0].state, ChangeRequestState::Expired);
    for approve in [true, false] {
        let late = approvals::decide(
            &w.db,
            &w.grace,
            w.contoso.id,
            id,
            approve,
            rejection("Too late"),
            expiry,
        )
        .await;
        assert!(is_decided_conflict(&late), "{late:?}");
    }
    assert_eq!(seattle_name(&w).await, "Rainier");
    let pat = actor_at(&w.db, &w.northwind, w.pat, expiry).await;
    let seen = approvals::list_requests_for_partner(&w.db, &pat, w.contoso.id, expiry)
        .await
        .unwrap();
    assert_eq!(seen[0].state, ChangeRequestState::Expired);
}

/// On PostgreSQL the two decisions run in concurrent transactions; the conditional update lets
/// exactly one move the request from pending.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_decisions_at_once_have_exactly_one_effect() {
    for round in 0..6 {
        let w = world().await;
        active_with(&w, ApprovalMode::Manual).await;
        let id = held_rename(&w).await;
        let second_approves = round % 2 == 0;
        let (a, b) = tokio::join!(
            approvals::decide(&w.db, &w.grace, w.contoso.id, id, true, approval(), now()),
            approvals::decide(
                &w.db,
                &w.grace,
                w.contoso.id,
                id,
                second_approves,
                if second_approves {
                    approval()
                } else {
                    rejection("No")
                },
                now()
            ),
        );
        assert!(a.is_ok() != b.is_ok(), "round {round}: {a:?} / {b:?}");
        let (winner, loser) = if a.is_ok() { (a, b) } else { (b, a) };
        assert!(is_decided_conflict(&loser), "round {round}: {loser:?}");
        let applied = winner.unwrap().state == ChangeRequestState::Approved;
        let logged = audit_rows(&w.db, &w.grace, w.contoso.id, "Room", "Successful").await;
        let made = logged
            .iter()
            .filter(|r| r.object_name == "Rainier -> Rainier 2")
            .count();
        let decisions = logged
            .iter()
            .filter(|r| {
                r.object_name.ends_with("(approved)") || r.object_name.ends_with("(rejected)")
            })
            .count();
        assert_eq!(made, usize::from(applied), "round {round}");
        assert_eq!(decisions, 1, "round {round}");
        let expected = if applied { "Rainier 2" } else { "Rainier" };
        assert_eq!(seattle_name(&w).await, expected, "round {round}");
    }
}

#[tokio::test]
async fn only_the_customers_admins_list_and_decide_its_requests() {
    let w = world().await;
    active_with(&w, ApprovalMode::Manual).await;
    let id = held_rename(&w).await;
    let (_, stranger) = org_with_admin(&w.db, "Fabrikam", "fabrikam.com").await;
    let omar = user(&w.db, &w.contoso, "omar@contoso.com", "Omar Member").await;
    let omar = actor(&w.db, &w.contoso, omar).await;
    let pat = pat(&w).await;

    assert!(matches!(
        approvals::list_requests(&w.db, &stranger, w.contoso.id, now()).await,
        Err(ServiceError::NotFound)
    ));
    assert!(matches!(
        approvals::decide(&w.db, &stranger, w.contoso.id, id, true, approval(), now()).await,
        Err(ServiceError::NotFound)
    ));
    assert!(matches!(
        approvals::list_requests(&w.db, &omar, w.contoso.id, now()).await,
        Err(ServiceError::Forbidden(_))
    ));
    assert!(matches!(
        approvals::decide(
            &w.db,
            &omar,
            w.contoso.id,
            id,
            false,
            rejection("No"),
            now()
        )
        .await,
        Err(ServiceError::Forbidden(_))
    ));
    // The partner sees its own requests, never the customer's queue, and decides nothing.
    assert!(approvals::list_requests(&w.db, &pat, w.contoso.id, now())
        .await
        .is_err());
    assert!(
        approvals::decide(&w.db, &pat, w.contoso.id, id, true, approval(), now())
            .await
            .is_err()
    );
    // The partner's list is for holders of a partner role only.
    for who in [&w.grace, &stranger, &omar, &w.tina] {
        assert!(
            matches!(
                approvals::list_requests_for_partner(&w.db, who, w.contoso.id, now()).await,
                Err(ServiceError::NotFound)
            ),
            "{:?}",
            who.user
        );
    }
    // Another organisation's admin, in their own organisation, does not find Contoso's request.
    assert!(matches!(
        approvals::decide(&w.db, &stranger, stranger.org, id, true, approval(), now()).await,
        Err(ServiceError::NotFound)
    ));
    // The refusals by Contoso's member are in Contoso's log; nothing was decided or changed.
    assert!(!audit_rows(&w.db, &w.grace, w.contoso.id, "Room", "Failed")
        .await
        .iter()
        .filter(|r| r.user_id == omar.user)
        .collect::<Vec<_>>()
        .is_empty());
    let listed = approvals::list_requests(&w.db, &w.grace, w.contoso.id, now())
        .await
        .unwrap();
    assert_eq!(listed[0].state, ChangeRequestState::Pending);
    assert_eq!(seattle_name(&w).await, "Rainier");
}

#[tokio::test]
async fn with_auto_approval_a_partners_change_is_made_at_once() {
    let w = world().await;
    active(&w).await;
    let pat = pat(&w).await;
    let outcome = rooms::update_room(&w.db, &pat, w.contoso.id, w.seattle.id, renamed(), now())
        .await
        .unwrap();
    assert_eq!(outcome, ChangeOutcome::Applied);
    assert_eq!(seattle_name(&w).await, "Rainier 2");
    assert!(
        approvals::list_requests(&w.db, &w.grace, w.contoso.id, now())
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        approvals::list_requests_for_partner(&w.db, &pat, w.contoso.id, now())
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn a_request_about_a_room_deleted_since_fails_and_a_partner_without_create_cannot_delete() {
    let w = world().await;
    active_with(&w, ApprovalMode::Manual).await;
    let id = held_rename(&w).await;
    // Primary admins hold no Rooms: Create, so they may not delete rooms, nor ask to.
    let pat = pat(&w).await;
    let refused = rooms::delete_room(&w.db, &pat, w.contoso.id, w.seattle.id, now()).await;
    assert!(
        matches!(
            refused,
            Err(ServiceError::Forbidden(DenyReason::MissingRole))
        ),
        "{refused:?}"
    );
    let own = rooms::delete_room(&w.db, &w.grace, w.contoso.id, w.seattle.id, now()).await;
    assert_eq!(
        own.unwrap(),
        ChangeOutcome::Applied,
        "the customer is not held"
    );
    let decided = approvals::decide(&w.db, &w.grace, w.contoso.id, id, true, approval(), now())
        .await
        .unwrap();
    assert_eq!(decided.state, ChangeRequestState::Failed);
    assert!(
        decided.reason.contains("no longer exists"),
        "{}",
        decided.reason
    );
}
