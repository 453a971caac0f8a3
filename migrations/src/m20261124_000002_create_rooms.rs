//! Customer mode: service settings with the enrollment key, update rings, rooms, room groups
//! (static members and an optional rule), roles with their permissions, and role assignments
//! with members and scope. Every tenant-owned table carries `org_id`.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Organisations {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum SecurityGroups {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    OrgId,
    CreatedAt,
    Id,
}

#[derive(DeriveIden)]
enum OrgSettings {
    Table,
    OrgId,
    NotificationEmail,
    MaintenanceStart,
    MaintenanceHours,
    OfflineAfterMinutes,
    EnrollmentKey,
    KeyRotatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum UpdateRings {
    Table,
    Id,
    OrgId,
    Name,
    NameLower,
    DeferralDays,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Rooms {
    Table,
    Id,
    OrgId,
    DisplayName,
    NameLower,
    ResourceAccount,
    Site,
    City,
    Country,
    Platform,
    Enrollment,
    Health,
    LastHeartbeat,
    UpdateRingId,
    DeviceTokenHash,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum RoomGroups {
    Table,
    Id,
    OrgId,
    Name,
    NameLower,
    Description,
    RuleCountry,
    RuleSite,
    CreatedAt,
}

#[derive(DeriveIden)]
enum RoomGroupMembers {
    Table,
    RoomGroupId,
    RoomId,
    OrgId,
}

#[derive(DeriveIden)]
enum Roles {
    Table,
    Id,
    OrgId,
    Name,
    NameLower,
    Description,
    BuiltIn,
    CreatedAt,
}

#[derive(DeriveIden)]
enum RolePermissions {
    Table,
    RoleId,
    Permission,
    OrgId,
}

#[derive(DeriveIden)]
enum RoleAssignments {
    Table,
    Id,
    OrgId,
    RoleId,
    Name,
    Description,
    Notify,
    AllRooms,
    CreatedAt,
}

#[derive(DeriveIden)]
enum RoleAssignmentMembers {
    Table,
    Id,
    OrgId,
    AssignmentId,
    UserId,
    GroupId,
}

#[derive(DeriveIden)]
enum RoleAssignmentScopes {
    Table,
    Id,
    OrgId,
    AssignmentId,
    RoomId,
    RoomGroupId,
}

fn fk(
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(on_delete)
        .to_owned()
}

fn cascade(
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
) -> ForeignKeyCreateStatement {
    fk(from, to, ForeignKeyAction::Cascade)
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

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(OrgSettings::Table)
                    .col(uuid(OrgSettings::OrgId).primary_key())
                    .col(text(OrgSettings::NotificationEmail, 254))
                    .col(text(OrgSettings::MaintenanceStart, 5))
                    .col(
                        ColumnDef::new(OrgSettings::MaintenanceHours)
                            .integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(OrgSettings::OfflineAfterMinutes)
                            .integer()
                            .not_null(),
                    )
                    .col(text(OrgSettings::EnrollmentKey, 80).unique_key())
                    .col(time(OrgSettings::KeyRotatedAt))
                    .col(time(OrgSettings::UpdatedAt))
                    .foreign_key(&mut cascade(
                        (OrgSettings::Table, OrgSettings::OrgId),
                        (Organisations::Table, Organisations::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(UpdateRings::Table)
                    .col(uuid(UpdateRings::Id).primary_key())
                    .col(uuid(UpdateRings::OrgId))
                    .col(text(UpdateRings::Name, 80))
                    .col(text(UpdateRings::NameLower, 80))
                    .col(
                        ColumnDef::new(UpdateRings::DeferralDays)
                            .integer()
                            .not_null(),
                    )
                    .col(time(UpdateRings::CreatedAt))
                    .foreign_key(&mut cascade(
                        (UpdateRings::Table, UpdateRings::OrgId),
                        (Organisations::Table, Organisations::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique(
                "ux_update_rings_org_name",
                UpdateRings::Table,
                [UpdateRings::OrgId, UpdateRings::NameLower],
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Rooms::Table)
                    .col(uuid(Rooms::Id).primary_key())
                    .col(uuid(Rooms::OrgId))
                    .col(text(Rooms::DisplayName, 120))
                    .col(text(Rooms::NameLower, 120))
                    .col(text(Rooms::ResourceAccount, 254))
                    .col(text(Rooms::Site, 80))
                    .col(text(Rooms::City, 80))
                    .col(text(Rooms::Country, 2))
                    .col(text(Rooms::Platform, 20))
                    .col(text(Rooms::Enrollment, 20))
                    .col(text(Rooms::Health, 20))
                    .col(
                        ColumnDef::new(Rooms::LastHeartbeat)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(ColumnDef::new(Rooms::UpdateRingId).uuid().null())
                    .col(
                        ColumnDef::new(Rooms::DeviceTokenHash)
                            .string_len(64)
                            .null()
                            .unique_key(),
                    )
                    .col(time(Rooms::CreatedAt))
                    .col(time(Rooms::UpdatedAt))
                    .foreign_key(&mut cascade(
                        (Rooms::Table, Rooms::OrgId),
                        (Organisations::Table, Organisations::Id),
                    ))
                    .foreign_key(&mut fk(
                        (Rooms::Table, Rooms::UpdateRingId),
                        (UpdateRings::Table, UpdateRings::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique(
                "ux_rooms_org_account",
                Rooms::Table,
                [Rooms::OrgId, Rooms::ResourceAccount],
            ))
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_rooms_org_name")
                    .table(Rooms::Table)
                    .col(Rooms::OrgId)
                    .col(Rooms::NameLower)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RoomGroups::Table)
                    .col(uuid(RoomGroups::Id).primary_key())
                    .col(uuid(RoomGroups::OrgId))
                    .col(text(RoomGroups::Name, 80))
                    .col(text(RoomGroups::NameLower, 80))
                    .col(text(RoomGroups::Description, 500))
                    .col(ColumnDef::new(RoomGroups::RuleCountry).string_len(2).null())
                    .col(ColumnDef::new(RoomGroups::RuleSite).string_len(80).null())
                    .col(time(RoomGroups::CreatedAt))
                    .foreign_key(&mut cascade(
                        (RoomGroups::Table, RoomGroups::OrgId),
                        (Organisations::Table, Organisations::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique(
                "ux_room_groups_org_name",
                RoomGroups::Table,
                [RoomGroups::OrgId, RoomGroups::NameLower],
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RoomGroupMembers::Table)
                    .col(uuid(RoomGroupMembers::RoomGroupId))
                    .col(uuid(RoomGroupMembers::RoomId))
                    .col(uuid(RoomGroupMembers::OrgId))
                    .primary_key(
                        Index::create()
                            .col(RoomGroupMembers::RoomGroupId)
                            .col(RoomGroupMembers::RoomId),
                    )
                    .foreign_key(&mut cascade(
                        (RoomGroupMembers::Table, RoomGroupMembers::RoomGroupId),
                        (RoomGroups::Table, RoomGroups::Id),
                    ))
                    .foreign_key(&mut cascade(
                        (RoomGroupMembers::Table, RoomGroupMembers::RoomId),
                        (Rooms::Table, Rooms::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Roles::Table)
                    .col(uuid(Roles::Id).primary_key())
                    .col(uuid(Roles::OrgId))
                    .col(text(Roles::Name, 80))
                    .col(text(Roles::NameLower, 80))
                    .col(text(Roles::Description, 500))
                    .col(ColumnDef::new(Roles::BuiltIn).string_len(32).null())
                    .col(time(Roles::CreatedAt))
                    .foreign_key(&mut cascade(
                        (Roles::Table, Roles::OrgId),
                        (Organisations::Table, Organisations::Id),
                    ))
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
        manager
            .create_table(
                Table::create()
                    .table(RolePermissions::Table)
                    .col(uuid(RolePermissions::RoleId))
                    .col(text(RolePermissions::Permission, 40))
                    .col(uuid(RolePermissions::OrgId))
                    .primary_key(
                        Index::create()
                            .col(RolePermissions::RoleId)
                            .col(RolePermissions::Permission),
                    )
                    .foreign_key(&mut cascade(
                        (RolePermissions::Table, RolePermissions::RoleId),
                        (Roles::Table, Roles::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RoleAssignments::Table)
                    .col(uuid(RoleAssignments::Id).primary_key())
                    .col(uuid(RoleAssignments::OrgId))
                    .col(uuid(RoleAssignments::RoleId))
                    .col(text(RoleAssignments::Name, 80))
                    .col(text(RoleAssignments::Description, 500))
                    .col(ColumnDef::new(RoleAssignments::Notify).boolean().not_null())
                    .col(
                        ColumnDef::new(RoleAssignments::AllRooms)
                            .boolean()
                            .not_null(),
                    )
                    .col(time(RoleAssignments::CreatedAt))
                    .foreign_key(&mut cascade(
                        (RoleAssignments::Table, RoleAssignments::RoleId),
                        (Roles::Table, Roles::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RoleAssignmentMembers::Table)
                    .col(uuid(RoleAssignmentMembers::Id).primary_key())
                    .col(uuid(RoleAssignmentMembers::OrgId))
                    .col(uuid(RoleAssignmentMembers::AssignmentId))
                    .col(ColumnDef::new(RoleAssignmentMembers::UserId).uuid().null())
                    .col(ColumnDef::new(RoleAssignmentMembers::GroupId).uuid().null())
                    .foreign_key(&mut cascade(
                        (
                            RoleAssignmentMembers::Table,
                            RoleAssignmentMembers::AssignmentId,
                        ),
                        (RoleAssignments::Table, RoleAssignments::Id),
                    ))
                    .foreign_key(&mut cascade(
                        (RoleAssignmentMembers::Table, RoleAssignmentMembers::UserId),
                        (Users::Table, Users::Id),
                    ))
                    .foreign_key(&mut cascade(
                        (RoleAssignmentMembers::Table, RoleAssignmentMembers::GroupId),
                        (SecurityGroups::Table, SecurityGroups::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RoleAssignmentScopes::Table)
                    .col(uuid(RoleAssignmentScopes::Id).primary_key())
                    .col(uuid(RoleAssignmentScopes::OrgId))
                    .col(uuid(RoleAssignmentScopes::AssignmentId))
                    .col(ColumnDef::new(RoleAssignmentScopes::RoomId).uuid().null())
                    .col(
                        ColumnDef::new(RoleAssignmentScopes::RoomGroupId)
                            .uuid()
                            .null(),
                    )
                    .foreign_key(&mut cascade(
                        (
                            RoleAssignmentScopes::Table,
                            RoleAssignmentScopes::AssignmentId,
                        ),
                        (RoleAssignments::Table, RoleAssignments::Id),
                    ))
                    .foreign_key(&mut cascade(
                        (RoleAssignmentScopes::Table, RoleAssignmentScopes::RoomId),
                        (Rooms::Table, Rooms::Id),
                    ))
                    .foreign_key(&mut cascade(
                        (
                            RoleAssignmentScopes::Table,
                            RoleAssignmentScopes::RoomGroupId,
                        ),
                        (RoomGroups::Table, RoomGroups::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        // Export pages through an organisation's log by (creation time, id).
        manager
            .create_index(
                Index::create()
                    .name("ix_audit_org_time_id")
                    .table(AuditLog::Table)
                    .col(AuditLog::OrgId)
                    .col(AuditLog::CreatedAt)
                    .col(AuditLog::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_audit_org_time_id")
                    .table(AuditLog::Table)
                    .to_owned(),
            )
            .await?;
        for table in [
            RoleAssignmentScopes::Table.into_iden(),
            RoleAssignmentMembers::Table.into_iden(),
            RoleAssignments::Table.into_iden(),
            RolePermissions::Table.into_iden(),
            Roles::Table.into_iden(),
            RoomGroupMembers::Table.into_iden(),
            RoomGroups::Table.into_iden(),
            Rooms::Table.into_iden(),
            UpdateRings::Table.into_iden(),
            OrgSettings::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
