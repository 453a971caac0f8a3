//! Tickets (specification section 2): the Incidents page's list, a ticket with its timeline,
//! changes by people (status, priority, assignee, comments; audited as `Ticket`), customer
//! incidents, and the ticket side of incidents that devices open and resolve.

use super::audit::{self, Attempt, Category, Operation};
use super::identity::{self, Addressed};
use super::membership::{described_room, reach_condition};
use crate::domain::authz::{authorize, reach, Action, Actor, Decision, Permission, Resource};
use crate::domain::health::{Component, IncidentStatus};
use crate::domain::ids::{IncidentId, OrgId, RoomId, TicketEventId, UserId};
use crate::domain::tickets::{
    Assignee, Cursor, CustomerIncidentInput, IncidentPage, IncidentQuery, IncidentRow,
    IncidentSort, PageFrom, Priority, TicketChange, TicketDetail, TicketStatus, TimelineEntry,
    TimelineKind,
};
use crate::domain::validation::{SearchTerm, Valid, ValidationError};
use crate::server::context::SignedIn;
use crate::server::entity::{
    incident, organisation, partner_relationship, room, ticket, ticket_event, user,
};
use crate::server::error::ServiceError;
use crate::server::scope::{CustomerScopes, TenantScope};
use chrono::{DateTime, Days, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Func};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, FromQueryResult,
    JoinType, Order, QueryFilter, QueryOrder, QuerySelect, RelationTrait, Select, Set,
    TransactionSession, TransactionTrait,
};
use std::collections::BTreeSet;

/// Who writes a timeline entry: a person, or the portal itself (nil ids).
pub(crate) struct Author {
    user: UserId,
    org: OrgId,
    name: String,
    org_name: String,
}

impl Author {
    pub(crate) fn portal() -> Self {
        Self {
            user: UserId(uuid::Uuid::nil()),
            org: OrgId(uuid::Uuid::nil()),
            name: audit::PORTAL_NAME.to_owned(),
            org_name: String::new(),
        }
    }

    async fn of(db: &impl ConnectionTrait, actor: &Actor) -> Result<Self, DbErr> {
        let names = audit::names_of(db, actor).await?;
        Ok(Self {
            user: actor.user,
            org: actor.org,
            name: names.name,
            org_name: names.org_name,
        })
    }
}

/// A timeline entry of `incident`.
pub(crate) fn event(
    incident: &incident::Model,
    author: &Author,
    kind: TimelineKind,
    body: String,
    at: DateTime<Utc>,
) -> ticket_event::ActiveModel {
    ticket_event::ActiveModel {
        id: Set(TicketEventId::new()),
        org_id: Set(incident.org_id),
        incident_id: Set(incident.id),
        at: Set(at),
        kind: Set(kind),
        author_user_id: Set(author.user),
        author_org_id: Set(author.org),
        author_name: Set(author.name.clone()),
        author_org_name: Set(author.org_name.clone()),
        body: Set(body),
    }
}

async fn write_event(
    db: &impl ConnectionTrait,
    incident: &incident::Model,
    author: &Author,
    kind: TimelineKind,
    body: String,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    ticket_event::Entity::insert(event(incident, author, kind, body, at))
        .exec_without_returning(db)
        .await
        .map(|_| ())
}

/// The ticket of an incident just opened (or opened and resolved again by one batch of
/// heartbeats): new, or resolved with it.
pub(crate) fn ticket_of(
    incident: &incident::Model,
    raised_by: Option<UserId>,
) -> ticket::ActiveModel {
    ticket::ActiveModel {
        incident_id: Set(incident.id),
        org_id: Set(incident.org_id),
        status: Set(if incident.resolved_at.is_some() {
            TicketStatus::Resolved
        } else {
            TicketStatus::New
        }),
        priority: Set(Priority::for_severity(incident.severity)),
        assignee_user_id: Set(None),
        assignee_org_id: Set(None),
        assignee_name: Set(None),
        raised_by: Set(raised_by),
        updated_at: Set(incident.resolved_at.unwrap_or(incident.opened_at)),
    }
}

