use crate::common::*;
use app::server::context::SignedIn;
use app::server::service::identity::{
    self, LoginAttempt, SignInRefusal, LOGIN_ATTEMPT_TTL, SESSION_TTL,
};

#[tokio::test]
async fn first_sign_in_creates_the_user_and_later_ones_refresh_it() {
    let db = db().await;
    let contoso = org(&db, "Contoso", "contoso.com").await;
    let org_row = identity::get_org(&db, contoso.id).await.unwrap();
    let vera = identity_of(&contoso, "vera@contoso.com", "Vera Lindqvist");
    let first = identity::sign_in_user(&db, &org_row, vera.clone(), now())
        .await
        .unwrap()
        .unwrap();
    let mut renamed = vera.clone();
    renamed.display_name = "Vera L.".into();
    renamed.upn = "vera.l@contoso.com".into();
    let again = identity::sign_in_user(&db, &org_row, renamed, now())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        first, again,
        "keyed on (issuer, tenant, subject), not on e-mail"
    );
    let signed_in = SignedIn {
        user: first,
        org: contoso.id,
    };
    let user = identity::load_caller_for(&db, &signed_in, identity::Addressed::Home, now())
        .await
        .unwrap()
        .unwrap()
        .user;
    assert_eq!(
        (user.display_name.as_str(), user.upn.as_str()),
        ("Vera L.", "vera.l@contoso.com")
    );
}

#[tokio::test]
async fn sign_in_refuses_other_tenants_and_other_organisations_identities() {
    let db = db().await;
    let contoso = org(&db, "Contoso", "contoso.com").await;
    let fabrikam = org(&db, "Fabrikam", "fabrikam.com").await;
    let contoso_row = identity::get_org(&db, contoso.id).await.unwrap();
    let mut wrong_tenant = identity_of(&contoso, "x@contoso.com", "X");
    wrong_tenant.tenant_id = Some(fabrikam.tenant.clone());
    assert_eq!(
        identity::sign_in_user(&db, &contoso_row, wrong_tenant, now())
            .await
            .unwrap(),
        Err(SignInRefusal::WrongTenant)
    );
    let mut no_tenant = identity_of(&contoso, "x@contoso.com", "X");
    no_tenant.tenant_id = None;
    assert_eq!(
        identity::sign_in_user(&db, &contoso_row, no_tenant, now())
            .await
            .unwrap(),
        Err(SignInRefusal::WrongTenant)
    );
    // The same identity key already belongs to Fabrikam.
    let paul = identity_of(&fabrikam, "paul@fabrikam.com", "Paul");
    identity::provision_user(&db, fabrikam.id, &paul, now())
        .await
        .unwrap();
    let mut same_key = paul.clone();
    same_key.tenant_id = Some(contoso.tenant.clone());
    let fabrikam_row = identity::get_org(&db, fabrikam.id).await.unwrap();
    identity::sign_in_user(&db, &fabrikam_row, paul, now())
        .await
        .unwrap()
        .unwrap();
    let mut contoso_claims = same_key.clone();
    contoso_claims.issuer = fabrikam.issuer.clone();
    contoso_claims.tenant_id = Some(fabrikam.tenant.clone());
    let mut contoso_accepting_fabrikam = contoso_row.clone();
    contoso_accepting_fabrikam.accepted_tenant_ids = String::new();
    assert_eq!(
        identity::sign_in_user(&db, &contoso_accepting_fabrikam, contoso_claims, now())
            .await
            .unwrap(),
        Err(SignInRefusal::OtherOrganisation)
    );
}

#[tokio::test]
async fn a_sign_in_attempt_is_taken_once_and_expires() {
    let db = db().await;
    let contoso = org(&db, "Contoso", "contoso.com").await;
    let attempt = || LoginAttempt {
        org: contoso.id,
        nonce: "n".into(),
        pkce_verifier: "v".into(),
        return_to: "/".into(),
    };
    identity::begin_login(&db, "state-1", attempt(), now())
        .await
        .unwrap();
    assert!(identity::take_login(&db, "state-1", now())
        .await
        .unwrap()
        .is_some());
    assert!(
        identity::take_login(&db, "state-1", now())
            .await
            .unwrap()
            .is_none(),
        "replay"
    );
    identity::begin_login(&db, "state-2", attempt(), now())
        .await
        .unwrap();
    let late = now() + LOGIN_ATTEMPT_TTL + chrono::Duration::seconds(1);
    assert!(
        identity::take_login(&db, "state-2", late)
            .await
            .unwrap()
            .is_none(),
        "expired"
    );
    assert!(identity::take_login(&db, "never-issued", now())
        .await
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn sessions_resolve_until_they_expire_or_end() {
    let db = db().await;
    let contoso = org(&db, "Contoso", "contoso.com").await;
    let grace = user(&db, &contoso, "grace@contoso.com", "Grace").await;
    let token = identity::create_session(&db, grace, contoso.id, Some("id-token".into()), now())
        .await
        .unwrap();
    let found = identity::resolve_session(&db, &token, now())
        .await
        .unwrap()
        .unwrap();
    assert_eq!((found.user, found.org), (grace, contoso.id));
    assert!(identity::resolve_session(&db, "forged", now())
        .await
        .unwrap()
        .is_none());
    assert!(identity::resolve_session(&db, &token, now() + SESSION_TTL)
        .await
        .unwrap()
        .is_none());
    assert_eq!(
        identity::end_session(&db, &token).await.unwrap().as_deref(),
        Some("id-token")
    );
    assert!(identity::resolve_session(&db, &token, now())
        .await
        .unwrap()
        .is_none());
}
