//! Tickets on both databases: every incident has one, devices resolve theirs, people change them
//! by permission (audited), customer incidents, the Incidents page's filters and keyset paging,
//! and a partner's reach over them (the relationship's scope, never beyond).

use crate::common::*;
use crate::partners::{active, pat, world, World};
use app::domain::health::{Component, Heartbeat, IncidentStatus, Severity};
use app::domain::ids::{IncidentId, RoomId};
use app::domain::rooms::Platform;
use app::domain::tickets::{
    Cursor, CustomerIncidentInput, IncidentPage, IncidentQuery, IncidentSort, PageFrom, Priority,
    TicketChange, TicketStatus, TimelineKind,
};
use app::domain::validation::SearchTerm;
use app::server::service::settings::{self, DeviceEnrollment};
use app::server::service::{health, tickets};
use app::server::ServiceError;
use chrono::Duration;
use std::collections::BTreeMap;

async fn enroll(w: &World, account: &str) -> String {
    let key = settings::enrollment_key(&w.db, &w.grace, w.contoso.id, now())
        .await
        .unwrap();
    let device = DeviceEnrollment {
        resource_account: account.into(),
        display_name: "ignored for an existing room".into(),
        platform: Platform::Windows,
    };
    settings::enroll(&w.db, &key, device, now())
        .await
        .unwrap_or_else(|_| panic!("enrolls"))
        .1
}

async fn beat(w: &World, token: &str, minutes_later: i64, camera: &str) {
    let at = now() + Duration::minutes(minutes_later);
    let components: BTreeMap<String, String> = [("camera".to_owned(), camera.to_owned())].into();
    let beat = Heartbeat::parse(&at.to_rfc3339(), "1.0", &components).unwrap();
    assert_eq!(
        heartbeat(&w.db, token, &beat, at).await.unwrap(),
        (health::Verdict::Accepted, true)
    );
}

fn active_only() -> IncidentQuery {
    IncidentQuery {
        status: Some(IncidentStatus::Active),
        ..IncidentQuery::default()
    }
}

fn query(q: IncidentQuery) -> app::domain::validation::Valid<IncidentQuery> {
    q.validate().unwrap()
}

async fn list(w: &World, actor: &app::domain::authz::Actor, q: IncidentQuery) -> IncidentPage {
    tickets::list_incidents(&w.db, actor, w.contoso.id, query(q))
        .await
        .unwrap()
}

async fn raise(
    w: &World,
    room: RoomId,
    title: &str,
    severity: Severity,
    at_minute: i64,
) -> IncidentId {
    let input = CustomerIncidentInput {
        room,
        title: title.into(),
        severity,
        description: format!("{title}: seen by the front desk"),
    };
    tickets::raise_customer_incident(
        &w.db,
        &w.grace,
        w.contoso.id,
        input.validate().unwrap(),
        now() + Duration::minutes(at_minute),
    )
    .await
    .unwrap()
}

async fn change(
    w: &World,
    actor: &app::domain::authz::Actor,
    id: IncidentId,
    c: TicketChange,
) -> Result<app::domain::tickets::TicketDetail, ServiceError> {
    tickets::change_ticket(&w.db, actor, w.contoso.id, id, c.validate().unwrap(), now()).await
}

