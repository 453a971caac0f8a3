//! *Settings > General* (service settings) and the enrollment key, kept in one row per
//! organisation, and the device side of the key: enrollment.

use super::audit::{Attempt, Category, Operation};
use super::identity::load_actor;
use super::membership::{facts, group_defs, room_resource};
use super::sha256_hex;
use crate::domain::authz::{Action, Actor, Resource};
use crate::domain::ids::{OrgId, RoomId, UserId};
use crate::domain::rooms::{Enrollment, Health, Platform, ServiceSettings};
use crate::domain::validation::Valid;
use crate::server::context::SignedIn;
use crate::server::entity::{org_settings, room};
use crate::server::error::ServiceError;
use crate::server::scope::TenantScope;
use base64::Engine;
use chrono::{DateTime, Utc};
use rand::RngCore;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel,
    QueryFilter, Set, TransactionSession, TransactionTrait,
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
    let tx = super::begin_write(db).await?;
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
/// `Action::DownloadEnrollmentKey` over some rooms. The key is the actor's own: it enrolls only
/// what the actor may enroll at the moment a device uses it (see [`enroll`]).
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
    let secret = row(db, &scope, now).await?.enrollment_key;
    Ok(HolderKey::of(actor, org).sign(&secret))
}

/// Who an enrollment key belongs to: the organisation it enrolls into and the person who
/// downloaded it. The key is this, signed with the organisation's secret (HMAC-SHA256), so that
/// it cannot be forged or widened, and every key of the organisation ends when the secret is
/// reset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct HolderKey {
    org: OrgId,
    holder_org: OrgId,
    holder: UserId,
}

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

impl HolderKey {
    fn of(actor: &Actor, org: OrgId) -> Self {
        Self {
            org,
            holder_org: actor.org,
            holder: actor.user,
        }
    }

    /// `rek_` + the three ids in hex + `.` + the signature.
    fn text(&self) -> String {
        format!(
            "rek_{}{}{}",
            self.org.0.simple(),
            self.holder_org.0.simple(),
            self.holder.0.simple()
        )
    }

    fn mac(&self, secret: &str) -> HmacSha256 {
        use hmac::Mac;
        // HMAC takes keys of any length; this cannot fail.
        let mut mac = HmacSha256::new_from_slice(secret.as_bytes())
            .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
        mac.update(self.text().as_bytes());
        mac
    }

    fn sign(&self, secret: &str) -> String {
        use hmac::Mac;
        let tag = self.mac(secret).finalize().into_bytes();
        format!(
            "{}.{}",
            self.text(),
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(tag)
        )
    }

    /// The holder a key names, before its signature is checked.
    fn parse(key: &str) -> Option<(Self, Vec<u8>)> {
        let (text, tag) = key.strip_prefix("rek_")?.split_once('.')?;
        if text.len() != 96 || !text.is_ascii() {
            return None;
        }
        let id = |i: usize| uuid::Uuid::try_parse(&text[i * 32..(i + 1) * 32]).ok();
        let parsed = Self {
            org: OrgId(id(0)?),
            holder_org: OrgId(id(1)?),
            holder: UserId(id(2)?),
        };
        let tag = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(tag)
            .ok()?;
        Some((parsed, tag))
    }

