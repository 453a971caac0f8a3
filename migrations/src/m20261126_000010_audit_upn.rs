//! Audit entries keep the acting user's UPN beside their name, so the log says who acted
//! unambiguously (two people may share a name) and can be searched by it. Entries written
//! before keep their user's current UPN where the user still exists, and stay empty otherwise.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    ActorUpn,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(AuditLog::Table)
                    .add_column(
                        ColumnDef::new(AuditLog::ActorUpn)
                            .string_len(320)
                            .not_null()
                            .default(""),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE audit_log SET actor_upn = \
                 (SELECT upn FROM users WHERE users.id = audit_log.actor_user_id) \
                 WHERE EXISTS (SELECT 1 FROM users WHERE users.id = audit_log.actor_user_id)",
            )
            .await
            .map(|_| ())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(AuditLog::Table)
                    .drop_column(AuditLog::ActorUpn)
                    .to_owned(),
            )
            .await
    }
}
