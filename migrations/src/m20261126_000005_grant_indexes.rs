//! Indexes for reading grants, which every request does: the role assignments that name a user
//! or a group (in one organisation, or across a partner's customers), the assignments of a role
//! and the scope rows of an assignment. Without them each lookup scans every organisation's rows;
//! with a partner of 2,000 customers that was most of a request's time.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum RoleAssignmentMembers {
    Table,
    OrgId,
    AssignmentId,
    UserId,
    GroupId,
}

#[derive(DeriveIden)]
enum RoleAssignments {
    Table,
    RoleId,
}

#[derive(DeriveIden)]
enum RoleAssignmentScopes {
    Table,
    AssignmentId,
}

/// A user's or group's memberships are indexed first by who, then by organisation, so that one
/// index serves "in this customer" and "in any customer".
fn indexes() -> Vec<(&'static str, DynIden, Vec<DynIden>)> {
    use RoleAssignmentMembers as M;
    vec![
        (
            "ix_role_assignment_members_user",
            M::Table.into_iden(),
            vec![M::UserId.into_iden(), M::OrgId.into_iden()],
        ),
        (
            "ix_role_assignment_members_group",
            M::Table.into_iden(),
            vec![M::GroupId.into_iden(), M::OrgId.into_iden()],
        ),
        (
            "ix_role_assignment_members_assignment",
            M::Table.into_iden(),
            vec![M::AssignmentId.into_iden()],
        ),
        (
            "ix_role_assignments_role",
            RoleAssignments::Table.into_iden(),
            vec![RoleAssignments::RoleId.into_iden()],
        ),
        (
            "ix_role_assignment_scopes_assignment",
            RoleAssignmentScopes::Table.into_iden(),
            vec![RoleAssignmentScopes::AssignmentId.into_iden()],
        ),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
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
        Ok(())
    }
}
