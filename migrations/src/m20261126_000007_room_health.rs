//! Room health: each room's last signal per component, and its incidents. At most one active
//! incident per room and component, kept by a partial unique index: the database decides, so
//! repeated, reordered or concurrent heartbeats (and several server processes) cannot open two.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Organisations {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Rooms {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum RoomComponents {
    Table,
    OrgId,
    RoomId,
    Component,
    Signal,
    ChangedAt,
}

#[derive(DeriveIden)]
enum Incidents {
    Table,
    Id,
    OrgId,
    RoomId,
    Component,
    Severity,
    Status,
    Title,
    OpenedAt,
    ResolvedAt,
}

/// Same text on both databases: partial indexes exist on SQLite and PostgreSQL alike.
const OPEN_ONCE: &str = "CREATE UNIQUE INDEX ux_incidents_active_component \
     ON incidents (room_id, component) WHERE status = 'active'";

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

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(RoomComponents::Table)
                    .col(ColumnDef::new(RoomComponents::OrgId).uuid().not_null())
                    .col(ColumnDef::new(RoomComponents::RoomId).uuid().not_null())
                    .col(text(RoomComponents::Component, 20))
                    .col(text(RoomComponents::Signal, 20))
                    .col(time(RoomComponents::ChangedAt))
                    .primary_key(
                        Index::create()
                            .col(RoomComponents::RoomId)
                            .col(RoomComponents::Component),
                    )
                    .foreign_key(&mut cascade(
                        (RoomComponents::Table, RoomComponents::RoomId),
                        (Rooms::Table, Rooms::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Incidents::Table)
                    .col(
                        ColumnDef::new(Incidents::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Incidents::OrgId).uuid().not_null())
                    .col(ColumnDef::new(Incidents::RoomId).uuid().not_null())
                    .col(text(Incidents::Component, 20))
                    .col(text(Incidents::Severity, 20))
                    .col(text(Incidents::Status, 20))
                    .col(text(Incidents::Title, 200))
                    .col(time(Incidents::OpenedAt))
                    .col(
                        ColumnDef::new(Incidents::ResolvedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .foreign_key(&mut cascade(
                        (Incidents::Table, Incidents::OrgId),
                        (Organisations::Table, Organisations::Id),
                    ))
                    .foreign_key(&mut cascade(
                        (Incidents::Table, Incidents::RoomId),
                        (Rooms::Table, Rooms::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared(OPEN_ONCE)
            .await?;
        // The Incidents page: an organisation's incidents, newest first, by status.
        manager
            .create_index(
                Index::create()
                    .name("ix_incidents_org_status_opened")
                    .table(Incidents::Table)
                    .col(Incidents::OrgId)
                    .col(Incidents::Status)
                    .col(Incidents::OpenedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Incidents::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(RoomComponents::Table).to_owned())
            .await
    }
}
