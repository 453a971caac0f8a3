//! The audit log (section 6 of the specification): successful and refused changes, the
//! on-screen list, CSV export pages and retention.

use crate::domain::audit::{
    AuditEntryView, AuditPage, AuditQuery, ExportRange, CSV_COLUMNS, RETENTION_DAYS,
};
use crate::domain::authz::{
    authorize, has_standing, Action, Actor, Decision, DenyReason, Resource,
};
use crate::domain::ids::{AuditEntryId, OrgId, UserId};
use crate::server::entity::{audit_log, organisation, partner_relationship, user};
use crate::server::error::ServiceError;
use crate::server::scope::{refusal, TenantScope};
use chrono::{DateTime, Days, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Func};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Select, Set,
};
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, strum::IntoStaticStr)]
pub enum Category {
    User,
    Assignment,
    PartnerInvitation,
    Role,
    Room,
    RoomGroup,
    UpdateRing,
    Ticket,
    Settings,
    Partner,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, strum::IntoStaticStr)]
pub enum Operation {
    Create,
    Update,
    Delete,
}

/// A change an actor attempts, as the log will name it: authorized once (a refusal becomes a
/// `Failed` entry), then recorded as `Successful` in the same transaction as the change.
#[derive(Clone, Copy, Debug)]
pub struct Attempt<'a> {
    actor: &'a Actor,
    category: Category,
    operation: Operation,
    object: &'a str,
    now: DateTime<Utc>,
}

impl<'a> Attempt<'a> {
    pub fn new(
        actor: &'a Actor,
        category: Category,
        operation: Operation,
        object: &'a str,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            actor,
            category,
            operation,
            object,
            now,
        }
    }

    pub fn actor(&self) -> &'a Actor {
        self.actor
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }

    /// The same change under the object's real name, once it has been read, or under a name
    /// that says what became of it ("old -> new").
    pub fn naming(self, object: &'a str) -> Self {
        Self { object, ..self }
    }

    /// Authorizes the change and scopes to the resource's organisation. A refusal is written to
    /// the log as a `Failed` entry (see [`Attempt::refused`]) before it is returned.
    pub async fn authorize(
        &self,
        db: &impl ConnectionTrait,
        action: Action,
        resource: &Resource,
    ) -> Result<TenantScope, ServiceError> {
        if let Decision::Deny(reason) = authorize(self.actor, action, resource) {
            let refused = self.refused(db, resource.org(), reason).await;
            return match refused {
                ServiceError::Forbidden(_) => Err(refusal(self.actor, resource, reason)),
                other => Err(other),
            };
        }
        TenantScope::authorize(self.actor, action, resource)
    }

    /// Like [`Attempt::authorize`], for a thing as the change would leave it (a room created, or
    /// moved to another site): the actor sees what they are changing, so a refusal is
    /// "forbidden" with its reason (the new site is outside their rooms), never "not found".
    pub async fn authorize_outcome(
        &self,
        db: &impl ConnectionTrait,
        action: Action,
        outcome: &Resource,
    ) -> Result<TenantScope, ServiceError> {
        let decision = authorize(self.actor, action, outcome);
        self.refuse_unless(db, outcome.org(), decision).await?;
        TenantScope::authorize(self.actor, action, outcome)
    }

    /// Turns a refusal into a `Failed` entry in the log of the organisation the change was aimed
    /// at, then into `Forbidden`. Written on its own, outside any transaction of the refused
    /// change.
    pub async fn refuse_unless(
        &self,
        db: &impl ConnectionTrait,
        org: OrgId,
        decision: Decision,
    ) -> Result<(), ServiceError> {
        match decision {
            Decision::Allow => Ok(()),
            Decision::Deny(reason) => Err(self.refused(db, org, reason).await),
        }
    }

    /// Writes the `Failed` entry of a refusal and returns the error to answer with.
    pub async fn refused(
        &self,
        db: &impl ConnectionTrait,
        org: OrgId,
        reason: DenyReason,
    ) -> ServiceError {
        let actor = self.actor;
        tracing::warn!(user = %actor.user, actor_org = %actor.org, %org, category = ?self.category, operation = ?self.operation, object = %self.object, ?reason, "refused change");
        // Someone with no standing in `org` does not get to write into its log: the object name
        // comes from their request, so it would put their words in front of that
        // organisation's admins. Their refusal goes to their own organisation's log instead.
        let written = if has_standing(actor, org) {
            insert(db, org, self, "Failed").await
        } else {
            let object = format!("{} (aimed at organisation {org})", self.object);
            insert(db, actor.org, &self.naming(&object), "Failed").await
        };
        match written {
            Ok(()) => ServiceError::Forbidden(reason),
            Err(e) => e.into(),
        }
    }

    /// Records a life-cycle change of a partner relationship (invite, withdraw, accept, deny,
    /// change, remove) as done, in the customer's log and the partner's: it changes both.
    pub async fn record_for_both(
        &self,
        db: &impl ConnectionTrait,
        relationship: &partner_relationship::Model,
    ) -> Result<(), DbErr> {
        insert(db, relationship.org_id, self, "Successful").await?;
        insert(db, relationship.partner_org_id, self, "Successful").await
    }

    /// Records the change as done, in the log of the organisation acted on.
    pub async fn record(
        &self,
        db: &impl ConnectionTrait,
        scope: &TenantScope,
    ) -> Result<(), DbErr> {
        insert(db, scope.org(), self, "Successful").await
    }
}

