//! Who is who: organisations and their identity-provider settings, home-realm discovery, users
//! created on first sign-in, sign-ins in flight, sessions, and the actor of a request.

use super::audit::{Attempt, Category, Operation};
use super::sha256_hex;
use crate::domain::authz::{Actor, OrgRole};
use crate::domain::ids::{GroupId, OrgId, UserId};
use crate::server::context::SignedIn;
use crate::server::entity::{
    group_member, login_attempt, org_domain, org_role_assignment, organisation, session, user,
};
use crate::server::error::ServiceError;
use crate::server::scope::TenantScope;
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter, Set, TransactionSession, TransactionTrait,
};
use std::collections::BTreeSet;

/// How long the browser may take at the identity provider.
pub const LOGIN_ATTEMPT_TTL: Duration = Duration::minutes(10);
/// Absolute lifetime of a session.
pub const SESSION_TTL: Duration = Duration::hours(10);
/// A session unused for this long ends (the server's default; `ROOMS_SESSION_IDLE_MINUTES`).
pub const SESSION_IDLE: Duration = Duration::minutes(60);
/// How stale a session's last use may be recorded: at most one write a minute per session,
/// not one per request.
const LAST_SEEN_EVERY: Duration = Duration::minutes(1);

/// A new random secret: 32 bytes, base64url.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// What an operator (or the demo seed) says about a new organisation.
pub struct NewOrganisation {
    pub name: String,
    pub domains: Vec<String>,
    pub manages_customers: bool,
    pub issuer_url: String,
    pub client_id: String,
    pub client_secret: String,
    pub accepted_tenant_ids: Vec<String>,
    pub is_demo: bool,
}

/// Creates an organisation with its verified domains. Operator-only: there is no page for it.
pub async fn create_organisation(
    db: &impl TransactionTrait,
    new: NewOrganisation,
    now: DateTime<Utc>,
) -> Result<OrgId, ServiceError> {
    let tx = super::begin_write(db).await?;
    let id = OrgId::new();
    organisation::ActiveModel {
        id: Set(id),
        name: Set(new.name),
        manages_customers: Set(new.manages_customers),
        issuer_url: Set(new.issuer_url),
        client_id: Set(new.client_id),
        client_secret: Set(new.client_secret),
        accepted_tenant_ids: Set(new.accepted_tenant_ids.join(" ")),
        client_secret_ref: Set(None),
        pending_global_admin: Set(None),
        is_demo: Set(new.is_demo),
        created_at: Set(now),
    }
    .insert(&tx)
    .await?;
    for domain in new.domains {
        org_domain::ActiveModel {
            domain: Set(domain.to_ascii_lowercase()),
            org_id: Set(id),
        }
        .insert(&tx)
        .await?;
    }
    super::roles::create_built_in_roles(&tx, id, now).await?;
    tx.commit().await?;
    Ok(id)
}

/// Home-realm discovery: the organisation that owns a verified e-mail domain.
pub async fn find_org_by_domain(
    db: &impl ConnectionTrait,
    domain: &str,
) -> Result<Option<organisation::Model>, ServiceError> {
    let Some(row) = org_domain::Entity::find_by_id(domain.to_ascii_lowercase())
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    Ok(organisation::Entity::find_by_id(row.org_id).one(db).await?)
}

pub async fn get_org(
    db: &impl ConnectionTrait,
    org: OrgId,
) -> Result<organisation::Model, ServiceError> {
    organisation::Entity::find_by_id(org)
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)
}

pub async fn any_organisation(db: &impl ConnectionTrait) -> Result<bool, ServiceError> {
    Ok(organisation::Entity::find().one(db).await?.is_some())
}

/// A sign-in in flight, as stored between the redirect to the issuer and the callback.
pub struct LoginAttempt {
    pub org: OrgId,
    pub nonce: String,
    pub pkce_verifier: String,
    pub return_to: String,
}

