//! For heartbeats at 10,000 a second: `rooms.signals_at`, the time of the newest heartbeat whose
//! signals were applied, so that a heartbeat changes no row but its room's unless a signal
//! changes (before, every reported signal's row was written, to keep its time).
//!
//! Indexes for the reports of a large organisation (the Scale L bench: 200,000 rooms). Rooms per
//! health and enrolled rooms are counted from an index alone; the offline incidents overlapping a period are found
//! without reading the organisation's other incidents; incidents per day and category are
//! counted from an index alone.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Rooms {
    Table,
    OrgId,
    Enrollment,
    Health,
    SignalsAt,
}

#[derive(DeriveIden)]
enum Incidents {
    Table,
    OrgId,
    Component,
    OpenedAt,
    RoomId,
}

fn indexes() -> Vec<(&'static str, DynIden, Vec<DynIden>)> {
    use Incidents as I;
    vec![
        (
            "ix_rooms_org_enrollment_health",
            Rooms::Table.into_iden(),
            vec![
                Rooms::OrgId.into_iden(),
                Rooms::Enrollment.into_iden(),
                Rooms::Health.into_iden(),
            ],
        ),
        (
            "ix_incidents_org_component_opened",
            I::Table.into_iden(),
            vec![
                I::OrgId.into_iden(),
                I::Component.into_iden(),
                I::OpenedAt.into_iden(),
            ],
        ),
        (
            "ix_incidents_org_opened_component",
            I::Table.into_iden(),
            vec![
                I::OrgId.into_iden(),
                I::OpenedAt.into_iden(),
                I::Component.into_iden(),
                I::RoomId.into_iden(),
            ],
        ),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Rooms::Table)
                    .add_column(
                        ColumnDef::new(Rooms::SignalsAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, table, cols) in indexes() {
            let mut index = Index::create();
            index.name(name).table(table);
            for col in cols {
                index.col(col);
            }
            manager.create_index(index.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, table, _) in indexes() {
            manager
                .drop_index(Index::drop().name(name).table(table).to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Rooms::Table)
                    .drop_column(Rooms::SignalsAt)
                    .to_owned(),
            )
            .await
    }
}
