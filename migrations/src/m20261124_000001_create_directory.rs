//! Organisations, their domains and identity-provider settings, users, security groups,
//! organisation roles, sign-in state, sessions and the audit log.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Organisations {
    Table,
    Id,
    Name,
    ManagesCustomers,
    IssuerUrl,
    ClientId,
    ClientSecret,
    AcceptedTenantIds,
    IsDemo,
    CreatedAt,
}

#[derive(DeriveIden)]
enum OrgDomains {
    Table,
    Domain,
    OrgId,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    OrgId,
    Issuer,
    TenantId,
    Subject,
    Upn,
    UpnLower,
    DisplayName,
    NameLower,
    CreatedAt,
    LastSignInAt,
}

#[derive(DeriveIden)]
enum SecurityGroups {
    Table,
    Id,
    OrgId,
    Name,
    NameLower,
    CreatedAt,
}

#[derive(DeriveIden)]
enum GroupMembers {
    Table,
    GroupId,
    UserId,
    OrgId,
}

#[derive(DeriveIden)]
enum OrgRoleAssignments {
    Table,
    Id,
    OrgId,
    Role,
    UserId,
    GroupId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum LoginAttempts {
    Table,
    StateHash,
    OrgId,
    Nonce,
    PkceVerifier,
    ReturnTo,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    IdHash,
    UserId,
    OrgId,
    IdToken,
    CreatedAt,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Id,
    OrgId,
    Category,
    ObjectName,
    Operation,
    ResultStatus,
    ActorUserId,
    ActorOrgId,
    CreatedAt,
}

fn fk(
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Organisations::Table)
                    .col(
                        ColumnDef::new(Organisations::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(Organisations::Name)
                            .string_len(120)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Organisations::ManagesCustomers)
                            .boolean()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Organisations::IssuerUrl)
                            .string_len(400)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Organisations::ClientId)
                            .string_len(200)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Organisations::ClientSecret)
                            .string_len(400)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Organisations::AcceptedTenantIds)
                            .string_len(2000)
                            .not_null(),
                    )
                    .col(ColumnDef::new(Organisations::IsDemo).boolean().not_null())
                    .col(
                        ColumnDef::new(Organisations::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(OrgDomains::Table)
                    .col(
                        ColumnDef::new(OrgDomains::Domain)
                            .string_len(253)
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(OrgDomains::OrgId).uuid().not_null())
                    .foreign_key(&mut fk(
                        (OrgDomains::Table, OrgDomains::OrgId),
                        (Organisations::Table, Organisations::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Users::Table)
                    .col(ColumnDef::new(Users::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Users::OrgId).uuid().not_null())
                    .col(ColumnDef::new(Users::Issuer).string_len(400).not_null())
                    .col(ColumnDef::new(Users::TenantId).string_len(100).not_null())
                    .col(ColumnDef::new(Users::Subject).string_len(255).not_null())
                    .col(ColumnDef::new(Users::Upn).string_len(254).not_null())
                    .col(ColumnDef::new(Users::UpnLower).string_len(254).not_null())
                    .col(
                        ColumnDef::new(Users::DisplayName)
                            .string_len(200)
                            .not_null(),
                    )
                    .col(ColumnDef::new(Users::NameLower).string_len(200).not_null())
                    .col(
                        ColumnDef::new(Users::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Users::LastSignInAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .foreign_key(&mut fk(
                        (Users::Table, Users::OrgId),
                        (Organisations::Table, Organisations::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_users_identity")
                    .table(Users::Table)
                    .col(Users::Issuer)
                    .col(Users::TenantId)
                    .col(Users::Subject)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_users_org_upn")
                    .table(Users::Table)
                    .col(Users::OrgId)
                    .col(Users::UpnLower)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SecurityGroups::Table)
                    .col(
                        ColumnDef::new(SecurityGroups::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(SecurityGroups::OrgId).uuid().not_null())
                    .col(
                        ColumnDef::new(SecurityGroups::Name)
                            .string_len(80)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(SecurityGroups::NameLower)
                            .string_len(80)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(SecurityGroups::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(&mut fk(
                        (SecurityGroups::Table, SecurityGroups::OrgId),
                        (Organisations::Table, Organisations::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_security_groups_org_name")
                    .table(SecurityGroups::Table)
                    .col(SecurityGroups::OrgId)
                    .col(SecurityGroups::NameLower)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(GroupMembers::Table)
                    .col(ColumnDef::new(GroupMembers::GroupId).uuid().not_null())
                    .col(ColumnDef::new(GroupMembers::UserId).uuid().not_null())
                    .col(ColumnDef::new(GroupMembers::OrgId).uuid().not_null())
                    .primary_key(
                        Index::create()
                            .col(GroupMembers::GroupId)
                            .col(GroupMembers::UserId),
                    )
                    .foreign_key(&mut fk(
                        (GroupMembers::Table, GroupMembers::GroupId),
                        (SecurityGroups::Table, SecurityGroups::Id),
                    ))
                    .foreign_key(&mut fk(
                        (GroupMembers::Table, GroupMembers::UserId),
                        (Users::Table, Users::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(OrgRoleAssignments::Table)
                    .col(
                        ColumnDef::new(OrgRoleAssignments::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(OrgRoleAssignments::OrgId).uuid().not_null())
                    .col(
                        ColumnDef::new(OrgRoleAssignments::Role)
                            .string_len(32)
                            .not_null(),
                    )
                    .col(ColumnDef::new(OrgRoleAssignments::UserId).uuid().null())
                    .col(ColumnDef::new(OrgRoleAssignments::GroupId).uuid().null())
                    .col(
                        ColumnDef::new(OrgRoleAssignments::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(&mut fk(
                        (OrgRoleAssignments::Table, OrgRoleAssignments::OrgId),
                        (Organisations::Table, Organisations::Id),
                    ))
                    .foreign_key(&mut fk(
                        (OrgRoleAssignments::Table, OrgRoleAssignments::UserId),
                        (Users::Table, Users::Id),
                    ))
                    .foreign_key(&mut fk(
                        (OrgRoleAssignments::Table, OrgRoleAssignments::GroupId),
                        (SecurityGroups::Table, SecurityGroups::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            ("ux_org_roles_user", OrgRoleAssignments::UserId),
            ("ux_org_roles_group", OrgRoleAssignments::GroupId),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(OrgRoleAssignments::Table)
                        .col(OrgRoleAssignments::OrgId)
                        .col(OrgRoleAssignments::Role)
                        .col(col)
                        .unique()
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(LoginAttempts::Table)
                    .col(
                        ColumnDef::new(LoginAttempts::StateHash)
                            .string_len(64)
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(LoginAttempts::OrgId).uuid().not_null())
                    .col(
                        ColumnDef::new(LoginAttempts::Nonce)
                            .string_len(128)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(LoginAttempts::PkceVerifier)
                            .string_len(128)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(LoginAttempts::ReturnTo)
                            .string_len(500)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(LoginAttempts::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(&mut fk(
                        (LoginAttempts::Table, LoginAttempts::OrgId),
                        (Organisations::Table, Organisations::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Sessions::Table)
                    .col(
                        ColumnDef::new(Sessions::IdHash)
                            .string_len(64)
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Sessions::UserId).uuid().not_null())
                    .col(ColumnDef::new(Sessions::OrgId).uuid().not_null())
                    .col(ColumnDef::new(Sessions::IdToken).text().null())
                    .col(
                        ColumnDef::new(Sessions::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Sessions::ExpiresAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(&mut fk(
                        (Sessions::Table, Sessions::UserId),
                        (Users::Table, Users::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AuditLog::Table)
                    .col(ColumnDef::new(AuditLog::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(AuditLog::OrgId).uuid().not_null())
                    .col(ColumnDef::new(AuditLog::Category).string_len(32).not_null())
                    .col(
                        ColumnDef::new(AuditLog::ObjectName)
                            .string_len(300)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(AuditLog::Operation)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(AuditLog::ResultStatus)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(ColumnDef::new(AuditLog::ActorUserId).uuid().not_null())
                    .col(ColumnDef::new(AuditLog::ActorOrgId).uuid().not_null())
                    .col(
                        ColumnDef::new(AuditLog::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_audit_org_time")
                    .table(AuditLog::Table)
                    .col(AuditLog::OrgId)
                    .col(AuditLog::CreatedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            AuditLog::Table.into_iden(),
            Sessions::Table.into_iden(),
            LoginAttempts::Table.into_iden(),
            OrgRoleAssignments::Table.into_iden(),
            GroupMembers::Table.into_iden(),
            SecurityGroups::Table.into_iden(),
            Users::Table.into_iden(),
            OrgDomains::Table.into_iden(),
            Organisations::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
