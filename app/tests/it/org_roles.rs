use crate::common::*;
use app::domain::authz::{DenyReason, OrgRole};
use app::domain::directory::{Principal, RoleFamily};
use app::domain::validation::GroupName;
use app::server::entity::audit_log;
use app::server::service::{groups, org_roles};
use app::server::{ConflictKind, ServiceError};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

#[tokio::test]
async fn global_admin_assigns_and_removes_an_msa() {
    let db = db().await;
    let (contoso, grace) = org_with_admin(&db, "Contoso", "contoso.com").await;
    let lena = user(&db, &contoso, "lena@contoso.com", "Lena Fischer").await;

    let view = org_roles::assign_org_role(
        &db,
        &grace,
        contoso.id,
        OrgRole::ManagedServiceAdmin,
        Principal::User(lena),
        now(),
    )
    .await
    .unwrap();
    assert_eq!(view.principal.name, "Lena Fischer");
    let listed = org_roles::list_org_roles(&db, &grace, contoso.id, RoleFamily::Administrators)
        .await
        .unwrap();
    assert!(listed
        .iter()
        .any(|r| r.principal.name == "Lena Fischer" && r.role == OrgRole::ManagedServiceAdmin));
    assert!(actor(&db, &contoso, lena)
        .await
        .has_org_role(OrgRole::ManagedServiceAdmin));

    org_roles::remove_org_role(
        &db,
        &grace,
        contoso.id,
        RoleFamily::Administrators,
        view.id,
        now(),
    )
    .await
    .unwrap();
    assert!(!actor(&db, &contoso, lena)
        .await
        .has_org_role(OrgRole::ManagedServiceAdmin));

    let audit = audit_log::Entity::find()
        .filter(audit_log::Column::OrgId.eq(contoso.id))
        .all(&db)
        .await
        .unwrap();
    let ops: Vec<_> = audit
        .iter()
        .map(|a| (a.category.as_str(), a.operation.as_str()))
        .collect();
    assert!(
        ops.contains(&("Assignment", "Create")) && ops.contains(&("Assignment", "Delete")),
        "{ops:?}"
    );
}

#[tokio::test]
async fn assigning_the_same_role_twice_is_a_conflict() {
    let db = db().await;
    let (contoso, grace) = org_with_admin(&db, "Contoso", "contoso.com").await;
    let lena = user(&db, &contoso, "lena@contoso.com", "Lena Fischer").await;
    let assign = || {
        org_roles::assign_org_role(
            &db,
            &grace,
            contoso.id,
            OrgRole::ManagedServiceAdmin,
            Principal::User(lena),
            now(),
        )
    };
    assign().await.unwrap();
    assert!(matches!(
        assign().await,
        Err(ServiceError::Conflict(ConflictKind::AlreadyAssigned))
    ));
}

#[tokio::test]
async fn msa_sees_administrators_but_only_a_global_admin_changes_them() {
    let db = db().await;
    let (contoso, grace) = org_with_admin(&db, "Contoso", "contoso.com").await;
    let ivan = user(&db, &contoso, "ivan@contoso.com", "Ivan Petrov").await;
    let lena = user(&db, &contoso, "lena@contoso.com", "Lena Fischer").await;
    org_roles::assign_org_role(
        &db,
        &grace,
        contoso.id,
        OrgRole::ManagedServiceAdmin,
        Principal::User(ivan),
        now(),
    )
    .await
    .unwrap();
    let ivan = actor(&db, &contoso, ivan).await;

    assert!(
        org_roles::list_org_roles(&db, &ivan, contoso.id, RoleFamily::Administrators)
            .await
            .is_ok()
    );
    let refused = org_roles::assign_org_role(
        &db,
        &ivan,
        contoso.id,
        OrgRole::GlobalAdmin,
        Principal::User(ivan.user),
        now(),
    )
    .await;
    assert!(matches!(
        refused,
        Err(ServiceError::Forbidden(DenyReason::MissingRole))
    ));

    let plain = actor(&db, &contoso, lena).await;
    let refused =
        org_roles::list_org_roles(&db, &plain, contoso.id, RoleFamily::Administrators).await;
    assert!(matches!(
        refused,
        Err(ServiceError::Forbidden(DenyReason::MissingRole))
    ));
}

#[tokio::test]
async fn the_last_global_admin_cannot_be_removed_but_one_of_two_can() {
    let db = db().await;
    let (contoso, grace) = org_with_admin(&db, "Contoso", "contoso.com").await;
    let own = org_roles::list_org_roles(&db, &grace, contoso.id, RoleFamily::Administrators)
        .await
        .unwrap();
    let refused = org_roles::remove_org_role(
        &db,
        &grace,
        contoso.id,
        RoleFamily::Administrators,
        own[0].id,
        now(),
    )
    .await;
    assert!(matches!(
        refused,
        Err(ServiceError::Forbidden(DenyReason::LastGlobalAdmin))
    ));
    // The refusal is in the log; the assignment it aimed at is still there.
    let failed = audit_rows(&db, &grace, contoso.id, "Assignment", "Failed").await;
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[0].operation, "Delete");
    assert_eq!(failed[0].object_name, "Global admin: Contoso Admin");
    assert_eq!(failed[0].user_id, grace.user);
    assert!(
        audit_rows(&db, &grace, contoso.id, "Assignment", "Successful")
            .await
            .is_empty()
    );
    let still = org_roles::list_org_roles(&db, &grace, contoso.id, RoleFamily::Administrators)
        .await
        .unwrap();
    assert_eq!(still.len(), 1);
    assert_eq!(still[0].id, own[0].id);

    // A second Global admin through a group makes the first removable.
    let ivan = user(&db, &contoso, "ivan@contoso.com", "Ivan Petrov").await;
    let admins = groups::create_group(
        &db,
        &grace,
        contoso.id,
        GroupName::parse("Admins").unwrap(),
        now(),
    )
    .await
    .unwrap();
    groups::add_group_member(&db, &grace, contoso.id, admins.id, ivan, now())
        .await
        .unwrap();
    org_roles::assign_org_role(
        &db,
        &grace,
        contoso.id,
        OrgRole::GlobalAdmin,
        Principal::Group(admins.id),
        now(),
    )
    .await
    .unwrap();
    org_roles::remove_org_role(
        &db,
        &grace,
        contoso.id,
        RoleFamily::Administrators,
        own[0].id,
        now(),
    )
    .await
    .unwrap();
    assert!(actor(&db, &contoso, ivan)
        .await
        .has_org_role(OrgRole::GlobalAdmin));
    assert!(!actor(&db, &contoso, grace.user)
        .await
        .has_org_role(OrgRole::GlobalAdmin));
}

