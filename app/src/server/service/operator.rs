//! The operator's side (`server org add|list|update|remove`): organisations with their domains
//! and identity provider, onboarded, changed and removed without SQL; where a client secret is
//! read at sign-in; and the first Global admin the operator named, bound at that user's sign-in.
//!
//! There is no actor and no `authorize` here: the operator is whoever runs the server binary
//! with its `DATABASE_URL`, which already grants everything. An issuer is saved only after its
//! discovery document has been read and names exactly that issuer, so a typo cannot break every
//! sign-in of an organisation later.

use super::audit::{Attempt, Category, Operation};
use super::{identity, org_roles};
use crate::domain::authz::OrgRole;
use crate::domain::ids::{OrgId, UserId};
use crate::domain::organisation::{
    admin_upn, ClientSecret, OrganisationChange, OrganisationDraft, OrganisationView,
};
use crate::domain::validation::{Valid, ValidationError};
use crate::server::context::SignedIn;
use crate::server::entity::{audit_log, org_domain, org_role_assignment, organisation, user};
use crate::server::error::ServiceError;
use crate::server::scope::TenantScope;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set, TransactionSession, TransactionTrait,
};
use std::future::Future;
use std::io::Read;

/// Reads an issuer's discovery document. The server implements it over HTTP; kept apart so
/// this module does no I/O of its own but the database.
pub trait IssuerDiscovery {
    /// The `issuer` named by `<issuer>/.well-known/openid-configuration`, once the document has
    /// been fetched and read as OpenID Provider metadata; otherwise why it could not be.
    fn discovered_issuer(
        &self,
        issuer: &str,
    ) -> impl Future<Output = Result<String, String>> + Send;
}

/// Onboards an organisation: checks its domains are free and its issuer names itself as given,
/// then creates it with its built-in roles.
pub async fn add_organisation(
    db: &(impl ConnectionTrait + TransactionTrait),
    discovery: &impl IssuerDiscovery,
    draft: Valid<OrganisationDraft>,
    now: DateTime<Utc>,
) -> Result<OrganisationView, ServiceError> {
    let draft = draft.get().clone();
    ensure_domains_free(db, "domain", &draft.domains, None).await?;
    check_issuer(discovery, &draft.issuer).await?;
    let reference = draft.client_secret.reference();
    let stored = match draft.client_secret {
        ClientSecret::Stored(secret) => secret,
        ClientSecret::File(_) | ClientSecret::Env(_) => String::new(),
    };
    let tx = super::begin_write(db).await?;
    let id = identity::create_organisation(
        &tx,
        identity::NewOrganisation {
            name: draft.name,
            domains: draft.domains,
            manages_customers: draft.manages_customers,
            issuer_url: draft.issuer,
            client_id: draft.client_id,
            client_secret: stored,
            accepted_tenant_ids: draft.tenant_ids,
            is_demo: false,
        },
        now,
    )
    .await?;
    organisation::ActiveModel {
        id: Set(id),
        client_secret_ref: Set(reference),
        pending_global_admin: Set(draft.global_admin),
        ..Default::default()
    }
    .update(&tx)
    .await?;
    tx.commit().await?;
    tracing::info!(org = %id, "organisation added by the operator");
    get_organisation(db, id).await
}

