use crate::common::*;
use app::domain::directory::Principal;
use app::domain::validation::{GroupName, SearchTerm};
use app::server::service::directory::{search_directory, Kinds, MAX_RESULTS};
use app::server::service::groups;

fn term(t: &str) -> SearchTerm {
    SearchTerm::parse(t).unwrap()
}

#[tokio::test]
async fn search_finds_own_users_and_groups_by_name_word_or_upn_prefix() {
    let db = db().await;
    let (contoso, grace) = org_with_admin(&db, "Contoso", "contoso.com").await;
    let (fabrikam, _) = org_with_admin(&db, "Fabrikam", "fabrikam.com").await;
    user(&db, &contoso, "lena@contoso.co.uk", "Lena Fischer").await;
    user(&db, &fabrikam, "lena@fabrikam.com", "Lena Other").await;
    groups::create_group(
        &db,
        &grace,
        contoso.id,
        GroupName::parse("Facilities team").unwrap(),
        now(),
    )
    .await
    .unwrap();

    let names = |found: Vec<app::domain::directory::PrincipalView>| {
        found.into_iter().map(|p| p.name).collect::<Vec<_>>()
    };
    let search = |t: &'static str, kinds| {
        let db = &db;
        let grace = &grace;
        async move {
            search_directory(db, grace, contoso.id, &term(t), kinds)
                .await
                .unwrap()
        }
    };
    assert_eq!(
        names(search("LENA", Kinds::UsersAndGroups).await),
        ["Lena Fischer"]
    );
    assert_eq!(
        names(search("fisch", Kinds::UsersAndGroups).await),
        ["Lena Fischer"]
    );
    assert_eq!(
        names(search("lena@contoso.co", Kinds::UsersAndGroups).await),
        ["Lena Fischer"]
    );
    assert_eq!(
        names(search("team", Kinds::UsersAndGroups).await),
        ["Facilities team"]
    );
    assert!(search("team", Kinds::UsersOnly).await.is_empty());
    assert!(
        search("ischer", Kinds::UsersAndGroups).await.is_empty(),
        "prefixes only"
    );
    assert!(
        search("%", Kinds::UsersAndGroups).await.is_empty(),
        "LIKE wildcards are literal"
    );
    assert!(search("_", Kinds::UsersAndGroups).await.is_empty());
    assert!(search("", Kinds::UsersAndGroups).await.is_empty());
    let found = search("facilities", Kinds::UsersAndGroups).await;
    assert!(matches!(found[0].principal, Principal::Group(_)));
}

#[tokio::test]
async fn search_returns_at_most_twenty_and_only_to_members() {
    let db = db().await;
    let (contoso, grace) = org_with_admin(&db, "Contoso", "contoso.com").await;
    let (fabrikam, felix) = org_with_admin(&db, "Fabrikam", "fabrikam.com").await;
    for i in 0..25 {
        user(
            &db,
            &contoso,
            &format!("room{i:02}@contoso.com"),
            &format!("Room Account {i:02}"),
        )
        .await;
    }
    let found = search_directory(
        &db,
        &grace,
        contoso.id,
        &term("room"),
        Kinds::UsersAndGroups,
    )
    .await
    .unwrap();
    assert_eq!(found.len() as u64, MAX_RESULTS);
    assert!(search_directory(
        &db,
        &felix,
        contoso.id,
        &term("room"),
        Kinds::UsersAndGroups
    )
    .await
    .is_err());
    assert!(search_directory(
        &db,
        &felix,
        fabrikam.id,
        &term("room"),
        Kinds::UsersAndGroups
    )
    .await
    .unwrap()
    .is_empty());
}