pub async fn begin_login(
    db: &impl ConnectionTrait,
    state: &str,
    attempt: LoginAttempt,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    login_attempt::Entity::delete_many()
        .filter(login_attempt::Column::CreatedAt.lt(now - LOGIN_ATTEMPT_TTL))
        .exec(db)
        .await?;
    login_attempt::ActiveModel {
        state_hash: Set(sha256_hex(state)),
        org_id: Set(attempt.org),
        nonce: Set(attempt.nonce),
        pkce_verifier: Set(attempt.pkce_verifier),
        return_to: Set(attempt.return_to),
        created_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Takes the sign-in for `state` exactly once: a replayed or concurrent callback finds nothing.
pub async fn take_login(
    db: &impl ConnectionTrait,
    state: &str,
    now: DateTime<Utc>,
) -> Result<Option<LoginAttempt>, ServiceError> {
    let hash = sha256_hex(state);
    let Some(row) = login_attempt::Entity::find_by_id(hash.clone())
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let deleted = login_attempt::Entity::delete_by_id(hash).exec(db).await?;
    if deleted.rows_affected != 1 || row.created_at < now - LOGIN_ATTEMPT_TTL {
        return Ok(None);
    }
    Ok(Some(LoginAttempt {
        org: row.org_id,
        nonce: row.nonce,
        pkce_verifier: row.pkce_verifier,
        return_to: row.return_to,
    }))
}

/// An identity whose ID token has been verified by the issuer of `org`.
#[derive(Clone, Debug)]
pub struct VerifiedIdentity {
    pub issuer: String,
    pub tenant_id: Option<String>,
    pub subject: String,
    pub upn: String,
    pub display_name: String,
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum SignInRefusal {
    #[error("the token's tenant is not one this organisation accepts")]
    WrongTenant,
    #[error("this identity belongs to another organisation")]
    OtherOrganisation,
}

/// Finds the user of a verified identity in `org`, creating it on first sign-in, and refreshes
/// the name and UPN the issuer sends (they may change; the key does not).
pub async fn sign_in_user(
    db: &(impl ConnectionTrait + TransactionTrait),
    org: &organisation::Model,
    identity: VerifiedIdentity,
    now: DateTime<Utc>,
) -> Result<Result<UserId, SignInRefusal>, ServiceError> {
    if !org.accepts_tenant(identity.tenant_id.as_deref()) {
        return Ok(Err(SignInRefusal::WrongTenant));
    }
    let scope = TenantScope::trusted(org.id);
    let tenant_id = identity.tenant_id.clone().unwrap_or_default();
    let existing = scope
        .select::<user::Entity>()
        .filter(user::Column::Issuer.eq(&identity.issuer))
        .filter(user::Column::TenantId.eq(&tenant_id))
        .filter(user::Column::Subject.eq(&identity.subject))
        .one(db)
        .await?;
    if let Some(found) = existing {
        let id = found.id;
        let mut active = found.into_active_model();
        active.upn = Set(identity.upn.clone());
        active.upn_lower = Set(identity.upn.to_lowercase());
        active.display_name = Set(identity.display_name.clone());
        active.name_lower = Set(identity.display_name.to_lowercase());
        active.last_sign_in_at = Set(Some(now));
        active.update(db).await?;
        super::operator::claim_first_admin(db, org, id, &identity.upn, now).await?;
        return Ok(Ok(id));
    }
    let tx = super::begin_write(db).await?;
    let id = match insert_user(&tx, &scope, &identity, Some(now), now).await {
        Ok(id) => id,
        // The key is unique across organisations: it is someone else's.
        Err(ServiceError::Conflict(_)) => return Ok(Err(SignInRefusal::OtherOrganisation)),
        Err(e) => return Err(e),
    };
    let actor = Actor {
        user: id,
        org: org.id,
        org_manages_customers: org.manages_customers,
        org_roles: BTreeSet::new(),
        grants: vec![],
        partnerships: vec![],
    };
    Attempt::new(
        &actor,
        Category::User,
        Operation::Create,
        &identity.upn,
        now,
    )
    .record(&tx, &scope)
    .await?;
    tx.commit().await?;
    super::operator::claim_first_admin(db, org, id, &identity.upn, now).await?;
    Ok(Ok(id))
}

/// Pre-provisions a user (the demo seed), as a first sign-in would.
pub async fn provision_user(
    db: &impl ConnectionTrait,
    org: OrgId,
    identity: &VerifiedIdentity,
    now: DateTime<Utc>,
) -> Result<UserId, ServiceError> {
    insert_user(db, &TenantScope::trusted(org), identity, None, now).await
}

async fn insert_user(
    db: &impl ConnectionTrait,
    scope: &TenantScope,
    identity: &VerifiedIdentity,
    signed_in_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<UserId, ServiceError> {
    let id = UserId::new();
    user::ActiveModel {
        id: Set(id),
        org_id: Set(scope.org()),
        issuer: Set(identity.issuer.clone()),
        tenant_id: Set(identity.tenant_id.clone().unwrap_or_default()),
        subject: Set(identity.subject.clone()),
        upn: Set(identity.upn.clone()),
        upn_lower: Set(identity.upn.to_lowercase()),
        display_name: Set(identity.display_name.clone()),
        name_lower: Set(identity.display_name.to_lowercase()),
        created_at: Set(now),
        last_sign_in_at: Set(signed_in_at),
    }
    .insert(db)
    .await?;
    Ok(id)
}

/// Starts a session and returns the cookie's token (only its hash is stored).
pub async fn create_session(
    db: &impl ConnectionTrait,
    user: UserId,
    org: OrgId,
    id_token: Option<String>,
    now: DateTime<Utc>,
) -> Result<String, ServiceError> {
    session::Entity::delete_many()
        .filter(session::Column::ExpiresAt.lt(now))
        .exec(db)
        .await?;
    let token = random_token();
    session::ActiveModel {
        id_hash: Set(sha256_hex(&token)),
        user_id: Set(user),
        org_id: Set(org),
        id_token: Set(id_token),
        created_at: Set(now),
        expires_at: Set(now + SESSION_TTL),
        last_seen_at: Set(Some(now)),
    }
    .insert(db)
    .await?;
    Ok(token)
}

/// The live session a cookie token names, if any, with the default idle timeout.
pub async fn resolve_session(
    db: &impl ConnectionTrait,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Option<SignedIn>, ServiceError> {
    resolve_live_session(db, token, now, SESSION_IDLE).await
}

/// The session a cookie token names, if it has not expired and was used within `idle`; its
/// last use becomes now (recorded at most once a minute).
pub async fn resolve_live_session(
    db: &impl ConnectionTrait,
    token: &str,
    now: DateTime<Utc>,
    idle: Duration,
) -> Result<Option<SignedIn>, ServiceError> {
    let hash = sha256_hex(token);
    let Some(found) = session::Entity::find_by_id(hash.clone()).one(db).await? else {
        return Ok(None);
    };
    // Sessions started before the column existed count from their start.
    let last_seen = found.last_seen_at.unwrap_or(found.created_at);
    if found.expires_at <= now || last_seen + idle <= now {
        return Ok(None);
    }
    if now - last_seen >= LAST_SEEN_EVERY {
        session::Entity::update_many()
            .col_expr(session::Column::LastSeenAt, Expr::value(now))
            .filter(session::Column::IdHash.eq(hash))
            .exec(db)
            .await?;
    }
    Ok(Some(SignedIn {
        user: found.user_id,
        org: found.org_id,
    }))
}

/// Ends a session; returns its ID token for the issuer's sign-out.
pub async fn end_session(
    db: &impl ConnectionTrait,
    token: &str,
) -> Result<Option<String>, ServiceError> {
    let hash = sha256_hex(token);
    let found = session::Entity::find_by_id(hash.clone()).one(db).await?;
    session::Entity::delete_by_id(hash).exec(db).await?;
    Ok(found.and_then(|s| s.id_token))
}

/// Which customers' partnerships an actor is loaded with. A request works on one organisation
/// (the `org` it names), so it loads the partnership in that customer only: a partner user's
/// request costs the same with 20 customers as with 2,000.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Addressed {
    /// The user's own organisation: no partnership.
    Home,
    /// One organisation: the partnership in it, if it is a customer the user works on.
    Org(OrgId),
    /// Every customer (the views that span customers, and tests).
    AllCustomers,
}

/// The actor of a live session in its own organisation: the user, the home organisation, the
/// organisation roles and grants held there directly or through a security group, as of `now`.
pub async fn load_actor(
    db: &impl ConnectionTrait,
    signed_in: &SignedIn,
    now: DateTime<Utc>,
) -> Result<Option<Actor>, ServiceError> {
    load_actor_for(db, signed_in, Addressed::Home, now).await
}

/// [`load_actor`] with the partnerships held in the customers `addressed` names.
pub async fn load_actor_for(
    db: &impl ConnectionTrait,
    signed_in: &SignedIn,
    addressed: Addressed,
    now: DateTime<Utc>,
) -> Result<Option<Actor>, ServiceError> {
    Ok(load_caller_for(db, signed_in, addressed, now)
        .await?
        .map(|caller| caller.actor))
}

/// The signed-in user as one request sees them: the actor, and the user and organisation rows
/// it was read from (their names are the header's).
#[derive(Clone, Debug)]
pub struct Caller {
    pub actor: Actor,
    pub user: user::Model,
    pub org: organisation::Model,
}

/// [`load_actor_for`], keeping the user and organisation rows read on the way, so a request
/// that shows their names does not read them again.
pub async fn load_caller_for(
    db: &impl ConnectionTrait,
    signed_in: &SignedIn,
    addressed: Addressed,
    now: DateTime<Utc>,
) -> Result<Option<Caller>, ServiceError> {
    let scope = TenantScope::trusted(signed_in.org);
    let Some(user) = scope
        .select::<user::Entity>()
        .filter(user::Column::Id.eq(signed_in.user))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let org = get_org(db, user.org_id).await?;
    let groups = groups_of(db, org.id, user.id).await?;
    let org_roles: BTreeSet<OrgRole> = scope
        .select::<org_role_assignment::Entity>()
        .filter(
            Condition::any()
                .add(org_role_assignment::Column::UserId.eq(user.id))
                .add(org_role_assignment::Column::GroupId.is_in(groups.iter().copied())),
        )
        .all(db)
        .await?
        .into_iter()
        .map(|a| a.role)
        .collect();
    let customers = match addressed {
        _ if !org.manages_customers => None,
        Addressed::Home => None,
        Addressed::Org(o) if o == org.id => None,
        Addressed::Org(o) => Some(Some(o)),
        Addressed::AllCustomers => Some(None),
    };
    let partnerships = match customers {
        Some(only) => {
            super::partners::partnerships_of(db, org.id, user.id, &groups, only, now).await?
        }
        None => vec![],
    };
    let actor = Actor {
        user: user.id,
        org: org.id,
        org_manages_customers: org.manages_customers,
        org_roles,
        grants: super::roles::grants_of(db, &scope, user.id, &groups).await?,
        partnerships,
    };
    Ok(Some(Caller { actor, user, org }))
}

/// The security groups of its own organisation that `user` is a member of.
pub(crate) async fn groups_of(
    db: &impl ConnectionTrait,
    org: OrgId,
    user: UserId,
) -> Result<BTreeSet<GroupId>, ServiceError> {
    Ok(TenantScope::trusted(org)
        .select::<group_member::Entity>()
        .filter(group_member::Column::UserId.eq(user))
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.group_id)
        .collect())
}