/// How the log names the portal itself, for events no user makes.
pub const PORTAL_NAME: &str = "Rooms MTM (automatic)";

/// Records an event of the portal's own (a relationship reaching its end date) in `org`'s log,
/// at the moment it happened. It has no acting user or organisation: both are the nil UUID.
pub(crate) async fn record_by_portal(
    db: &impl ConnectionTrait,
    org: OrgId,
    category: Category,
    operation: Operation,
    object: &str,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    let category: &str = category.into();
    let operation: &str = operation.into();
    audit_log::ActiveModel {
        id: Set(AuditEntryId::new()),
        org_id: Set(org),
        category: Set(category.to_owned()),
        object_name: Set(object.chars().take(300).collect()),
        operation: Set(operation.to_owned()),
        result_status: Set("Successful".to_owned()),
        actor_user_id: Set(UserId(uuid::Uuid::nil())),
        actor_org_id: Set(OrgId(uuid::Uuid::nil())),
        created_at: Set(at),
        actor_name: Set(PORTAL_NAME.to_owned()),
        actor_org_name: Set(String::new()),
        actor_upn: Set(String::new()),
    }
    .insert(db)
    .await
    .map(|_| ())
}

async fn insert(
    db: &impl ConnectionTrait,
    org: OrgId,
    attempt: &Attempt<'_>,
    result: &str,
) -> Result<(), DbErr> {
    let category: &str = attempt.category.into();
    let operation: &str = attempt.operation.into();
    let actor = attempt.actor;
    let names = names_of(db, actor).await?;
    audit_log::ActiveModel {
        id: Set(AuditEntryId::new()),
        org_id: Set(org),
        category: Set(category.to_owned()),
        object_name: Set(attempt.object.chars().take(300).collect()),
        operation: Set(operation.to_owned()),
        result_status: Set(result.to_owned()),
        actor_user_id: Set(actor.user),
        actor_org_id: Set(actor.org),
        created_at: Set(attempt.now),
        actor_name: Set(names.name),
        actor_org_name: Set(names.org_name),
        actor_upn: Set(names.upn),
    }
    .insert(db)
    .await
    .map(|_| ())
}

/// Who acted, as records that keep it show them (the log, a ticket's timeline).
pub(crate) struct ActorNames {
    pub name: String,
    pub upn: String,
    pub org_name: String,
}