/// The ticket of an incident just opened, with the first entry of its timeline. In the
/// transaction that opened the incident.
pub(crate) async fn open_ticket(
    db: &impl ConnectionTrait,
    incident: &incident::Model,
    author: &Author,
    raised_by: Option<UserId>,
    body: String,
) -> Result<(), DbErr> {
    ticket::Entity::insert(ticket_of(incident, raised_by))
        .exec_without_returning(db)
        .await?;
    write_event(
        db,
        incident,
        author,
        TimelineKind::Opened,
        body,
        incident.opened_at,
    )
    .await
}

/// The timeline's words for a device's incident that resolved itself (its ticket is resolved
/// unless someone closed it).
pub(crate) fn resolved_body(component: Component) -> String {
    match component {
        Component::Offline => "The room is sending heartbeats again.".to_owned(),
        c => format!("{} reports OK again.", c.label()),
    }
}

/// A row of the list: the incident, its ticket and its room's name.
#[derive(Debug, FromQueryResult)]
struct Listed {
    id: IncidentId,
    org_id: OrgId,
    room_id: RoomId,
    component: Component,
    severity: crate::domain::health::Severity,
    severity_rank: i16,
    status: IncidentStatus,
    title: String,
    opened_at: DateTime<Utc>,
    resolved_at: Option<DateTime<Utc>>,
    ticket_status: TicketStatus,
    priority: Priority,
    assignee_name: Option<String>,
    room_name: String,
}

impl Listed {
    fn row(self, customer: Option<(OrgId, String)>) -> IncidentRow {
        let cursor = Cursor {
            severity_rank: self.severity_rank,
            opened_at: self.opened_at,
            id: self.id,
        }
        .encode();
        IncidentRow {
            id: self.id,
            customer,
            room: self.room_id,
            room_name: self.room_name,
            category: self.component,
            severity: self.severity,
            status: self.status,
            title: self.title,
            opened_at: self.opened_at,
            resolved_at: self.resolved_at,
            ticket: self.ticket_status,
            priority: self.priority,
            assignee: self.assignee_name,
            cursor,
        }
    }
}

/// Incidents joined with their tickets and rooms, as [`Listed`] reads them.
fn listed(select: Select<incident::Entity>) -> Select<incident::Entity> {
    use incident::Column as I;
    select
        .join(JoinType::InnerJoin, incident::Relation::Ticket.def())
        .join(JoinType::InnerJoin, incident::Relation::Room.def())
        .select_only()
        .columns([
            I::Id,
            I::OrgId,
            I::RoomId,
            I::Component,
            I::Severity,
            I::SeverityRank,
            I::Status,
            I::Title,
            I::OpenedAt,
            I::ResolvedAt,
        ])
        .column_as(ticket::Column::Status, "ticket_status")
        .column_as(ticket::Column::Priority, "priority")
        .column_as(ticket::Column::AssigneeName, "assignee_name")
        .column_as(room::Column::DisplayName, "room_name")
}

/// The query's filters on incidents (joined as [`listed`] joins them).
fn filtered(mut select: Select<incident::Entity>, q: &IncidentQuery) -> Select<incident::Entity> {
    use incident::Column as I;
    if let Some(status) = q.status {
        select = select.filter(I::Status.eq(status));
    }
    if let Some(status) = q.ticket {
        select = select.filter(ticket::Column::Status.eq(status));
    }
    if let Some(severity) = q.severity {
        select = select.filter(I::Severity.eq(severity));
    }
    if let Some(category) = q.category {
        select = select.filter(I::Component.eq(category));
    }
    if let Some(room) = q.room {
        select = select.filter(I::RoomId.eq(room));
    }
    if !q.text.is_empty() {
        let pattern = super::contains(&q.text);
        select = select.filter(
            Condition::any()
                .add(
                    Expr::expr(Func::lower(Expr::col((incident::Entity, I::Title))))
                        .like(pattern.clone()),
                )
                .add(Expr::col((room::Entity, room::Column::NameLower)).like(pattern)),
        );
    }
    if let Some(from) = q.from {
        select = select.filter(I::OpenedAt.gte(from.and_time(chrono::NaiveTime::MIN).and_utc()));
    }
    if let Some(to) = q.to.and_then(|d| d.checked_add_days(Days::new(1))) {
        select = select.filter(I::OpenedAt.lt(to.and_time(chrono::NaiveTime::MIN).and_utc()));
    }
    select
}