    /// Whether `tag` is this holder's signature under `secret`, compared in constant time.
    fn verify(&self, secret: &str, tag: &[u8]) -> bool {
        use hmac::Mac;
        self.mac(secret).verify_slice(tag).is_ok()
    }
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
    let secret = new_secret("res_");
    let tx = super::begin_write(db).await?;
    let mut active = current.into_active_model();
    active.enrollment_key = Set(secret.clone());
    active.key_rotated_at = Set(now);
    active.update(&tx).await?;
    attempt.record(&tx, &scope).await?;
    tx.commit().await?;
    Ok(HolderKey::of(actor, org).sign(&secret))
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
    #[error("the key's holder may not enroll this room")]
    OutOfReach,
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl From<DbErr> for EnrollError {
    fn from(err: DbErr) -> Self {
        EnrollError::Service(err.into())
    }
}

/// Enrolls a device with a holder's key: finds the room by resource account (creating it if the
/// organisation has none), issues a new device credential and revokes the previous one.
///
/// # Authorization
/// As the key's holder, now: `Action::DownloadEnrollmentKey` on the room to re-enroll it, or on
/// the organisation (a grant over all rooms) to create one. The key is only as wide as the reach
/// of whoever downloaded it, as that reach stands at the moment of enrollment. Every enrollment,
/// and every refused one, is in the organisation's audit log under the holder's name.
pub async fn enroll(
    db: &(impl ConnectionTrait + TransactionTrait),
    key: &str,
    device: DeviceEnrollment,
    now: DateTime<Utc>,
) -> Result<(RoomId, String), EnrollError> {
    let (holder, tag) = HolderKey::parse(key).ok_or(EnrollError::BadKey)?;
    // The signature is checked before anything about the holder is read.
    let settings = TenantScope::describing(holder.org)
        .select::<org_settings::Entity>()
        .one(db)
        .await?
        .ok_or(EnrollError::BadKey)?;
    if !holder.verify(&settings.enrollment_key, &tag) {
        return Err(EnrollError::BadKey);
    }
    let signed_in = SignedIn {
        user: holder.holder,
        org: holder.holder_org,
    };
    // A holder who has left the directory holds nothing.
    let actor = load_actor(db, &signed_in, now)
        .await?
        .ok_or(EnrollError::BadKey)?;
    let look = TenantScope::describing(holder.org);
    let existing = look
        .select::<room::Entity>()
        .filter(room::Column::ResourceAccount.eq(device.resource_account.clone()))
        .one(db)
        .await?;
    let (resource, operation, object) = match &existing {
        Some(found) => {
            let defs = group_defs(db, &look).await?;
            let resource = room_resource(&facts(found), holder.org, &defs);
            let object = format!("{}: device re-enrolled", found.display_name);
            (resource, Operation::Update, object)
        }
        None => {
            let object = format!("{}: device enrolled", device.display_name);
            (Resource::Org(holder.org), Operation::Create, object)
        }
    };
    let attempt = Attempt::new(&actor, Category::Room, operation, &object, now);
    let scope = match attempt
        .authorize(db, Action::DownloadEnrollmentKey, &resource)
        .await
    {
        Ok(scope) => scope,
        Err(ServiceError::Forbidden(_) | ServiceError::NotFound) => {
            return Err(EnrollError::OutOfReach)
        }
        Err(other) => return Err(other.into()),
    };
    let token = new_secret("rdt_");
    let hash = sha256_hex(&token);
    let tx = super::begin_write(db).await?;
    let id = match existing {
        Some(found) => {
            let id = found.id;
            let mut active = found.into_active_model();
            active.enrollment = Set(Enrollment::Enrolled);
            active.platform = Set(device.platform);
            active.device_token_hash = Set(Some(hash));
            // The new device's heartbeats are ordered by its own clock.
            active.signals_at = Set(None);
            active.updated_at = Set(now);
            active.update(&tx).await?;
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
                signals_at: Set(None),
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
    attempt.record(&tx, &scope).await?;
    tx.commit().await?;
    Ok((id, token))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_names_its_holder_and_cannot_be_altered() {
        let holder = HolderKey {
            org: OrgId::new(),
            holder_org: OrgId::new(),
            holder: UserId::new(),
        };
        let key = holder.sign("res_secret");
        let (parsed, tag) = HolderKey::parse(&key).unwrap_or_else(|| panic!("{key}"));
        assert_eq!(parsed, holder);
        assert!(parsed.verify("res_secret", &tag));
        assert!(
            !parsed.verify("res_other", &tag),
            "a reset secret ends the key"
        );
        let other = HolderKey {
            holder: UserId::new(),
            ..holder
        };
        assert!(
            !other.verify("res_secret", &tag),
            "the signature binds the holder"
        );
        for bad in [
            "",
            "rek_",
            "rek_x.y",
            &key.replace('.', ""),
            &format!("{key}é"),
        ] {
            assert!(HolderKey::parse(bad).is_none_or(|(k, t)| !k.verify("res_secret", &t)));
        }
    }
}
