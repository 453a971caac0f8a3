use crate::common::*;
use app::domain::authz::{DenyReason, OrgRole};
use app::domain::directory::Principal;
use app::domain::validation::GroupName;
use app::server::service::{groups, org_roles};
use app::server::{ConflictKind, ServiceError};

fn name(n: &str) -> GroupName {
    GroupName::parse(n).unwrap()
}

#[tokio::test]
async fn groups_are_created_renamed_filled_and_deleted() {
    let db = db().await;
    let (contoso, grace) = org_with_admin(&db, "Contoso", "contoso.com").await;
    let lena = user(&db, &contoso, "lena@contoso.com", "Lena Fischer").await;

    let g = groups::create_group(&db, &grace, contoso.id, name("Facilities team"), now())
        .await
        .unwrap();
    groups::add_group_member(&db, &grace, contoso.id, g.id, lena, now())
        .await
        .unwrap();
    groups::rename_group(&db, &grace, contoso.id, g.id, name("Facilities"), now())
        .await
        .unwrap();
    let listed = groups::list_groups(&db, &grace, contoso.id).await.unwrap();
    assert_eq!(
        (listed[0].name.as_str(), listed[0].member_count),
        ("Facilities", 1)
    );
    let detail = groups::get_group(&db, &grace, contoso.id, g.id)
        .await
        .unwrap();
    assert_eq!(detail.members[0].upn, "lena@contoso.com");

    assert!(matches!(
        groups::add_group_member(&db, &grace, contoso.id, g.id, lena, now()).await,
        Err(ServiceError::Conflict(ConflictKind::AlreadyMember))
    ));
    groups::remove_group_member(&db, &grace, contoso.id, g.id, lena, now())
        .await
        .unwrap();
    groups::delete_group(&db, &grace, contoso.id, g.id, now())
        .await
        .unwrap();
    assert!(groups::list_groups(&db, &grace, contoso.id)
        .await
        .unwrap()
        .is_empty());
    assert!(matches!(
        groups::get_group(&db, &grace, contoso.id, g.id).await,
        Err(ServiceError::NotFound)
    ));
}

#[tokio::test]
async fn group_names_are_unique_per_organisation_ignoring_case() {
    let db = db().await;
    let (contoso, grace) = org_with_admin(&db, "Contoso", "contoso.com").await;
    let (fabrikam, felix) = org_with_admin(&db, "Fabrikam", "fabrikam.com").await;
    groups::create_group(&db, &grace, contoso.id, name("Help desk"), now())
        .await
        .unwrap();
    assert!(matches!(
        groups::create_group(&db, &grace, contoso.id, name("HELP DESK"), now()).await,
        Err(ServiceError::Conflict(ConflictKind::GroupNameTaken))
    ));
    groups::create_group(&db, &felix, fabrikam.id, name("Help desk"), now())
        .await
        .unwrap();
    let other = groups::create_group(&db, &grace, contoso.id, name("Other"), now())
        .await
        .unwrap();
    assert!(matches!(
        groups::rename_group(&db, &grace, contoso.id, other.id, name("help desk"), now()).await,
        Err(ServiceError::Conflict(ConflictKind::GroupNameTaken))
    ));
}

#[tokio::test]
async fn a_role_held_through_a_group_follows_membership() {
    let db = db().await;
    let (contoso, grace) = org_with_admin(&db, "Contoso", "contoso.com").await;
    let omar = user(&db, &contoso, "omar@contoso.com", "Omar Haddad").await;
    let g = groups::create_group(&db, &grace, contoso.id, name("MSAs"), now())
        .await
        .unwrap();
    org_roles::assign_org_role(
        &db,
        &grace,
        contoso.id,
        OrgRole::ManagedServiceAdmin,
        Principal::Group(g.id),
        now(),
    )
    .await
    .unwrap();
    assert!(!actor(&db, &contoso, omar)
        .await
        .has_org_role(OrgRole::ManagedServiceAdmin));
    groups::add_group_member(&db, &grace, contoso.id, g.id, omar, now())
        .await
        .unwrap();
    assert!(actor(&db, &contoso, omar)
        .await
        .has_org_role(OrgRole::ManagedServiceAdmin));
    groups::remove_group_member(&db, &grace, contoso.id, g.id, omar, now())
        .await
        .unwrap();
    assert!(!actor(&db, &contoso, omar)
        .await
        .has_org_role(OrgRole::ManagedServiceAdmin));
}

