//! When the portal last wrote "expired" for a relationship to both organisations' logs: the
//! invitation's expiry or the relationship's end date it was written for. A relationship that
//! is extended after it ended and then ends again is written again.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum PartnerRelationships {
    Table,
    LapseLoggedFor,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(PartnerRelationships::Table)
                    .add_column(
                        ColumnDef::new(PartnerRelationships::LapseLoggedFor)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(PartnerRelationships::Table)
                    .drop_column(PartnerRelationships::LapseLoggedFor)
                    .to_owned(),
            )
            .await
    }
}