#[tokio::test]
async fn a_device_incident_has_a_ticket_that_the_device_resolves() {
    let w = world().await;
    let token = enroll(&w, "rainier@contoso.com").await;
    beat(&w, &token, -3, "error").await;
    let page = list(&w, &w.grace, IncidentQuery::default()).await;
    assert_eq!(page.rows.len(), 1);
    let row = &page.rows[0];
    assert_eq!(
        (row.category, row.status, row.ticket, row.priority),
        (
            Component::Camera,
            IncidentStatus::Active,
            TicketStatus::New,
            Priority::High
        )
    );
    assert_eq!(row.room_name, "Rainier");
    let id = row.id;
    change(
        &w,
        &w.grace,
        id,
        TicketChange::Status(TicketStatus::InProgress),
    )
    .await
    .unwrap();

    beat(&w, &token, 2, "ok").await;
    let detail = tickets::get_ticket(&w.db, &w.grace, w.contoso.id, id)
        .await
        .unwrap();
    assert_eq!(detail.row.status, IncidentStatus::Resolved);
    assert_eq!(detail.row.ticket, TicketStatus::Resolved);
    let kinds: Vec<_> = detail.timeline.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            TimelineKind::Opened,
            TimelineKind::Status,
            TimelineKind::Resolved
        ]
    );
    assert_eq!(detail.timeline[0].author, "Rooms MTM (automatic)");
    assert_eq!(detail.timeline[1].author, "Contoso Admin");
    assert_eq!(detail.timeline[1].author_org, "Contoso");
    assert_eq!(detail.timeline[1].body, "New → In progress");

    // A closed ticket stays closed when its room's next incident of the kind resolves.
    beat(&w, &token, 3, "error").await;
    let second = list(&w, &w.grace, active_only()).await;
    assert_eq!(second.rows.len(), 1);
    assert_ne!(second.rows[0].id, id, "breaking again is a new incident");
    change(
        &w,
        &w.grace,
        second.rows[0].id,
        TicketChange::Status(TicketStatus::Closed),
    )
    .await
    .unwrap();
    beat(&w, &token, 4, "ok").await;
    let closed = tickets::get_ticket(&w.db, &w.grace, w.contoso.id, second.rows[0].id)
        .await
        .unwrap();
    assert_eq!(
        (closed.row.status, closed.row.ticket),
        (IncidentStatus::Resolved, TicketStatus::Closed)
    );
}

#[tokio::test]
async fn a_partner_works_on_tickets_inside_the_relationships_scope_only() {
    let w = world().await;
    active(&w).await;
    let pat = pat(&w).await;
    let seattle = raise(&w, w.seattle.id, "Projector flickers", Severity::Medium, 1).await;
    let london = raise(&w, w.london.id, "Chairs missing", Severity::Low, 2).await;

    let seen = list(&w, &pat, IncidentQuery::default()).await;
    assert_eq!(
        seen.rows.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![seattle],
        "London is outside the US scope"
    );
    assert!(matches!(
        tickets::get_ticket(&w.db, &pat, w.contoso.id, london).await,
        Err(ServiceError::NotFound)
    ));
    assert!(matches!(
        change(&w, &pat, london, TicketChange::Comment("hi".into())).await,
        Err(ServiceError::NotFound)
    ));
    let outside = CustomerIncidentInput {
        room: w.london.id,
        title: "Not ours".into(),
        severity: Severity::Low,
        description: "x".into(),
    };
    assert!(matches!(
        tickets::raise_customer_incident(
            &w.db,
            &pat,
            w.contoso.id,
            outside.validate().unwrap(),
            now()
        )
        .await,
        Err(ServiceError::NotFound)
    ));
    // Asking with another customer's id for one of Contoso's incidents finds nothing.
    assert!(matches!(
        tickets::get_ticket(&w.db, &pat, w.northwind.id, seattle).await,
        Err(ServiceError::NotFound) | Err(ServiceError::Forbidden(_))
    ));

    // Inside: Pat comments and takes the ticket; the customer assigns the other one to Pat in
    // vain, since Pat may not update London's.
    change(
        &w,
        &pat,
        seattle,
        TicketChange::Comment("On site at 3 pm.".into()),
    )
    .await
    .unwrap();
    let taken = change(
        &w,
        &pat,
        seattle,
        TicketChange::Assign(Some((w.pat, w.northwind.id))),
    )
    .await
    .unwrap();
    assert_eq!(taken.row.assignee.as_deref(), Some("Pat Primary"));
    let refused = change(
        &w,
        &w.grace,
        london,
        TicketChange::Assign(Some((w.pat, w.northwind.id))),
    )
    .await;
    assert!(
        matches!(&refused, Err(ServiceError::Invalid(e)) if e.field == "assignee"),
        "{refused:?}"
    );
    // The customer's assignee search offers Pat for Seattle's ticket and not for London's.
    let offered = |id| {
        let w = &w;
        async move {
            tickets::assignees(
                &w.db,
                &w.grace,
                w.contoso.id,
                id,
                SearchTerm::parse("pat").unwrap(),
                now(),
            )
            .await
            .unwrap()
            .into_iter()
            .map(|a| a.upn)
            .collect::<Vec<_>>()
        }
    };
    assert_eq!(offered(seattle).await, vec!["pat@northwind.com"]);
    assert!(offered(london).await.is_empty());

    // Every change is in the customer's log, Pat's with Northwind as the acting organisation.
    let done = audit_rows(&w.db, &w.grace, w.contoso.id, "Ticket", "Successful").await;
    assert_eq!(
        done.len(),
        4,
        "two raised, a comment, an assignment: {done:?}"
    );
    assert_eq!(
        done.iter()
            .filter(|e| e.user_tenant_id == w.northwind.id)
            .count(),
        2
    );
    let detail = tickets::get_ticket(&w.db, &w.grace, w.contoso.id, seattle)
        .await
        .unwrap();
    let comment = detail
        .timeline
        .iter()
        .find(|e| e.kind == TimelineKind::Comment)
        .unwrap();
    assert_eq!(
        (comment.author.as_str(), comment.author_org.as_str()),
        ("Pat Primary", "Northwind")
    );
}