/// Changes an organisation's name, domains, identity provider, partner flag, or names a user to
/// become Global admin at their next sign-in. A new issuer is checked as on `add`.
pub async fn update_organisation(
    db: &(impl ConnectionTrait + TransactionTrait),
    discovery: &impl IssuerDiscovery,
    org: OrgId,
    change: Valid<OrganisationChange>,
    now: DateTime<Utc>,
) -> Result<OrganisationView, ServiceError> {
    let change = change.get();
    let current = identity::get_org(db, org).await?;
    let mut domains = domains_of(db, org).await?;
    for domain in &change.remove_domains {
        if !domains.contains(domain) {
            return Err(invalid(
                "remove-domain",
                format!(
                    "{domain} is not a domain of {}; its domains are {}.",
                    current.name,
                    domains.join(", ")
                ),
            ));
        }
    }
    domains.retain(|d| !change.remove_domains.contains(d));
    let added: Vec<String> = change
        .add_domains
        .iter()
        .filter(|d| !domains.contains(d))
        .cloned()
        .collect();
    domains.extend(added.iter().cloned());
    if domains.is_empty() {
        return Err(invalid(
            "remove-domain",
            "An organisation keeps at least one domain (its users sign in by it); add the new one with --add-domain in the same command.",
        ));
    }
    ensure_domains_free(db, "add-domain", &added, Some(org)).await?;
    let mut tenant_ids: Vec<String> = current
        .accepted_tenant_ids
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    for tid in &change.remove_tenant_ids {
        if !tenant_ids.iter().any(|t| t.eq_ignore_ascii_case(tid)) {
            return Err(invalid(
                "remove-tenant-id",
                format!("{tid} is not an accepted tenant id of {}.", current.name),
            ));
        }
    }
    tenant_ids.retain(|t| {
        !change
            .remove_tenant_ids
            .iter()
            .any(|r| r.eq_ignore_ascii_case(t))
    });
    for tid in &change.add_tenant_ids {
        if !tenant_ids.iter().any(|t| t.eq_ignore_ascii_case(tid)) {
            tenant_ids.push(tid.clone());
        }
    }
    let global_admin = change
        .global_admin
        .as_deref()
        .map(|upn| admin_upn(upn, &domains))
        .transpose()?;
    if let Some(issuer) = &change.issuer {
        check_issuer(discovery, issuer).await?;
    }

    let tx = super::begin_write(db).await?;
    let mut row = organisation::ActiveModel {
        id: Set(org),
        accepted_tenant_ids: Set(tenant_ids.join(" ")),
        ..Default::default()
    };
    if let Some(name) = &change.name {
        row.name = Set(name.clone());
    }
    if let Some(issuer) = &change.issuer {
        row.issuer_url = Set(issuer.clone());
    }
    if let Some(client_id) = &change.client_id {
        row.client_id = Set(client_id.clone());
    }
    if let Some(secret) = &change.client_secret {
        row.client_secret_ref = Set(secret.reference());
        row.client_secret = Set(match secret {
            ClientSecret::Stored(secret) => secret.clone(),
            ClientSecret::File(_) | ClientSecret::Env(_) => String::new(),
        });
    }
    if let Some(partner) = change.manages_customers {
        row.manages_customers = Set(partner);
    }
    if let Some(upn) = global_admin {
        row.pending_global_admin = Set(Some(upn));
    }
    row.update(&tx).await?;
    if !change.remove_domains.is_empty() {
        org_domain::Entity::delete_many()
            .filter(org_domain::Column::OrgId.eq(org))
            .filter(org_domain::Column::Domain.is_in(change.remove_domains.iter().cloned()))
            .exec(&tx)
            .await?;
    }
    for domain in added {
        org_domain::ActiveModel {
            domain: Set(domain),
            org_id: Set(org),
        }
        .insert(&tx)
        .await?;
    }
    tx.commit().await?;
    tracing::info!(%org, at = %now, "organisation changed by the operator");
    get_organisation(db, org).await
}

/// Deletes an organisation and everything it owns: its domains, users and their sessions,
/// groups, roles, rooms, settings and its audit log (the only table without a foreign key to
/// it). Entries its users left in other organisations' logs stay there: they are those
/// organisations' records. Returns what was removed.
pub async fn remove_organisation(
    db: &(impl ConnectionTrait + TransactionTrait),
    org: OrgId,
) -> Result<OrganisationView, ServiceError> {
    let removed = get_organisation(db, org).await?;
    let tx = super::begin_write(db).await?;
    TenantScope::trusted(org)
        .delete_many::<audit_log::Entity>()
        .exec(&tx)
        .await?;
    // Everything else goes by `ON DELETE CASCADE` (SQLite enforces it: sqlx turns foreign
    // keys on for every connection).
    organisation::Entity::delete_by_id(org).exec(&tx).await?;
    tx.commit().await?;
    tracing::info!(%org, "organisation removed by the operator");
    Ok(removed)
}