#[tokio::test]
async fn the_last_global_admin_cannot_leave_through_the_group() {
    let db = db().await;
    let (contoso, grace) = org_with_admin(&db, "Contoso", "contoso.com").await;
    let ivan = user(&db, &contoso, "ivan@contoso.com", "Ivan Petrov").await;
    let g = groups::create_group(&db, &grace, contoso.id, name("Global admins"), now())
        .await
        .unwrap();
    groups::add_group_member(&db, &grace, contoso.id, g.id, ivan, now())
        .await
        .unwrap();
    org_roles::assign_org_role(
        &db,
        &grace,
        contoso.id,
        OrgRole::GlobalAdmin,
        Principal::Group(g.id),
        now(),
    )
    .await
    .unwrap();
    let direct = org_roles::list_org_roles(
        &db,
        &grace,
        contoso.id,
        app::domain::directory::RoleFamily::Administrators,
    )
    .await
    .unwrap()
    .into_iter()
    .find(|r| r.principal.principal == Principal::User(grace.user))
    .unwrap();
    org_roles::remove_org_role(
        &db,
        &grace,
        contoso.id,
        app::domain::directory::RoleFamily::Administrators,
        direct.id,
        now(),
    )
    .await
    .unwrap();
    // Ivan, through the group, is now the only Global admin.
    let ivan_actor = actor(&db, &contoso, ivan).await;
    assert!(matches!(
        groups::remove_group_member(&db, &ivan_actor, contoso.id, g.id, ivan, now()).await,
        Err(ServiceError::Forbidden(DenyReason::LastGlobalAdmin))
    ));
    assert!(matches!(
        groups::delete_group(&db, &ivan_actor, contoso.id, g.id, now()).await,
        Err(ServiceError::Forbidden(DenyReason::LastGlobalAdmin))
    ));
    let failed = audit_rows(&db, &ivan_actor, contoso.id, "User", "Failed").await;
    assert!(failed.iter().all(|r| r.user_id == ivan), "{failed:?}");
    let mut refused: Vec<_> = failed
        .iter()
        .map(|r| (r.operation.as_str(), r.object_name.as_str()))
        .collect();
    refused.sort();
    assert_eq!(
        refused,
        [
            ("Delete", "Global admins"),
            ("Update", "Global admins: removed ivan@contoso.com")
        ]
    );
    assert!(actor(&db, &contoso, ivan)
        .await
        .has_org_role(OrgRole::GlobalAdmin));
}

#[tokio::test]
async fn another_organisations_groups_and_users_are_not_found() {
    let db = db().await;
    let (contoso, grace) = org_with_admin(&db, "Contoso", "contoso.com").await;
    let (fabrikam, felix) = org_with_admin(&db, "Fabrikam", "fabrikam.com").await;
    let paul = user(&db, &fabrikam, "paul@fabrikam.com", "Paul Martin").await;
    let theirs = groups::create_group(&db, &felix, fabrikam.id, name("AV support"), now())
        .await
        .unwrap();
    let ours = groups::create_group(&db, &grace, contoso.id, name("Facilities"), now())
        .await
        .unwrap();

    assert!(matches!(
        groups::get_group(&db, &grace, contoso.id, theirs.id).await,
        Err(ServiceError::NotFound)
    ));
    assert!(matches!(
        groups::delete_group(&db, &grace, contoso.id, theirs.id, now()).await,
        Err(ServiceError::NotFound)
    ));
    assert!(matches!(
        groups::rename_group(&db, &grace, contoso.id, theirs.id, name("Mine"), now()).await,
        Err(ServiceError::NotFound)
    ));
    assert!(matches!(
        groups::add_group_member(&db, &grace, contoso.id, ours.id, paul, now()).await,
        Err(ServiceError::NotFound)
    ));
    assert!(matches!(
        groups::list_groups(&db, &grace, fabrikam.id).await,
        Err(ServiceError::NotFound)
    ));
    assert_eq!(
        groups::list_groups(&db, &felix, fabrikam.id).await.unwrap()[0].name,
        "AV support"
    );
}