#[tokio::test]
async fn a_customer_incident_is_resolved_with_its_ticket_and_a_room_may_have_several() {
    let w = world().await;
    let first = raise(&w, w.london.id, "Projector flickers", Severity::High, 1).await;
    let second = raise(&w, w.london.id, "Whiteboard pens dry", Severity::Low, 2).await;
    let active = list(&w, &w.grace, active_only()).await;
    assert_eq!(active.rows.len(), 2);
    let done = change(
        &w,
        &w.grace,
        first,
        TicketChange::Status(TicketStatus::Resolved),
    )
    .await
    .unwrap();
    assert_eq!(done.row.status, IncidentStatus::Resolved);
    let again = change(
        &w,
        &w.grace,
        first,
        TicketChange::Status(TicketStatus::InProgress),
    )
    .await
    .unwrap();
    assert_eq!(again.row.status, IncidentStatus::Active);
    assert!(again.row.resolved_at.is_none());
    change(
        &w,
        &w.grace,
        first,
        TicketChange::Status(TicketStatus::Closed),
    )
    .await
    .unwrap();
    let open = list(&w, &w.grace, active_only()).await;
    assert_eq!(
        open.rows.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![second],
        "closing one leaves the other open"
    );
}

#[tokio::test]
async fn filters_narrow_the_list_and_keyset_pages_walk_it_both_ways() {
    let w = world().await;
    let severities = [Severity::Low, Severity::Critical, Severity::Medium];
    let mut raised = Vec::new();
    for i in 0..(IncidentQuery::PAGE_SIZE as i64 * 2 + 7) {
        let severity = severities[i as usize % 3];
        let room = if i % 2 == 0 {
            w.seattle.id
        } else {
            w.london.id
        };
        raised.push((
            raise(&w, room, &format!("Issue {i:03}"), severity, i).await,
            severity,
            room,
        ));
    }
    for sort in [
        IncidentSort::Newest,
        IncidentSort::Oldest,
        IncidentSort::Severity,
    ] {
        let mut expected = raised.clone();
        match sort {
            IncidentSort::Newest => expected.reverse(),
            IncidentSort::Oldest => {}
            IncidentSort::Severity => {
                expected.reverse();
                expected.sort_by_key(|(_, s, _)| -s.rank());
            }
        }
        let expected: Vec<IncidentId> = expected.into_iter().map(|(id, _, _)| id).collect();
        // Forwards to the end, then backwards to the start.
        let mut pages = vec![
            list(
                &w,
                &w.grace,
                IncidentQuery {
                    sort,
                    ..IncidentQuery::default()
                },
            )
            .await,
        ];
        assert_eq!(pages[0].previous, None);
        while let Some(next) = pages.last().unwrap().next.clone() {
            let after = Cursor::decode(&next).unwrap();
            pages.push(
                list(
                    &w,
                    &w.grace,
                    IncidentQuery {
                        sort,
                        page: PageFrom::After(after),
                        ..IncidentQuery::default()
                    },
                )
                .await,
            );
        }
        let walked: Vec<IncidentId> = pages
            .iter()
            .flat_map(|p| p.rows.iter().map(|r| r.id))
            .collect();
        assert_eq!(walked, expected, "{sort:?} forwards");
        assert_eq!(pages.len(), 3);
        let mut back = pages.last().unwrap().clone();
        let mut walked_back = back.rows.iter().map(|r| r.id).collect::<Vec<_>>();
        while let Some(previous) = back.previous.clone() {
            back = list(
                &w,
                &w.grace,
                IncidentQuery {
                    sort,
                    page: PageFrom::Before(Cursor::decode(&previous).unwrap()),
                    ..IncidentQuery::default()
                },
            )
            .await;
            let mut ids: Vec<_> = back.rows.iter().map(|r| r.id).collect();
            ids.extend(walked_back);
            walked_back = ids;
        }
        assert_eq!(walked_back, expected, "{sort:?} backwards");
    }

    let count = |q: IncidentQuery| {
        let w = &w;
        async move { list(w, &w.grace, q).await.rows.len() }
    };
    assert_eq!(
        count(IncidentQuery {
            severity: Some(Severity::Critical),
            ..IncidentQuery::default()
        })
        .await,
        36
    );
    assert_eq!(
        count(IncidentQuery {
            room: Some(w.london.id),
            severity: Some(Severity::Low),
            ..IncidentQuery::default()
        })
        .await,
        18
    );
    assert_eq!(
        count(IncidentQuery {
            text: "ISSUE 10".into(),
            ..IncidentQuery::default()
        })
        .await,
        7,
        "Issue 100 to 106, case-insensitive"
    );
    assert_eq!(
        count(IncidentQuery {
            text: "thames".into(),
            ..IncidentQuery::default()
        })
        .await,
        50,
        "by room name: London's 53, first page"
    );
    let day = now().date_naive();
    assert_eq!(
        count(IncidentQuery {
            from: day.succ_opt(),
            ..IncidentQuery::default()
        })
        .await,
        0
    );
    assert_eq!(
        count(IncidentQuery {
            category: Some(Component::Camera),
            ..IncidentQuery::default()
        })
        .await,
        0
    );
    // A date range ending before it starts is the user's mistake, said as such.
    let bad = IncidentQuery {
        from: day.succ_opt(),
        to: Some(day),
        ..IncidentQuery::default()
    };
    assert!(bad.validate().is_err());
}