/// Every organisation, by name.
pub async fn list_organisations(
    db: &impl ConnectionTrait,
) -> Result<Vec<OrganisationView>, ServiceError> {
    let orgs = organisation::Entity::find()
        .order_by_asc(organisation::Column::Name)
        .order_by_asc(organisation::Column::Id)
        .all(db)
        .await?;
    let mut views = Vec::with_capacity(orgs.len());
    for org in orgs {
        views.push(view(db, org).await?);
    }
    Ok(views)
}

/// The enrollment key user `upn` of `org` downloads with *Download key*, for the operator to set
/// up devices from a script (such as the fleet simulator). The key is that user's and reaches
/// what they may enroll; a user who may not download one is refused as on the Rooms page.
pub async fn enrollment_key_of(
    db: &impl ConnectionTrait,
    org: OrgId,
    upn: &str,
    now: DateTime<Utc>,
) -> Result<String, ServiceError> {
    let found = TenantScope::trusted(org)
        .select::<user::Entity>()
        .filter(user::Column::UpnLower.eq(upn.trim().to_lowercase()))
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let signed_in = SignedIn {
        user: found.id,
        org,
    };
    let actor = identity::load_actor(db, &signed_in, now)
        .await?
        .ok_or(ServiceError::NotFound)?;
    super::settings::enrollment_key(db, &actor, org, now).await
}

pub async fn get_organisation(
    db: &impl ConnectionTrait,
    org: OrgId,
) -> Result<OrganisationView, ServiceError> {
    view(db, identity::get_org(db, org).await?).await
}

/// The organisation an operator means by `key`: its id, or one of its domains.
pub async fn find_organisation(
    db: &impl ConnectionTrait,
    key: &str,
) -> Result<OrgId, ServiceError> {
    let key = key.trim();
    if let Ok(id) = key.parse::<OrgId>() {
        return Ok(identity::get_org(db, id).await?.id);
    }
    identity::find_org_by_domain(db, key)
        .await?
        .map(|org| org.id)
        .ok_or(ServiceError::NotFound)
}

async fn view(
    db: &impl ConnectionTrait,
    org: organisation::Model,
) -> Result<OrganisationView, ServiceError> {
    let users = TenantScope::trusted(org.id)
        .select::<user::Entity>()
        .count(db)
        .await?;
    Ok(OrganisationView {
        id: org.id,
        domains: domains_of(db, org.id).await?,
        client_secret: org
            .client_secret_ref
            .clone()
            .unwrap_or_else(|| "stored".to_owned()),
        tenant_ids: org
            .accepted_tenant_ids
            .split_whitespace()
            .map(str::to_owned)
            .collect(),
        name: org.name,
        issuer: org.issuer_url,
        client_id: org.client_id,
        manages_customers: org.manages_customers,
        users,
        pending_global_admin: org.pending_global_admin,
        is_demo: org.is_demo,
        created_at: org.created_at,
    })
}

async fn domains_of(db: &impl ConnectionTrait, org: OrgId) -> Result<Vec<String>, ServiceError> {
    Ok(org_domain::Entity::find()
        .filter(org_domain::Column::OrgId.eq(org))
        .order_by_asc(org_domain::Column::Domain)
        .all(db)
        .await?
        .into_iter()
        .map(|d| d.domain)
        .collect())
}

fn invalid(field: &str, message: impl Into<String>) -> ServiceError {
    ServiceError::Invalid(ValidationError::new(field, message))
}

/// A domain routes sign-ins to exactly one organisation.
async fn ensure_domains_free(
    db: &impl ConnectionTrait,
    field: &str,
    domains: &[String],
    except: Option<OrgId>,
) -> Result<(), ServiceError> {
    for domain in domains {
        let Some(owner) = identity::find_org_by_domain(db, domain).await? else {
            continue;
        };
        if Some(owner.id) != except {
            return Err(invalid(
                field,
                format!(
                    "{domain} already belongs to {} ({}); a domain signs in to one organisation only. Remove it there first: server org update {} --remove-domain {domain}",
                    owner.name, owner.id, owner.id
                ),
            ));
        }
    }
    Ok(())
}

