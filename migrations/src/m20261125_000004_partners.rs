//! Partner relationships: a customer invites a partner organisation to manage some or all of its
//! rooms, names the partner's first admins, and chooses which categories of change it approves
//! before they take effect. Every table belongs to the customer (`org_id`); the partner reaches
//! the rows through the relationship only.
//!
//! Roles a partner defines for its work in one relationship are rows of `roles` tagged with the
//! relationship, so their names are unique within the relationship rather than the customer.
//! Audit entries keep a snapshot of who acted, so the customer's log names a partner user
//! without reading the partner's directory.

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
enum RoomGroups {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Roles {
    Table,
    OrgId,
    NameLower,
    RelationshipId,
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    OrgId,
    ActorOrgId,
    CreatedAt,
    ActorName,
    ActorOrgName,
}

#[derive(DeriveIden)]
enum PartnerRelationships {
    Table,
    Id,
    OrgId,
    PartnerOrgId,
    State,
    AllRooms,
    InvitationExpiresAt,
    EndsAt,
    CreatedAt,
    AcceptedAt,
}

#[derive(DeriveIden)]
enum PartnerScopeItems {
    Table,
    Id,
    OrgId,
    RelationshipId,
    RoomId,
    RoomGroupId,
}

#[derive(DeriveIden)]
enum PartnerInvitedAdmins {
    Table,
    RelationshipId,
    OrgId,
    Upn,
}

#[derive(DeriveIden)]
enum PartnerApprovals {
    Table,
    RelationshipId,
    OrgId,
    Category,
    Mode,
}

#[derive(DeriveIden)]
enum ChangeRequests {
    Table,
    Id,
    OrgId,
    RelationshipId,
    Category,
    Operation,
    ObjectName,
    Payload,
    State,
    RequestedBy,
    RequestedByName,
    CreatedAt,
    ExpiresAt,
    DecidedAt,
    DecidedBy,
    Reason,
}

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

fn uuid(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).uuid().not_null().to_owned()
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

fn unique(name: &str, table: impl IntoIden, cols: [impl IntoIden; 2]) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table(table).unique();
    for col in cols {
        index.col(col);
    }
    index.to_owned()
}

fn index<const N: usize>(
    name: &str,
    table: impl IntoIden,
    cols: [impl IntoIden; N],
) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table(table);
    for col in cols {
        index.col(col);
    }
    index.to_owned()
}