/// Fabrikam, a second customer of Northwind over all its rooms (Pat accepted as Primary admin),
/// with one room and a customer incident on it; and Woodgrove, a customer of nobody, with one.
async fn second_customer(w: &World) -> (Org, IncidentId, IncidentId) {
    use app::domain::directory::Principal;
    use app::domain::partners::{ApprovalMode, ChangeCategory, InvitationDraft, ScopeChoice};
    use app::server::service::partners;
    let mut raised = Vec::new();
    let mut fabrikam = None;
    for (name, domain, invite) in [
        ("Fabrikam", "fabrikam.com", true),
        ("Woodgrove", "woodgrove.com", false),
    ] {
        let (org, admin) = org_with_admin(&w.db, name, domain).await;
        let room = crate::rooms::new_room(
            &w.db,
            &admin,
            org.id,
            ("Lobby", &format!("lobby@{domain}"), "HQ", "Paris", "FR"),
        )
        .await;
        let input = CustomerIncidentInput {
            room: room.id,
            title: format!("{name} screen cracked"),
            severity: Severity::High,
            description: "Seen.".into(),
        };
        raised.push(
            tickets::raise_customer_incident(
                &w.db,
                &admin,
                org.id,
                input.validate().unwrap(),
                now(),
            )
            .await
            .unwrap(),
        );
        if invite {
            let draft = InvitationDraft {
                partner_domain: "northwind.com".into(),
                expires_in_days: 14,
                invited_admins: vec![],
                approvals: vec![(ChangeCategory::Rooms, ApprovalMode::Auto)],
                scope: ScopeChoice {
                    all_rooms: true,
                    rooms: vec![],
                    room_groups: vec![],
                },
                ends_on: None,
                terms_accepted: true,
            };
            let id = partners::invite_partner(
                &w.db,
                &admin,
                org.id,
                draft.validate(now().date_naive()).unwrap(),
                now(),
            )
            .await
            .unwrap();
            partners::accept_invitation(&w.db, &w.tina, id, vec![Principal::User(w.pat)], now())
                .await
                .unwrap();
            fabrikam = Some(org);
        }
    }
    (fabrikam.unwrap(), raised[0], raised[1])
}

