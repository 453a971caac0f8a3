//! *Settings > General* (service settings) and the enrollment key, kept in one row per
//! organisation, and the device side of the key: enrollment.

use super::audit::{Attempt, Category, Operation};
use super::sha256_hex;
use crate::domain::authz::{Action, Actor, Resource};
use crate::domain::ids::{OrgId, RoomId};
use crate::domain::rooms::{Enrollment, Health, Platform, ServiceSettings};
use crate::domain::validation::Valid;
use crate::server::entity::{org_settings, room};
use crate::server::error::ServiceError;
use crate::server::scope::TenantScope;
use base64::Engine;
use chrono::{DateTime, Utc};
use rand::RngCore;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, Set,
    TransactionSession, TransactionTrait,
};

/// A fresh secret: 32 random bytes, URL-safe base64 with a prefix that says what it is.
fn new_secret(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!(
        "{prefix}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

/// The organisation's settings row, created with defaults and a fresh key the first time.
async fn row(
    db: &impl ConnectionTrait,
    scope: &TenantScope,
    now: DateTime<Utc>,
) -> Result<org_settings::Model, ServiceError> {
    if let Some(found) = scope.select::<org_settings::Entity>().one(db).await? {
        return Ok(found);
    }
    let defaults = ServiceSettings::default();
    let created = org_settings::ActiveModel {
        org_id: Set(scope.org()),
        notification_email: Set(defaults.notification_email),
        maintenance_start: Set(defaults.maintenance_start),
        maintenance_hours: Set(defaults.maintenance_hours as i32),
        offline_after_minutes: Set(defaults.offline_after_minutes as i32),
        enrollment_key: Set(new_secret("rek_")),
        key_rotated_at: Set(now),
        updated_at: Set(now),
    };
    if let Err(err) = org_settings::Entity::insert(created).exec(db).await {
        match ServiceError::from(err) {
            // Two first requests at once: the other one created it.
            ServiceError::Conflict(_) => {}
            other => return Err(other),
        }
    }
    scope
        .select::<org_settings::Entity>()
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)
}

fn view(row: &org_settings::Model) -> ServiceSettings {
    ServiceSettings {
        notification_email: row.notification_email.clone(),
        maintenance_start: row.maintenance_start.clone(),
        maintenance_hours: u32::try_from(row.maintenance_hours).unwrap_or(0),
        offline_after_minutes: u32::try_from(row.offline_after_minutes).unwrap_or(0),
    }
}

/// # Authorization
/// `Action::ViewSettings` on the organisation.
pub async fn get_settings(
    db: &impl ConnectionTrait,
    actor: &Actor,
    org: OrgId,
    now: DateTime<Utc>,
) -> Result<ServiceSettings, ServiceError> {
    let scope = TenantScope::authorize(actor, Action::ViewSettings, &Resource::Org(org))?;
    Ok(view(&row(db, &scope, now).await?))
}

/// # Authorization
/// `Action::ModifySettings` on the organisation.
pub async fn update_settings(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    org: OrgId,
    settings: Valid<ServiceSettings>,
    now: DateTime<Utc>,
) -> Result<ServiceSettings, ServiceError> {
    let attempt = Attempt::new(
        actor,
        Category::Settings,
        Operation::Update,
        "Service settings",
        now,
    );
    let scope = attempt
        .authorize(db, Action::ModifySettings, &Resource::Org(org))
        .await?;
    let current = row(db, &scope, now).await?;
    let s = settings.get();
    let tx = db.begin().await?;
    let mut active = current.into_active_model();
    active.notification_email = Set(s.notification_email.clone());
    active.maintenance_start = Set(s.maintenance_start.clone());
    active.maintenance_hours = Set(s.maintenance_hours as i32);
    active.offline_after_minutes = Set(s.offline_after_minutes as i32);
    active.updated_at = Set(now);
    let saved = active.update(&tx).await?;
    attempt.record(&tx, &scope).await?;
    tx.commit().await?;
    Ok(view(&saved))
}

/// # Authorization
/// `Action::DownloadEnrollmentKey` over some rooms (a Site Tech enrolls the rooms of their site
/// with the organisation's key).
pub async fn enrollment_key(
    db: &impl ConnectionTrait,
    actor: &Actor,
    org: OrgId,
    now: DateTime<Utc>,
) -> Result<String, ServiceError> {
    let scope = TenantScope::authorize(
        actor,
        Action::DownloadEnrollmentKey,
        &Resource::SomeRooms(org),
    )?;
    Ok(row(db, &scope, now).await?.enrollment_key)
}

/// # Authorization
/// `Action::ResetEnrollmentKey` on the organisation. The old key stops working with this commit.
pub async fn reset_enrollment_key(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    org: OrgId,
    now: DateTime<Utc>,
) -> Result<String, ServiceError> {
    let attempt = Attempt::new(
        actor,
        Category::Settings,
        Operation::Update,
        "Enrollment key",
        now,
    );
    let scope = attempt
        .authorize(db, Action::ResetEnrollmentKey, &Resource::Org(org))
        .await?;
    let current = row(db, &scope, now).await?;
    let key = new_secret("rek_");
    let tx = db.begin().await?;
    let mut active = current.into_active_model();
    active.enrollment_key = Set(key.clone());
    active.key_rotated_at = Set(now);
    active.update(&tx).await?;
    attempt.record(&tx, &scope).await?;
    tx.commit().await?;
    Ok(key)
}

/// What a device sends to enroll (section 8 of the specification).
#[derive(Clone, Debug)]
pub struct DeviceEnrollment {
    pub resource_account: String,
    pub display_name: String,
    pub platform: Platform,
}

#[derive(Debug, thiserror::Error)]
pub enum EnrollError {
    #[error("unknown or reset enrollment key")]
    BadKey,
    #[error(transparent)]
    Service(#[from] ServiceError),
}

/// Enrolls a device with an organisation's key: finds the room by resource account (creating
/// it if the organisation has none), issues a new device credential and revokes the previous
/// one. The organisation is established by the key, not by a user.
pub async fn enroll(
    db: &(impl ConnectionTrait + TransactionTrait),
    key: &str,
    device: DeviceEnrollment,
    now: DateTime<Utc>,
) -> Result<(RoomId, String), EnrollError> {
    let settings = org_settings::Entity::find()
        .filter(org_settings::Column::EnrollmentKey.eq(key))
        .one(db)
        .await
        .map_err(ServiceError::from)?
        .ok_or(EnrollError::BadKey)?;
    let scope = TenantScope::trusted(settings.org_id);
    let token = new_secret("rdt_");
    let hash = sha256_hex(&token);
    let tx = db.begin().await.map_err(ServiceError::from)?;
    let existing = scope
        .select::<room::Entity>()
        .filter(room::Column::ResourceAccount.eq(device.resource_account.clone()))
        .one(&tx)
        .await
        .map_err(ServiceError::from)?;
    let id = match existing {
        Some(found) => {
            let id = found.id;
            let mut active = found.into_active_model();
            active.enrollment = Set(Enrollment::Enrolled);
            active.platform = Set(device.platform);
            active.device_token_hash = Set(Some(hash));
            active.updated_at = Set(now);
            active.update(&tx).await.map_err(ServiceError::from)?;
            id
        }
        None => {
            let id = RoomId::new();
            room::ActiveModel {
                id: Set(id),
                org_id: Set(scope.org()),
                display_name: Set(device.display_name.clone()),
                name_lower: Set(device.display_name.to_lowercase()),
                resource_account: Set(device.resource_account.clone()),
                site: Set("Unassigned".into()),
                city: Set(String::new()),
                // ZZ: the ISO 3166 user-assigned code for "unknown", until someone sets it.
                country: Set("ZZ".into()),
                platform: Set(device.platform),
                enrollment: Set(Enrollment::Enrolled),
                health: Set(Health::Unknown),
                last_heartbeat: Set(None),
                update_ring_id: Set(None),
                device_token_hash: Set(Some(hash)),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(&tx)
            .await
            .map_err(ServiceError::from)?;
            id
        }
    };
    tx.commit().await.map_err(ServiceError::from)?;
    Ok((id, token))
}
