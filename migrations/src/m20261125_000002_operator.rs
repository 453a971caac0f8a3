//! Operating the portal: where an organisation's client secret lives when it is not stored in
//! the database (a reference `file:/path` or `env:NAME`, read at each sign-in), the UPN of a
//! first Global admin the operator named and who has not signed in yet, and the leases that let
//! one of several instances run an hourly job.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Organisations {
    Table,
    ClientSecretRef,
    PendingGlobalAdmin,
}

#[derive(DeriveIden)]
enum JobLeases {
    Table,
    Name,
    NextRunAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one column at a time.
        manager
            .alter_table(
                Table::alter()
                    .table(Organisations::Table)
                    .add_column(
                        ColumnDef::new(Organisations::ClientSecretRef)
                            .string_len(400)
                            .null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Organisations::Table)
                    .add_column(
                        ColumnDef::new(Organisations::PendingGlobalAdmin)
                            .string_len(254)
                            .null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(JobLeases::Table)
                    .col(
                        ColumnDef::new(JobLeases::Name)
                            .string_len(64)
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(JobLeases::NextRunAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(JobLeases::Table).to_owned())
            .await?;
        for column in [
            Organisations::PendingGlobalAdmin,
            Organisations::ClientSecretRef,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Organisations::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