async fn all_tickets(
    w: &World,
    actor: &app::domain::authz::Actor,
    q: IncidentQuery,
) -> Result<Vec<(IncidentId, Option<String>)>, ServiceError> {
    Ok(
        tickets::list_all_tickets(&w.db, actor, q.validate().unwrap(), now())
            .await?
            .rows
            .into_iter()
            .map(|r| (r.id, r.customer.map(|(_, name)| name)))
            .collect(),
    )
}

#[tokio::test]
async fn the_all_tickets_view_is_every_customers_list_in_one_within_each_scope() {
    let w = world().await;
    active(&w).await;
    let seattle = raise(&w, w.seattle.id, "Projector flickers", Severity::Medium, 1).await;
    let london = raise(&w, w.london.id, "Chairs missing", Severity::Low, 2).await;
    let (fabrikam, lobby, woodgrove) = second_customer(&w).await;

    let pat = pat(&w).await;
    let seen = all_tickets(&w, &pat, IncidentQuery::default())
        .await
        .unwrap();
    assert_eq!(
        seen,
        vec![
            (seattle, Some("Contoso".to_owned())),
            (lobby, Some("Fabrikam".to_owned())),
        ],
        "newest first; London is outside Contoso's scope, Woodgrove is no customer"
    );
    for hidden in [london, woodgrove] {
        assert!(!seen.iter().any(|(id, _)| *id == hidden));
    }
    // The same rows as the per-customer lists together: the one query is the reach of each.
    let mut per_customer = Vec::new();
    for org in [w.contoso.id, fabrikam.id] {
        per_customer.extend(
            tickets::list_incidents(&w.db, &pat, org, query(IncidentQuery::default()))
                .await
                .unwrap()
                .rows
                .into_iter()
                .map(|r| r.id),
        );
    }
    let mut ids: Vec<_> = seen.iter().map(|(id, _)| *id).collect();
    ids.sort();
    per_customer.sort();
    assert_eq!(ids, per_customer);

    let only = all_tickets(
        &w,
        &pat,
        IncidentQuery {
            customer: Some(fabrikam.id),
            ..IncidentQuery::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(only, vec![(lobby, Some("Fabrikam".to_owned()))]);
    let text = all_tickets(
        &w,
        &pat,
        IncidentQuery {
            text: "projector".into(),
            ..IncidentQuery::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(text.len(), 1);

    // Hugo, a Primary admin of Contoso only (invited by name), sees Contoso's only; Tina, a
    // Tenant manager with no partner role, sees nothing; Grace's organisation manages nobody.
    let hugo = actor(&w.db, &w.northwind, w.hugo).await;
    assert_eq!(
        all_tickets(&w, &hugo, IncidentQuery::default())
            .await
            .unwrap(),
        vec![(seattle, Some("Contoso".to_owned()))]
    );
    assert!(all_tickets(&w, &w.tina, IncidentQuery::default())
        .await
        .unwrap()
        .is_empty());
    assert!(matches!(
        all_tickets(&w, &w.grace, IncidentQuery::default()).await,
        Err(ServiceError::Forbidden(_))
    ));

    // Contoso removes Northwind: its tickets leave Pat's list on the next request.
    let rel = app::server::service::partners::list_partners(&w.db, &w.grace, w.contoso.id, now())
        .await
        .unwrap()[0]
        .summary
        .id;
    app::server::service::partners::remove_partner(&w.db, &w.grace, w.contoso.id, rel, now())
        .await
        .unwrap();
    assert_eq!(
        all_tickets(&w, &pat, IncidentQuery::default())
            .await
            .unwrap(),
        vec![(lobby, Some("Fabrikam".to_owned()))]
    );
}