/// The partial unique indexes on role names. sea-query cannot express the `WHERE`, and this SQL
/// reads the same on SQLite and PostgreSQL.
const ROLE_NAME_INDEXES: [&str; 2] = [
    "CREATE UNIQUE INDEX ux_roles_own_name ON roles (org_id, name_lower) \
     WHERE relationship_id IS NULL",
    "CREATE UNIQUE INDEX ux_roles_relationship_name ON roles (relationship_id, name_lower) \
     WHERE relationship_id IS NOT NULL",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PartnerRelationships::Table)
                    .col(uuid(PartnerRelationships::Id).primary_key())
                    .col(uuid(PartnerRelationships::OrgId))
                    .col(uuid(PartnerRelationships::PartnerOrgId))
                    .col(text(PartnerRelationships::State, 16))
                    .col(
                        ColumnDef::new(PartnerRelationships::AllRooms)
                            .boolean()
                            .not_null(),
                    )
                    .col(time(PartnerRelationships::InvitationExpiresAt))
                    .col(
                        ColumnDef::new(PartnerRelationships::EndsAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(time(PartnerRelationships::CreatedAt))
                    .col(
                        ColumnDef::new(PartnerRelationships::AcceptedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .foreign_key(&mut cascade(
                        (PartnerRelationships::Table, PartnerRelationships::OrgId),
                        (Organisations::Table, Organisations::Id),
                    ))
                    // Either side leaving the portal ends the relationship.
                    .foreign_key(&mut cascade(
                        (
                            PartnerRelationships::Table,
                            PartnerRelationships::PartnerOrgId,
                        ),
                        (Organisations::Table, Organisations::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        // At most one relationship per customer and partner, so what a partner may do in a
        // customer is one scope, one set of approvals and one set of roles.
        manager
            .create_index(unique(
                "ux_partner_relationships_pair",
                PartnerRelationships::Table,
                [
                    PartnerRelationships::OrgId,
                    PartnerRelationships::PartnerOrgId,
                ],
            ))
            .await?;
        // The partner's side lists its relationships by state, across customers.
        manager
            .create_index(index(
                "ix_partner_relationships_partner",
                PartnerRelationships::Table,
                [
                    PartnerRelationships::PartnerOrgId,
                    PartnerRelationships::State,
                ],
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PartnerScopeItems::Table)
                    .col(uuid(PartnerScopeItems::Id).primary_key())
                    .col(uuid(PartnerScopeItems::OrgId))
                    .col(uuid(PartnerScopeItems::RelationshipId))
                    .col(ColumnDef::new(PartnerScopeItems::RoomId).uuid().null())
                    .col(ColumnDef::new(PartnerScopeItems::RoomGroupId).uuid().null())
                    .foreign_key(&mut cascade(
                        (PartnerScopeItems::Table, PartnerScopeItems::RelationshipId),
                        (PartnerRelationships::Table, PartnerRelationships::Id),
                    ))
                    .foreign_key(&mut cascade(
                        (PartnerScopeItems::Table, PartnerScopeItems::RoomId),
                        (Rooms::Table, Rooms::Id),
                    ))
                    .foreign_key(&mut cascade(
                        (PartnerScopeItems::Table, PartnerScopeItems::RoomGroupId),
                        (RoomGroups::Table, RoomGroups::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_partner_scope_items_relationship",
                PartnerScopeItems::Table,
                [PartnerScopeItems::RelationshipId],
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PartnerInvitedAdmins::Table)
                    .col(uuid(PartnerInvitedAdmins::RelationshipId))
                    .col(uuid(PartnerInvitedAdmins::OrgId))
                    .col(text(PartnerInvitedAdmins::Upn, 254))
                    .primary_key(
                        Index::create()
                            .col(PartnerInvitedAdmins::RelationshipId)
                            .col(PartnerInvitedAdmins::Upn),
                    )
                    .foreign_key(&mut cascade(
                        (
                            PartnerInvitedAdmins::Table,
                            PartnerInvitedAdmins::RelationshipId,
                        ),
                        (PartnerRelationships::Table, PartnerRelationships::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PartnerApprovals::Table)
                    .col(uuid(PartnerApprovals::RelationshipId))
                    .col(uuid(PartnerApprovals::OrgId))
                    .col(text(PartnerApprovals::Category, 32))
                    .col(text(PartnerApprovals::Mode, 16))
                    .primary_key(
                        Index::create()
                            .col(PartnerApprovals::RelationshipId)
                            .col(PartnerApprovals::Category),
                    )
                    .foreign_key(&mut cascade(
                        (PartnerApprovals::Table, PartnerApprovals::RelationshipId),
                        (PartnerRelationships::Table, PartnerRelationships::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ChangeRequests::Table)
                    .col(uuid(ChangeRequests::Id).primary_key())
                    .col(uuid(ChangeRequests::OrgId))
                    .col(uuid(ChangeRequests::RelationshipId))
                    .col(text(ChangeRequests::Category, 32))
                    .col(text(ChangeRequests::Operation, 16))
                    .col(text(ChangeRequests::ObjectName, 300))
                    // JSON, kept as text: SQLite has no JSON column type.
                    .col(ColumnDef::new(ChangeRequests::Payload).text().not_null())
                    .col(text(ChangeRequests::State, 16))
                    // No foreign key: the request outlives the partner user who made it, and
                    // `requested_by_name` keeps their name for the customer.
                    .col(uuid(ChangeRequests::RequestedBy))
                    .col(text(ChangeRequests::RequestedByName, 200))
                    .col(time(ChangeRequests::CreatedAt))
                    .col(time(ChangeRequests::ExpiresAt))
                    .col(
                        ColumnDef::new(ChangeRequests::DecidedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(ColumnDef::new(ChangeRequests::DecidedBy).uuid().null())
                    .col(text(ChangeRequests::Reason, 500).default(""))
                    .foreign_key(&mut cascade(
                        (ChangeRequests::Table, ChangeRequests::OrgId),
                        (Organisations::Table, Organisations::Id),
                    ))
                    .foreign_key(&mut cascade(
                        (ChangeRequests::Table, ChangeRequests::RelationshipId),
                        (PartnerRelationships::Table, PartnerRelationships::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        // The customer's queue: pending requests, newest first.
        manager
            .create_index(index(
                "ix_change_requests_org_state_time",
                ChangeRequests::Table,
                [
                    ChangeRequests::OrgId,
                    ChangeRequests::State,
                    ChangeRequests::CreatedAt,
                ],
            ))
            .await?;
        // One relationship's history, on both sides.
        manager
            .create_index(index(
                "ix_change_requests_relationship_time",
                ChangeRequests::Table,
                [ChangeRequests::RelationshipId, ChangeRequests::CreatedAt],
            ))
            .await?;

        // No foreign key: SQLite cannot add one by ALTER TABLE. Ending a relationship deletes
        // its roles in the same transaction instead.
        manager
            .alter_table(
                Table::alter()
                    .table(Roles::Table)
                    .add_column(ColumnDef::new(Roles::RelationshipId).uuid().null())
                    .to_owned(),
            )
            .await?;
        // New names, created before the old index goes: SQLite migrations run outside a
        // transaction on a pool, and a connection that has not yet seen the drop would refuse
        // to create an index of the same name.
        let db = manager.get_connection();
        for sql in ROLE_NAME_INDEXES {
            db.execute_unprepared(sql).await?;
        }
        manager
            .drop_index(
                Index::drop()
                    .name("ux_roles_org_name")
                    .table(Roles::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_roles_relationship",
                Roles::Table,
                [Roles::RelationshipId],
            ))
            .await?;

        // One column per statement: SQLite alters one column at a time. The default fills
        // entries written before the snapshot was kept.
        for column in [AuditLog::ActorName, AuditLog::ActorOrgName] {
            manager
                .alter_table(
                    Table::alter()
                        .table(AuditLog::Table)
                        .add_column(text(column, 200).default(""))
                        .to_owned(),
                )
                .await?;
        }
        // A customer's log filtered to one partner's actions.
        manager
            .create_index(index(
                "ix_audit_log_org_actor_org",
                AuditLog::Table,
                [AuditLog::OrgId, AuditLog::ActorOrgId, AuditLog::CreatedAt],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_audit_log_org_actor_org")
                    .table(AuditLog::Table)
                    .to_owned(),
            )
            .await?;
        for column in [AuditLog::ActorOrgName, AuditLog::ActorName] {
            manager
                .alter_table(
                    Table::alter()
                        .table(AuditLog::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }

        // Roles of relationships would collide with the customer's own names under the
        // original index, and mean nothing without their relationship.
        manager
            .get_connection()
            .execute_unprepared("DELETE FROM roles WHERE relationship_id IS NOT NULL")
            .await?;
        for name in [
            "ix_roles_relationship",
            "ux_roles_relationship_name",
            "ux_roles_own_name",
        ] {
            manager
                .drop_index(Index::drop().name(name).table(Roles::Table).to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Roles::Table)
                    .drop_column(Roles::RelationshipId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique(
                "ux_roles_org_name",
                Roles::Table,
                [Roles::OrgId, Roles::NameLower],
            ))
            .await?;

        for table in [
            ChangeRequests::Table.into_iden(),
            PartnerApprovals::Table.into_iden(),
            PartnerInvitedAdmins::Table.into_iden(),
            PartnerScopeItems::Table.into_iden(),
            PartnerRelationships::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