async fn check_issuer(discovery: &impl IssuerDiscovery, issuer: &str) -> Result<(), ServiceError> {
    let document = format!(
        "{}/.well-known/openid-configuration",
        issuer.trim_end_matches('/')
    );
    match discovery.discovered_issuer(issuer).await {
        Ok(found) if found == issuer => Ok(()),
        Ok(found) => {
            // Entra's /common and /organizations documents name a placeholder issuer.
            let hint = if found.contains("{tenantid}") {
                " For Entra ID use the tenant-specific issuer https://login.microsoftonline.com/<tenant id>/v2.0."
            } else {
                ""
            };
            Err(invalid(
                "issuer",
                format!("{document} names the issuer {found:?}, not {issuer:?}; ID tokens would never match. Give --issuer exactly as the identity provider names itself.{hint}"),
            ))
        }
        Err(why) => Err(invalid(
            "issuer",
            format!("Cannot read the discovery document {document}: {why}. Check --issuer and that this machine reaches the identity provider."),
        )),
    }
}

/// Why a client secret kept outside the database cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("cannot read the client secret file {path}: {source}")]
    File {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the client secret file {0} is empty, longer than 4 KiB or not UTF-8")]
    FileContent(String),
    #[error("the environment variable {0} that holds the client secret is not set")]
    Env(String),
    #[error("the stored client secret reference {0:?} is neither file: nor env:")]
    Reference(String),
}

/// The largest client secret file read: secrets are short, and a path to a device or a huge
/// file must not stall a sign-in.
const MAX_SECRET_FILE: u64 = 4096;

/// The organisation's client secret: stored, or read now from its file or environment variable,
/// so a rotated secret counts from the next sign-in without a restart.
pub fn client_secret(org: &organisation::Model) -> Result<String, SecretError> {
    match &org.client_secret_ref {
        None => Ok(org.client_secret.clone()),
        Some(reference) => match ClientSecret::from_reference(reference) {
            Some(secret) => read_secret(&secret),
            None => Err(SecretError::Reference(reference.clone())),
        },
    }
}

/// For the sign-in routes: the secret, or an empty one after logging why. The identity
/// provider then refuses the code exchange and the user sees that sign-in failed.
pub fn sign_in_client_secret(org: &organisation::Model) -> String {
    client_secret(org).unwrap_or_else(|e| {
        tracing::error!(org = %org.id, error = %e, "client secret unavailable; sign-ins to this organisation fail");
        String::new()
    })
}

/// Reads a secret given by reference (a stored one is returned as it is).
pub fn read_secret(secret: &ClientSecret) -> Result<String, SecretError> {
    match secret {
        ClientSecret::Stored(secret) => Ok(secret.clone()),
        ClientSecret::Env(var) => std::env::var(var)
            .ok()
            .filter(|v| !v.is_empty())
            .ok_or_else(|| SecretError::Env(var.clone())),
        ClientSecret::File(path) => {
            let mut text = String::new();
            std::fs::File::open(path)
                .and_then(|f| f.take(MAX_SECRET_FILE + 1).read_to_string(&mut text))
                .map_err(|source| match source.kind() {
                    std::io::ErrorKind::InvalidData => SecretError::FileContent(path.clone()),
                    _ => SecretError::File {
                        path: path.clone(),
                        source,
                    },
                })?;
            // Files usually end with a newline that is not part of the secret.
            let secret = text.trim_end_matches(['\r', '\n']);
            if secret.is_empty() || text.len() as u64 > MAX_SECRET_FILE {
                return Err(SecretError::FileContent(path.clone()));
            }
            Ok(secret.to_owned())
        }
    }
}