/// Orders by the sort and applies the keyset cursor; reads one row more than a page to know
/// whether another follows. Rows come back in the page's order, with the cursors around them.
async fn keyset_page(
    db: &impl ConnectionTrait,
    select: Select<incident::Entity>,
    q: &IncidentQuery,
) -> Result<(IncidentPage, Vec<OrgId>), ServiceError> {
    use incident::Column as I;
    let keys: Vec<I> = match q.sort {
        IncidentSort::Newest | IncidentSort::Oldest => vec![I::OpenedAt, I::Id],
        IncidentSort::Severity => vec![I::SeverityRank, I::OpenedAt, I::Id],
    };
    let descending = q.sort != IncidentSort::Oldest;
    let tuple = |keys: &[I]| Expr::tuple(keys.iter().map(|k| Expr::col((incident::Entity, *k))));
    let values = |c: &Cursor, keys: &[I]| {
        Expr::tuple(keys.iter().map(|k| match k {
            I::SeverityRank => Expr::val(c.severity_rank),
            I::OpenedAt => Expr::val(c.opened_at),
            _ => Expr::val(c.id),
        }))
    };
    // Walking backwards (the page before a cursor) reads in the opposite order.
    let (forward, from) = match q.page {
        PageFrom::First => (true, None),
        PageFrom::After(c) => (true, Some(c)),
        PageFrom::Before(c) => (false, Some(c)),
    };
    let mut select = select;
    if let Some(c) = from {
        let past = tuple(&keys);
        let at = values(&c, &keys);
        select = select.filter(if descending == forward {
            past.lt(at)
        } else {
            past.gt(at)
        });
    }
    let order = if descending == forward {
        Order::Desc
    } else {
        Order::Asc
    };
    for key in &keys {
        select = select.order_by(Expr::col((incident::Entity, *key)), order.clone());
    }
    let mut rows = select
        .limit(IncidentQuery::PAGE_SIZE + 1)
        .into_model::<Listed>()
        .all(db)
        .await?;
    let more = rows.len() as u64 > IncidentQuery::PAGE_SIZE;
    rows.truncate(IncidentQuery::PAGE_SIZE as usize);
    if !forward {
        rows.reverse();
    }
    let orgs: Vec<OrgId> = rows.iter().map(|r| r.org_id).collect();
    let rows: Vec<IncidentRow> = rows.into_iter().map(|r| r.row(None)).collect();
    let first = rows.first().map(|r| r.cursor.clone());
    let last = rows.last().map(|r| r.cursor.clone());
    let (previous, next) = match (forward, from.is_some()) {
        (true, false) => (None, last.filter(|_| more)),
        (true, true) => (first, last.filter(|_| more)),
        (false, _) => (first.filter(|_| more), last),
    };
    let page = IncidentPage {
        rows,
        previous,
        next,
    };
    Ok((page, orgs))
}

/// # Authorization
/// `Action::ViewTickets` over some rooms; only incidents of rooms in the actor's reach.
pub async fn list_incidents(
    db: &impl ConnectionTrait,
    actor: &Actor,
    org: OrgId,
    query: Valid<IncidentQuery>,
) -> Result<IncidentPage, ServiceError> {
    let scope = TenantScope::authorize(actor, Action::ViewTickets, &Resource::SomeRooms(org))?;
    let q = query.get();
    let reach = reach(actor, org, Permission::TicketsView).ok_or(ServiceError::NotFound)?;
    let mut select = filtered(listed(scope.select::<incident::Entity>()), q);
    // On the rooms the list joins: "of a room in this list" (a subquery) made PostgreSQL join
    // all of a large organisation's incidents before taking a page (1.1 s at 200,000
    // incidents, against 0.7 ms).
    if let Some(within) = reach_condition(db, &scope, &reach).await? {
        select = select.filter(within);
    }
    Ok(keyset_page(db, select, q).await?.0)
}