/// The actor's name, UPN and organisation's name as they are now, for records that keep them:
/// they read the same after a rename or once a partner's user is out of the customer's reach.
/// A missing row leaves the names empty rather than losing the record.
pub(crate) async fn names_of(
    db: &impl ConnectionTrait,
    actor: &Actor,
) -> Result<ActorNames, DbErr> {
    let (name, upn) = TenantScope::trusted(actor.org)
        .select::<user::Entity>()
        .filter(user::Column::Id.eq(actor.user))
        .select_only()
        .column(user::Column::DisplayName)
        .column(user::Column::Upn)
        .into_tuple::<(String, String)>()
        .one(db)
        .await?
        .unwrap_or_default();
    let org_name = organisation::Entity::find_by_id(actor.org)
        .select_only()
        .column(organisation::Column::Name)
        .into_tuple::<String>()
        .one(db)
        .await?
        .unwrap_or_default();
    Ok(ActorNames {
        name,
        upn,
        org_name,
    })
}

/// The filters the list and the export share, but the dates (the export's are its range).
fn filtered(
    mut select: Select<audit_log::Entity>,
    query: &AuditQuery,
) -> Select<audit_log::Entity> {
    if let Some(category) = query.category.as_ref().filter(|c| !c.is_empty()) {
        select = select.filter(audit_log::Column::Category.eq(category.as_str()));
    }
    if let Some(result) = query.result_status.as_ref().filter(|r| !r.is_empty()) {
        select = select.filter(audit_log::Column::ResultStatus.eq(result.as_str()));
    }
    if let Some(by) = query.actor_org {
        select = select.filter(audit_log::Column::ActorOrgId.eq(by));
    }
    if !query.text.is_empty() {
        let pattern = super::contains(&query.text);
        let lower = |column: audit_log::Column| Expr::expr(Func::lower(Expr::col(column)));
        select = select.filter(
            Condition::any()
                .add(lower(audit_log::Column::ActorName).like(pattern.clone()))
                .add(lower(audit_log::Column::ActorUpn).like(pattern.clone()))
                .add(lower(audit_log::Column::ActorOrgName).like(pattern.clone()))
                .add(lower(audit_log::Column::ObjectName).like(pattern)),
        );
    }
    select
}

/// # Authorization
/// `Action::ViewAuditLog` on the organisation (Global admin or MSA).
pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    org: OrgId,
    query: AuditQuery,
) -> Result<AuditPage, ServiceError> {
    let scope = TenantScope::authorize(actor, Action::ViewAuditLog, &Resource::Org(org))?;
    let query = query.validate()?.get().clone();
    let mut select = filtered(scope.select::<audit_log::Entity>(), &query);
    if let Some(from) = query.from.and_then(|d| d.and_hms_opt(0, 0, 0)) {
        select = select.filter(audit_log::Column::CreatedAt.gte(from.and_utc()));
    }
    if let Some(to) = query
        .to
        .and_then(|d| d.checked_add_days(Days::new(1)))
        .and_then(|d| d.and_hms_opt(0, 0, 0))
    {
        select = select.filter(audit_log::Column::CreatedAt.lt(to.and_utc()));
    }
    let other_orgs: Vec<(OrgId, String)> = scope
        .select::<audit_log::Entity>()
        .filter(audit_log::Column::ActorOrgId.ne(org))
        .select_only()
        .column(audit_log::Column::ActorOrgId)
        .column(audit_log::Column::ActorOrgName)
        .distinct()
        .into_tuple::<(OrgId, String)>()
        .all(db)
        .await?
        .into_iter()
        .fold(Vec::new(), |mut seen: Vec<(OrgId, String)>, (id, name)| {
            if !seen.iter().any(|(s, _)| *s == id) {
                seen.push((id, name));
            }
            seen
        });
    let total = select.clone().count(db).await?;
    let rows = select
        .order_by_desc(audit_log::Column::CreatedAt)
        .order_by_desc(audit_log::Column::Id)
        .offset(query.page * AuditQuery::PAGE_SIZE)
        .limit(AuditQuery::PAGE_SIZE)
        .all(db)
        .await?;
    let own_users: Vec<_> = rows
        .iter()
        .filter(|r| r.actor_org_id == org)
        .map(|r| r.actor_user_id)
        .collect();
    let names: BTreeMap<_, _> = scope
        .select::<user::Entity>()
        .filter(user::Column::Id.is_in(own_users))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.display_name))
        .collect();
    Ok(AuditPage {
        rows: rows
            .into_iter()
            .map(|r| AuditEntryView {
                // The snapshot names partners' users; entries older than it, own users.
                user_name: Some(r.actor_name.clone())
                    .filter(|n| !n.is_empty())
                    .or_else(|| names.get(&r.actor_user_id).cloned()),
                user_org_name: r.actor_org_name,
                user_upn: r.actor_upn,
                id: r.id,
                category: r.category,
                object_name: r.object_name,
                operation: r.operation,
                result_status: r.result_status,
                tenant_id: r.org_id,
                created_at: r.created_at,
                user_id: r.actor_user_id,
                user_tenant_id: r.actor_org_id,
            })
            .collect(),
        other_orgs,
        total,
        page: query.page,
        page_size: AuditQuery::PAGE_SIZE,
    })
}