/// Makes `user` a Global admin if the operator named their UPN as the organisation's first
/// Global admin and nobody has taken it yet; called at sign-in with the identity the
/// organisation's issuer verified (the UPN's domain was checked to be the organisation's when
/// the operator named it). Exactly one sign-in takes it, even when two arrive at once.
pub async fn claim_first_admin(
    db: &(impl ConnectionTrait + TransactionTrait),
    org: &organisation::Model,
    user: UserId,
    upn: &str,
    now: DateTime<Utc>,
) -> Result<bool, ServiceError> {
    let upn = upn.trim().to_lowercase();
    if org.pending_global_admin.as_deref() != Some(upn.as_str()) {
        return Ok(false);
    }
    let tx = super::begin_write(db).await?;
    let taken = organisation::Entity::update_many()
        .col_expr(
            organisation::Column::PendingGlobalAdmin,
            Expr::value(Option::<String>::None),
        )
        .filter(organisation::Column::Id.eq(org.id))
        .filter(organisation::Column::PendingGlobalAdmin.eq(upn.as_str()))
        .exec(&tx)
        .await?;
    if taken.rows_affected != 1 {
        return Ok(false);
    }
    let scope = TenantScope::trusted(org.id);
    let holds = scope
        .select::<org_role_assignment::Entity>()
        .filter(org_role_assignment::Column::Role.eq(OrgRole::GlobalAdmin))
        .filter(org_role_assignment::Column::UserId.eq(user))
        .count(&tx)
        .await?
        > 0;
    if !holds {
        org_roles::grant_first_global_admin(&tx, org.id, user, now).await?;
    }
    let actor = identity::load_actor(&tx, &SignedIn { user, org: org.id }, now)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let object = format!("{}: {upn}", OrgRole::GlobalAdmin.label());
    Attempt::new(
        &actor,
        Category::Assignment,
        Operation::Create,
        &object,
        now,
    )
    .record(&tx, &scope)
    .await?;
    tx.commit().await?;
    tracing::info!(org = %org.id, %user, "first Global admin bound at sign-in");
    Ok(true)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn org_with(secret: &str, reference: Option<String>) -> organisation::Model {
        organisation::Model {
            id: OrgId::new(),
            name: "Tailspin Toys".into(),
            manages_customers: false,
            issuer_url: "http://127.0.0.1:4013".into(),
            client_id: "rooms".into(),
            client_secret: secret.into(),
            accepted_tenant_ids: String::new(),
            client_secret_ref: reference,
            pending_global_admin: None,
            is_demo: false,
            created_at: Utc::now(),
        }
    }

    #[test]
    fn secrets_are_read_from_the_database_a_file_or_the_environment_at_each_call() {
        assert_eq!(
            client_secret(&org_with("db-secret", None)).unwrap(),
            "db-secret"
        );

        let dir = std::env::temp_dir().join(format!("rooms-secret-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("secret");
        std::fs::write(&file, "from-file\n").unwrap();
        let org = org_with("", Some(format!("file:{}", file.display())));
        assert_eq!(client_secret(&org).unwrap(), "from-file");
        std::fs::write(&file, "rotated\r\n").unwrap();
        assert_eq!(client_secret(&org).unwrap(), "rotated");
        std::fs::write(&file, "\n").unwrap();
        assert!(matches!(
            client_secret(&org),
            Err(SecretError::FileContent(_))
        ));
        std::fs::write(&file, "x".repeat(5000)).unwrap();
        assert!(matches!(
            client_secret(&org),
            Err(SecretError::FileContent(_))
        ));
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(matches!(client_secret(&org), Err(SecretError::File { .. })));
        assert_eq!(sign_in_client_secret(&org), "");

        let var = format!("ROOMS_TEST_SECRET_{}", uuid::Uuid::new_v4().simple());
        let org = org_with("", Some(format!("env:{var}")));
        assert!(matches!(client_secret(&org), Err(SecretError::Env(_))));
        // The variable's name is unique to this test: no other test reads or writes it.
        std::env::set_var(&var, "from-env");
        assert_eq!(client_secret(&org).unwrap(), "from-env");

        let org = org_with("", Some("vault:x".into()));
        assert!(matches!(
            client_secret(&org),
            Err(SecretError::Reference(_))
        ));
    }
}