/// The all-tickets view: incidents of every customer of the user's organisation whose tickets
/// the user may see (each within its relationship's scope and the user's assignments there),
/// as one list in one query, with the customer's name on each row.
///
/// # Authorization
/// `Action::ViewAllTickets` in the user's own organisation; the rows are what
/// `CustomerScopes::incidents_seen_by` lets through.
pub async fn list_all_tickets(
    db: &impl ConnectionTrait,
    actor: &Actor,
    query: Valid<IncidentQuery>,
    now: DateTime<Utc>,
) -> Result<IncidentPage, ServiceError> {
    TenantScope::authorize(actor, Action::ViewAllTickets, &Resource::Org(actor.org))?;
    let q = query.get();
    let groups: Vec<_> = identity::groups_of(db, actor.org, actor.user)
        .await?
        .into_iter()
        .collect();
    let mut select = CustomerScopes::incidents_seen_by(actor.org, actor.user, &groups, now);
    if let Some(customer) = q.customer {
        select = select.filter(incident::Column::OrgId.eq(customer));
    }
    let (mut page, orgs) = keyset_page(db, filtered(listed(select), q), q).await?;
    let names: std::collections::BTreeMap<OrgId, String> = organisation::Entity::find()
        .filter(organisation::Column::Id.is_in(orgs.iter().copied().collect::<BTreeSet<_>>()))
        .select_only()
        .column(organisation::Column::Id)
        .column(organisation::Column::Name)
        .into_tuple()
        .all(db)
        .await?
        .into_iter()
        .collect();
    for (row, org) in page.rows.iter_mut().zip(orgs) {
        row.customer = names.get(&org).map(|name| (org, name.clone()));
    }
    Ok(page)
}