#[tokio::test]
async fn another_organisations_administrators_are_out_of_reach() {
    let db = db().await;
    let (contoso, grace) = org_with_admin(&db, "Contoso", "contoso.com").await;
    let (fabrikam, felix) = org_with_admin(&db, "Fabrikam", "fabrikam.com").await;
    let paul = user(&db, &fabrikam, "paul@fabrikam.com", "Paul Martin").await;

    let refused =
        org_roles::list_org_roles(&db, &grace, fabrikam.id, RoleFamily::Administrators).await;
    assert!(matches!(refused, Err(ServiceError::NotFound)));
    let refused = org_roles::assign_org_role(
        &db,
        &grace,
        fabrikam.id,
        OrgRole::GlobalAdmin,
        Principal::User(grace.user),
        now(),
    )
    .await;
    assert!(matches!(refused, Err(ServiceError::NotFound)));
    // Another organisation's user or assignment, named in one's own organisation: not found.
    let refused = org_roles::assign_org_role(
        &db,
        &grace,
        contoso.id,
        OrgRole::GlobalAdmin,
        Principal::User(paul),
        now(),
    )
    .await;
    assert!(matches!(refused, Err(ServiceError::NotFound)));
    let theirs = org_roles::list_org_roles(&db, &felix, fabrikam.id, RoleFamily::Administrators)
        .await
        .unwrap();
    let refused = org_roles::remove_org_role(
        &db,
        &grace,
        contoso.id,
        RoleFamily::Administrators,
        theirs[0].id,
        now(),
    )
    .await;
    assert!(matches!(refused, Err(ServiceError::NotFound)));
    assert_eq!(
        org_roles::list_org_roles(&db, &felix, fabrikam.id, RoleFamily::Administrators)
            .await
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn tenant_managers_exist_only_in_organisations_that_manage_customers() {
    let db = db().await;
    let (contoso, grace) = org_with_admin(&db, "Contoso", "contoso.com").await;
    let lena = user(&db, &contoso, "lena@contoso.com", "Lena Fischer").await;
    let refused = org_roles::assign_org_role(
        &db,
        &grace,
        contoso.id,
        OrgRole::TenantManager,
        Principal::User(lena),
        now(),
    )
    .await;
    assert!(matches!(
        refused,
        Err(ServiceError::Forbidden(DenyReason::NotAPartner))
    ));
}

/// Issue 8, finding 9: two Global admins removing each other at the same moment. Each removal
/// alone leaves one Global admin; together they would leave none, so exactly one may commit.
/// On PostgreSQL the two run in concurrent transactions on separate connections.
#[tokio::test]
async fn concurrent_removals_never_remove_the_last_global_admin() {
    let db = db().await;
    for round in 0..8 {
        let domain = format!("round{round}.example");
        let (org, first) = org_with_admin(&db, &format!("Round {round}"), &domain).await;
        let second = user(&db, &org, &format!("second@{domain}"), "Second Admin").await;
        org_roles::assign_org_role(
            &db,
            &first,
            org.id,
            OrgRole::GlobalAdmin,
            Principal::User(second),
            now(),
        )
        .await
        .unwrap();
        let second = actor(&db, &org, second).await;
        let rows = org_roles::list_org_roles(&db, &first, org.id, RoleFamily::Administrators)
            .await
            .unwrap();
        let of = |a: &app::domain::authz::Actor| {
            rows.iter()
                .find(|r| r.principal.principal == Principal::User(a.user))
                .unwrap()
                .id
        };
        let (mine, theirs) = (of(&first), of(&second));
        let admins = RoleFamily::Administrators;
        let (a, b) = tokio::join!(
            org_roles::remove_org_role(&db, &first, org.id, admins, theirs, now()),
            org_roles::remove_org_role(&db, &second, org.id, admins, mine, now()),
        );
        let outcomes = [a.is_ok(), b.is_ok()];
        assert_eq!(
            outcomes.iter().filter(|ok| **ok).count(),
            1,
            "round {round}: {a:?} {b:?}"
        );
        assert!(
            [a, b]
                .iter()
                .any(|r| matches!(r, Err(ServiceError::Forbidden(DenyReason::LastGlobalAdmin)))),
            "round {round}"
        );
        let left = org_roles::list_org_roles(&db, &first, org.id, admins).await;
        let left = match left {
            Ok(rows) => rows,
            // The first admin was the one removed: ask as the second.
            Err(_) => org_roles::list_org_roles(&db, &second, org.id, admins)
                .await
                .unwrap(),
        };
        assert_eq!(
            left.iter()
                .filter(|r| r.role == OrgRole::GlobalAdmin)
                .count(),
            1,
            "round {round}"
        );
    }
}