/// Where an export has got to: the last (creation time, id) written.
pub type ExportCursor = Option<(DateTime<Utc>, AuditEntryId)>;

/// # Authorization
/// `Action::ViewAuditLog` on the organisation. The returned scope is what [`export_page`]
/// reads with, page after page.
pub fn authorize_export(actor: &Actor, org: OrgId) -> Result<TenantScope, ServiceError> {
    TenantScope::authorize(actor, Action::ViewAuditLog, &Resource::Org(org))
}

/// One page of an export, oldest first, after `cursor`, as CSV lines. Keyset paging keeps each
/// query short and the memory of a whole export to one page, whatever the range.
pub async fn export_page(
    db: &impl ConnectionTrait,
    scope: &TenantScope,
    range: ExportRange,
    filters: &AuditQuery,
    cursor: ExportCursor,
    limit: u64,
) -> Result<(String, ExportCursor), ServiceError> {
    let mut select = filtered(scope.select::<audit_log::Entity>(), filters)
        .filter(audit_log::Column::CreatedAt.gte(range.start))
        .filter(audit_log::Column::CreatedAt.lt(range.end));
    if let Some((time, id)) = cursor {
        select = select.filter(
            Condition::any()
                .add(audit_log::Column::CreatedAt.gt(time))
                .add(
                    Condition::all()
                        .add(audit_log::Column::CreatedAt.eq(time))
                        .add(audit_log::Column::Id.gt(id)),
                ),
        );
    }
    let rows = select
        .order_by_asc(audit_log::Column::CreatedAt)
        .order_by_asc(audit_log::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    let next = rows.last().map(|r| (r.created_at, r.id));
    let mut csv = String::with_capacity(rows.len() * 200);
    for r in &rows {
        let cells = [
            r.category.as_str(),
            r.object_name.as_str(),
            r.operation.as_str(),
            r.result_status.as_str(),
            &r.org_id.to_string(),
            &r.created_at
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            &r.actor_user_id.to_string(),
            &r.actor_org_id.to_string(),
        ]
        .map(csv_cell);
        csv.push_str(&cells.join(","));
        csv.push_str("\r\n");
    }
    Ok((csv, next))
}

/// The header line of an export.
pub fn csv_header() -> String {
    format!("{}\r\n", CSV_COLUMNS.join(","))
}

/// RFC 4180 quoting, and a leading apostrophe for text a spreadsheet would run as a formula
/// (object names are typed by users).
pub fn csv_cell(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

/// Deletes entries older than the retention period, in every organisation. Run by the server's
/// background task.
pub async fn purge_expired(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<u64, DbErr> {
    let cutoff = now
        .checked_sub_days(Days::new(RETENTION_DAYS))
        .unwrap_or(now);
    let result = TenantScope::retention::<audit_log::Entity>()
        .filter(audit_log::Column::CreatedAt.lt(cutoff))
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

#[cfg(test)]
mod tests {
    use super::csv_cell;

    #[test]
    fn csv_cells_are_quoted_and_formulas_defused() {
        assert_eq!(csv_cell("Help desk"), "Help desk");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(csv_cell("x\ny"), "\"x\ny\"");
    }
}