/// The incident `id` of `org` and the room it is about, as authorization sees it.
async fn find(
    db: &impl ConnectionTrait,
    org: OrgId,
    id: IncidentId,
) -> Result<(incident::Model, room::Model, Resource), ServiceError> {
    let look = TenantScope::describing(org);
    let found = look
        .select::<incident::Entity>()
        .filter(incident::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let (room, resource) = described_room(db, org, found.room_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    Ok((found, room, resource))
}

/// # Authorization
/// `Action::ViewTickets` on the incident's room.
pub async fn get_ticket(
    db: &impl ConnectionTrait,
    actor: &Actor,
    org: OrgId,
    id: IncidentId,
) -> Result<TicketDetail, ServiceError> {
    TenantScope::authorize(actor, Action::ViewTickets, &Resource::SomeRooms(org))?;
    let (_, _, resource) = find(db, org, id).await?;
    let scope = TenantScope::authorize(actor, Action::ViewTickets, &resource)?;
    detail(db, &scope, actor, &resource, id).await
}

async fn detail(
    db: &impl ConnectionTrait,
    scope: &TenantScope,
    actor: &Actor,
    resource: &Resource,
    id: IncidentId,
) -> Result<TicketDetail, ServiceError> {
    let row = listed(scope.select::<incident::Entity>())
        .filter(incident::Column::Id.eq(id))
        .into_model::<Listed>()
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)?
        .row(None);
    let held = scope
        .select::<ticket::Entity>()
        .filter(ticket::Column::IncidentId.eq(id))
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let timeline = scope
        .select::<ticket_event::Entity>()
        .filter(ticket_event::Column::IncidentId.eq(id))
        .order_by_asc(ticket_event::Column::At)
        .order_by_asc(ticket_event::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|e| TimelineEntry {
            at: e.at,
            kind: e.kind,
            author: e.author_name,
            author_org: e.author_org_name,
            body: e.body,
        })
        .collect();
    Ok(TicketDetail {
        row,
        timeline,
        may_update: authorize(actor, Action::UpdateTicket, resource) == Decision::Allow,
        assignee: held.assignee_user_id.zip(held.assignee_org_id),
    })
}

/// Whether `user` of `user_org` may update tickets of the room `resource` (of `org`): the one
/// kind of person a ticket can be assigned to. Loads that user's standing in `org` as their own
/// request would.
async fn may_update(
    db: &impl ConnectionTrait,
    user: UserId,
    user_org: OrgId,
    resource: &Resource,
    now: DateTime<Utc>,
) -> Result<bool, ServiceError> {
    let signed_in = SignedIn {
        user,
        org: user_org,
    };
    let actor =
        identity::load_actor_for(db, &signed_in, Addressed::Org(resource.org()), now).await?;
    Ok(actor.is_some_and(|a| authorize(&a, Action::UpdateTicket, resource) == Decision::Allow))
}

/// # Authorization
/// `Action::UpdateTicket` on the incident's room; an assignee must be allowed the same.
pub async fn change_ticket(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    org: OrgId,
    id: IncidentId,
    change: Valid<TicketChange>,
    now: DateTime<Utc>,
) -> Result<TicketDetail, ServiceError> {
    let blind = format!("incident {}", id.0);
    let attempt = Attempt::new(actor, Category::Ticket, Operation::Update, &blind, now);
    attempt
        .authorize(db, Action::UpdateTicket, &Resource::SomeRooms(org))
        .await?;
    let (found, room, resource) = find(db, org, id).await?;
    let look = TenantScope::describing(org);
    let held = look
        .select::<ticket::Entity>()
        .filter(ticket::Column::IncidentId.eq(id))
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let assignee = match change.get() {
        TicketChange::Assign(Some((user, user_org))) => {
            if !may_update(db, *user, *user_org, &resource, now).await? {
                return Err(ValidationError::new(
                    "assignee",
                    "This person may not update this ticket.",
                )
                .into());
            }
            Some(assignee_of(db, *user, *user_org).await?)
        }
        _ => None,
    };
    let (kind, body) = match change.get() {
        TicketChange::Status(s) => (
            TimelineKind::Status,
            format!("{} → {}", held.status.label(), s.label()),
        ),
        TicketChange::Priority(p) => (
            TimelineKind::Priority,
            format!("{} → {}", held.priority.label(), p.label()),
        ),
        TicketChange::Assign(_) => (
            TimelineKind::Assignee,
            match &assignee {
                Some(a) => format!("Assigned to {} ({})", a.name, a.org_name),
                None => "Unassigned".to_owned(),
            },
        ),
        TicketChange::Comment(text) => (TimelineKind::Comment, text.clone()),
    };
    let object = format!(
        "{} · {}: {}",
        found.title,
        room.display_name,
        match kind {
            TimelineKind::Comment => "comment".to_owned(),
            _ => body.clone(),
        }
    );
    let attempt = attempt.naming(&object);
    let scope = attempt
        .authorize(db, Action::UpdateTicket, &resource)
        .await?;
    let author = Author::of(db, actor).await?;
    let tx = super::begin_write(db).await?;
    let mut update = scope
        .update_many::<ticket::Entity>()
        .col_expr(ticket::Column::UpdatedAt, Expr::value(now))
        .filter(ticket::Column::IncidentId.eq(id));
    match change.get() {
        TicketChange::Status(s) => {
            update = update.col_expr(ticket::Column::Status, Expr::value(*s));
        }
        TicketChange::Priority(p) => {
            update = update.col_expr(ticket::Column::Priority, Expr::value(*p));
        }
        TicketChange::Assign(_) => {
            update = update
                .col_expr(
                    ticket::Column::AssigneeUserId,
                    Expr::value(assignee.as_ref().map(|a| a.user)),
                )
                .col_expr(
                    ticket::Column::AssigneeOrgId,
                    Expr::value(assignee.as_ref().map(|a| a.org)),
                )
                .col_expr(
                    ticket::Column::AssigneeName,
                    Expr::value(assignee.as_ref().map(|a| a.name.clone())),
                );
        }
        TicketChange::Comment(_) => {}
    }
    update.exec(&tx).await?;
    write_event(&tx, &found, &author, kind, body, now).await?;
    // A customer incident is the person's report: it is over when its ticket is.
    if let (TicketChange::Status(s), Component::Customer) = (change.get(), found.component) {
        let (status, resolved_at) = if s.is_done() {
            (IncidentStatus::Resolved, Some(now))
        } else {
            (IncidentStatus::Active, None)
        };
        scope
            .update_many::<incident::Entity>()
            .col_expr(incident::Column::Status, Expr::value(status))
            .col_expr(incident::Column::ResolvedAt, Expr::value(resolved_at))
            .filter(incident::Column::Id.eq(id))
            .exec(&tx)
            .await?;
    }
    attempt.record(&tx, &scope).await?;
    tx.commit().await?;
    detail(db, &scope, actor, &resource, id).await
}

/// The user as a ticket names them: from the customer's directory or, for a partner's user,
/// the partner's, through the relationship between the two.
async fn assignee_of(
    db: &impl ConnectionTrait,
    user_id: UserId,
    user_org: OrgId,
) -> Result<Assignee, ServiceError> {
    let found = TenantScope::describing(user_org)
        .select::<user::Entity>()
        .filter(user::Column::Id.eq(user_id))
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let org_name = organisation::Entity::find_by_id(user_org)
        .one(db)
        .await?
        .map(|o| o.name)
        .unwrap_or_default();
    Ok(Assignee {
        user: found.id,
        org: user_org,
        name: found.display_name,
        upn: found.upn,
        org_name,
    })
}

/// People matching `term` a ticket of the incident could be assigned to: users of the customer
/// and of its partners with a live relationship, who may update it. At most 8.
///
/// # Authorization
/// `Action::UpdateTicket` on the incident's room.
pub async fn assignees(
    db: &impl ConnectionTrait,
    actor: &Actor,
    org: OrgId,
    id: IncidentId,
    term: SearchTerm,
    now: DateTime<Utc>,
) -> Result<Vec<Assignee>, ServiceError> {
    TenantScope::authorize(actor, Action::UpdateTicket, &Resource::SomeRooms(org))?;
    let (_, _, resource) = find(db, org, id).await?;
    let scope = TenantScope::authorize(actor, Action::UpdateTicket, &resource)?;
    let mut orgs = vec![scope];
    for rel in scope
        .select::<partner_relationship::Entity>()
        .filter(super::partners::live(now))
        .all(db)
        .await?
    {
        orgs.push(TenantScope::partner_of(&rel));
    }
    let pattern = format!("%{}%", term.as_str().replace(['%', '_', '\\'], ""));
    let mut found = Vec::new();
    for place in orgs {
        let candidates = place
            .select::<user::Entity>()
            .filter(
                Condition::any()
                    .add(
                        Expr::expr(Func::lower(Expr::col(user::Column::DisplayName)))
                            .like(pattern.clone()),
                    )
                    .add(Expr::expr(Func::lower(Expr::col(user::Column::Upn))).like(&pattern)),
            )
            .order_by_asc(user::Column::DisplayName)
            .limit(20)
            .all(db)
            .await?;
        for candidate in candidates {
            if found.len() >= 8 {
                return Ok(found);
            }
            if may_update(db, candidate.id, place.org(), &resource, now).await? {
                found.push(assignee_of(db, candidate.id, place.org()).await?);
            }
        }
    }
    Ok(found)
}

/// The customers whose incidents a partner user may follow live (the all-tickets view): those
/// of the user's organisation with a live relationship. What each shows is decided per request.
pub async fn customers_followed(
    db: &impl ConnectionTrait,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<BTreeSet<OrgId>, ServiceError> {
    TenantScope::authorize(actor, Action::ViewAllTickets, &Resource::Org(actor.org))?;
    Ok(CustomerScopes::relationships_of(actor.org)
        .filter(super::partners::live(now))
        .select_only()
        .column(partner_relationship::Column::OrgId)
        .into_tuple::<OrgId>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}

/// Opens a customer incident on a room, with its ticket; its description is the first entry of
/// the timeline.
///
/// # Authorization
/// `Action::CreateCustomerIncident` on the room.
pub async fn raise_customer_incident(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    org: OrgId,
    input: Valid<CustomerIncidentInput>,
    now: DateTime<Utc>,
) -> Result<IncidentId, ServiceError> {
    let i = input.get();
    let attempt = Attempt::new(actor, Category::Ticket, Operation::Create, &i.title, now);
    attempt
        .authorize(
            db,
            Action::CreateCustomerIncident,
            &Resource::SomeRooms(org),
        )
        .await?;
    let (room, resource) = described_room(db, org, i.room)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let object = format!("{} · {}", i.title, room.display_name);
    let attempt = attempt.naming(&object);
    let scope = attempt
        .authorize(db, Action::CreateCustomerIncident, &resource)
        .await?;
    let author = Author::of(db, actor).await?;
    let tx = super::begin_write(db).await?;
    let opened = incident::ActiveModel {
        id: Set(IncidentId::new()),
        org_id: Set(scope.org()),
        room_id: Set(room.id),
        component: Set(Component::Customer),
        severity: Set(i.severity),
        severity_rank: Set(i.severity.rank()),
        status: Set(IncidentStatus::Active),
        title: Set(i.title.clone()),
        opened_at: Set(now),
        resolved_at: Set(None),
    }
    .insert(&tx)
    .await?;
    open_ticket(
        &tx,
        &opened,
        &author,
        Some(actor.user),
        i.description.clone(),
    )
    .await?;
    attempt.record(&tx, &scope).await?;
    tx.commit().await?;
    Ok(opened.id)
}
