//! Tickets: the work item on every incident, and incidents raised by people ("customer
//! incidents", component `customer`). A ticket is one row per incident (its status, priority
//! and assignee) with a timeline of comments and changes. Customer incidents are left out of
//! the one-active-per-component rule: a room may have several at once.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Organisations {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Incidents {
    Table,
    Id,
    OrgId,
    OpenedAt,
    SeverityRank,
}

#[derive(DeriveIden)]
enum Tickets {
    Table,
    IncidentId,
    OrgId,
    Status,
    Priority,
    AssigneeUserId,
    AssigneeOrgId,
    AssigneeName,
    RaisedBy,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum TicketEvents {
    Table,
    Id,
    OrgId,
    IncidentId,
    At,
    Kind,
    AuthorUserId,
    AuthorOrgId,
    AuthorName,
    AuthorOrgName,
    Body,
}

const SEVERITY_RANKS: &str = "UPDATE incidents SET severity_rank = CASE severity \
     WHEN 'critical' THEN 4 WHEN 'high' THEN 3 WHEN 'medium' THEN 2 ELSE 1 END";

/// Every incident recorded before tickets existed gets one, resolved with its incident.
const BACKFILL: &str = "INSERT INTO tickets (incident_id, org_id, status, priority, updated_at) \
     SELECT id, org_id, CASE status WHEN 'resolved' THEN 'resolved' ELSE 'new' END, \
     CASE severity WHEN 'critical' THEN 'urgent' WHEN 'high' THEN 'high' \
     WHEN 'medium' THEN 'normal' ELSE 'low' END, COALESCE(resolved_at, opened_at) FROM incidents";

const OPEN_ONCE: &str = "CREATE UNIQUE INDEX ux_incidents_active_component \
     ON incidents (room_id, component) WHERE status = 'active' AND component <> 'customer'";

fn cascade(
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

fn text(col: impl IntoIden, len: u32) -> ColumnDef {
    ColumnDef::new(col).string_len(len).not_null().to_owned()
}

fn time(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col)
        .timestamp_with_time_zone()
        .not_null()
        .to_owned()
}

fn index(name: &str, table: impl IntoIden, cols: Vec<DynIden>) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table(table);
    for col in cols {
        index.col(col);
    }
    index.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// One transaction on SQLite too: without it each statement may take another pooled
    /// connection, and one that still holds the old schema recreates an index it just saw.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        manager
            .alter_table(
                Table::alter()
                    .table(Incidents::Table)
                    .add_column(
                        ColumnDef::new(Incidents::SeverityRank)
                            .small_integer()
                            .not_null()
                            .default(0),
                    )
                    .to_owned(),
            )
            .await?;
        db.execute_unprepared(SEVERITY_RANKS).await?;
        db.execute_unprepared("DROP INDEX ux_incidents_active_component")
            .await?;
        db.execute_unprepared(OPEN_ONCE).await?;
        // Keyset paging of one organisation's incidents (newest first, or by severity) and of
        // a partner's customers together.
        for (name, cols) in [
            (
                "ix_incidents_org_opened",
                vec![
                    Incidents::OrgId.into_iden(),
                    Incidents::OpenedAt.into_iden(),
                    Incidents::Id.into_iden(),
                ],
            ),
            (
                "ix_incidents_org_severity",
                vec![
                    Incidents::OrgId.into_iden(),
                    Incidents::SeverityRank.into_iden(),
                    Incidents::OpenedAt.into_iden(),
                    Incidents::Id.into_iden(),
                ],
            ),
            (
                "ix_incidents_opened",
                vec![Incidents::OpenedAt.into_iden(), Incidents::Id.into_iden()],
            ),
        ] {
            manager
                .create_index(index(name, Incidents::Table, cols))
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(Tickets::Table)
                    .col(
                        ColumnDef::new(Tickets::IncidentId)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Tickets::OrgId).uuid().not_null())
                    .col(text(Tickets::Status, 20))
                    .col(text(Tickets::Priority, 20))
                    .col(ColumnDef::new(Tickets::AssigneeUserId).uuid().null())
                    .col(ColumnDef::new(Tickets::AssigneeOrgId).uuid().null())
                    .col(ColumnDef::new(Tickets::AssigneeName).string_len(300).null())
                    .col(ColumnDef::new(Tickets::RaisedBy).uuid().null())
                    .col(time(Tickets::UpdatedAt))
                    .foreign_key(&mut cascade(
                        (Tickets::Table, Tickets::IncidentId),
                        (Incidents::Table, Incidents::Id),
                    ))
                    .foreign_key(&mut cascade(
                        (Tickets::Table, Tickets::OrgId),
                        (Organisations::Table, Organisations::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        db.execute_unprepared(BACKFILL).await?;
        manager
            .create_table(
                Table::create()
                    .table(TicketEvents::Table)
                    .col(
                        ColumnDef::new(TicketEvents::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(TicketEvents::OrgId).uuid().not_null())
                    .col(ColumnDef::new(TicketEvents::IncidentId).uuid().not_null())
                    .col(time(TicketEvents::At))
                    .col(text(TicketEvents::Kind, 20))
                    .col(ColumnDef::new(TicketEvents::AuthorUserId).uuid().not_null())
                    .col(ColumnDef::new(TicketEvents::AuthorOrgId).uuid().not_null())
                    .col(text(TicketEvents::AuthorName, 300))
                    .col(text(TicketEvents::AuthorOrgName, 300))
                    .col(ColumnDef::new(TicketEvents::Body).text().not_null())
                    .foreign_key(&mut cascade(
                        (TicketEvents::Table, TicketEvents::IncidentId),
                        (Incidents::Table, Incidents::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_ticket_events_incident_at",
                TicketEvents::Table,
                vec![
                    TicketEvents::IncidentId.into_iden(),
                    TicketEvents::At.into_iden(),
                ],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        manager
            .drop_table(Table::drop().table(TicketEvents::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Tickets::Table).to_owned())
            .await?;
        for name in [
            "ix_incidents_org_opened",
            "ix_incidents_org_severity",
            "ix_incidents_opened",
            "ux_incidents_active_component",
        ] {
            db.execute_unprepared(&format!("DROP INDEX {name}")).await?;
        }
        db.execute_unprepared(
            "CREATE UNIQUE INDEX ux_incidents_active_component \
             ON incidents (room_id, component) WHERE status = 'active'",
        )
        .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Incidents::Table)
                    .drop_column(Incidents::SeverityRank)
                    .to_owned(),
            )
            .await
            .map(|_| ())
    }
}