/// Issue 8, finding 1: an MSA may manage security groups, but not through them hand out (or take
/// away) Global admin or MSA, which only a Global admin assigns.
#[tokio::test]
async fn an_msa_cannot_grant_or_revoke_admin_roles_through_group_membership() {
    let db = db().await;
    let (woodgrove, sam) = org_with_admin(&db, "Woodgrove Bank", "woodgrovebank.com").await;
    let rita = user(&db, &woodgrove, "rita@woodgrovebank.com", "Rita Alvarez").await;
    let claire = user(&db, &woodgrove, "claire@woodgrovebank.com", "Claire Dubois").await;
    let tom = user(&db, &woodgrove, "tom@woodgrovebank.com", "Tom Becker").await;
    let assign = |role, principal| {
        let (db, sam, org) = (&db, &sam, woodgrove.id);
        async move {
            org_roles::assign_org_role(db, sam, org, role, principal, now())
                .await
                .unwrap();
        }
    };
    assign(OrgRole::ManagedServiceAdmin, Principal::User(rita)).await;
    let branch_it = groups::create_group(&db, &sam, woodgrove.id, name("Branch IT"), now())
        .await
        .unwrap();
    assign(OrgRole::ManagedServiceAdmin, Principal::Group(branch_it.id)).await;
    groups::add_group_member(&db, &sam, woodgrove.id, branch_it.id, tom, now())
        .await
        .unwrap();
    let owners = groups::create_group(&db, &sam, woodgrove.id, name("Owners"), now())
        .await
        .unwrap();
    assign(OrgRole::GlobalAdmin, Principal::Group(owners.id)).await;
    let rita_actor = actor(&db, &woodgrove, rita).await;

    // Adding someone to a group that holds MSA, or herself to one that holds Global admin.
    for (group, member) in [(branch_it.id, claire), (owners.id, rita)] {
        let refused =
            groups::add_group_member(&db, &rita_actor, woodgrove.id, group, member, now()).await;
        assert!(
            matches!(
                refused,
                Err(ServiceError::Forbidden(DenyReason::MissingRole))
            ),
            "{refused:?}"
        );
    }
    assert!(!actor(&db, &woodgrove, claire)
        .await
        .has_org_role(OrgRole::ManagedServiceAdmin));
    assert!(!actor(&db, &woodgrove, rita)
        .await
        .has_org_role(OrgRole::GlobalAdmin));
    // Taking MSA from Tom by removing him or by deleting the group.
    let refused =
        groups::remove_group_member(&db, &rita_actor, woodgrove.id, branch_it.id, tom, now()).await;
    assert!(
        matches!(refused, Err(ServiceError::Forbidden(_))),
        "{refused:?}"
    );
    let refused = groups::delete_group(&db, &rita_actor, woodgrove.id, branch_it.id, now()).await;
    assert!(
        matches!(refused, Err(ServiceError::Forbidden(_))),
        "{refused:?}"
    );
    assert!(actor(&db, &woodgrove, tom)
        .await
        .has_org_role(OrgRole::ManagedServiceAdmin));
    // Each refusal is in the log under the group and member it aimed at.
    let failed = audit_rows(&db, &sam, woodgrove.id, "User", "Failed").await;
    let mut objects: Vec<&str> = failed.iter().map(|r| r.object_name.as_str()).collect();
    objects.sort();
    assert_eq!(
        objects,
        [
            "Branch IT",
            "Branch IT: claire@woodgrovebank.com",
            "Branch IT: removed tom@woodgrovebank.com",
            "Owners: rita@woodgrovebank.com",
        ]
    );
    // Renaming changes nothing anyone holds, and groups without admin roles stay hers to run.
    groups::rename_group(
        &db,
        &rita_actor,
        woodgrove.id,
        branch_it.id,
        name("Branch IT team"),
        now(),
    )
    .await
    .unwrap();
    let helpdesk = groups::create_group(&db, &rita_actor, woodgrove.id, name("Help desk"), now())
        .await
        .unwrap();
    groups::add_group_member(&db, &rita_actor, woodgrove.id, helpdesk.id, claire, now())
        .await
        .unwrap();
    // The Global admin may do what Rita may not.
    groups::add_group_member(&db, &sam, woodgrove.id, branch_it.id, claire, now())
        .await
        .unwrap();
    assert!(actor(&db, &woodgrove, claire)
        .await
        .has_org_role(OrgRole::ManagedServiceAdmin));
}
