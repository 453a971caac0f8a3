//! "Search for the user or security group": the searcher's own organisation only, by display
//! name (any word) or UPN prefix, case-insensitive, 20 at most.

use crate::domain::authz::{Action, Actor, Resource};
use crate::domain::directory::{Principal, PrincipalView};
use crate::domain::ids::OrgId;
use crate::domain::validation::SearchTerm;
use crate::server::entity::{security_group, user};
use crate::server::error::ServiceError;
use crate::server::scope::TenantScope;
use sea_orm::sea_query::{Expr, ExprTrait, LikeExpr};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, QueryFilter, QueryOrder, QuerySelect};

pub const MAX_RESULTS: u64 = 20;

/// Which principals a picker offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kinds {
    UsersAndGroups,
    UsersOnly,
}

/// # Authorization
/// `Action::SearchDirectory` on the organisation.
pub async fn search_directory(
    db: &impl ConnectionTrait,
    actor: &Actor,
    org: OrgId,
    term: &SearchTerm,
    kinds: Kinds,
) -> Result<Vec<PrincipalView>, ServiceError> {
    let scope = TenantScope::authorize(actor, Action::SearchDirectory, &Resource::Org(org))?;
    if term.is_empty() {
        return Ok(vec![]);
    }
    let prefix = super::like_escaped(term.as_str());
    let starts = LikeExpr::new(format!("{prefix}%")).escape('\\');
    let word = LikeExpr::new(format!("% {prefix}%")).escape('\\');
    let users = scope
        .select::<user::Entity>()
        .filter(
            Condition::any()
                .add(Expr::col(user::Column::NameLower).like(starts.clone()))
                .add(Expr::col(user::Column::NameLower).like(word.clone()))
                .add(Expr::col(user::Column::UpnLower).like(starts.clone())),
        )
        .order_by_asc(user::Column::NameLower)
        .limit(MAX_RESULTS)
        .all(db)
        .await?;
    let mut found: Vec<PrincipalView> = users
        .into_iter()
        .map(|u| PrincipalView {
            principal: Principal::User(u.id),
            name: u.display_name,
            detail: u.upn,
        })
        .collect();
    if kinds == Kinds::UsersAndGroups {
        let groups = scope
            .select::<security_group::Entity>()
            .filter(
                Condition::any()
                    .add(Expr::col(security_group::Column::NameLower).like(starts))
                    .add(Expr::col(security_group::Column::NameLower).like(word)),
            )
            .order_by_asc(security_group::Column::NameLower)
            .limit(MAX_RESULTS)
            .all(db)
            .await?;
        found.extend(groups.into_iter().map(|g| PrincipalView {
            principal: Principal::Group(g.id),
            name: g.name,
            detail: "Security group".to_owned(),
        }));
        found.sort_by_key(|p| p.name.to_lowercase());
        found.truncate(MAX_RESULTS as usize);
    }
    Ok(found)
}

/// Names of principals, for views. Unknown (or other organisations') IDs are left out.
pub(crate) async fn describe(
    db: &impl ConnectionTrait,
    scope: &TenantScope,
    principals: &[Principal],
) -> Result<Vec<PrincipalView>, ServiceError> {
    let user_ids: Vec<_> = principals
        .iter()
        .filter_map(|p| match p {
            Principal::User(id) => Some(*id),
            Principal::Group(_) => None,
        })
        .collect();
    let group_ids: Vec<_> = principals
        .iter()
        .filter_map(|p| match p {
            Principal::Group(id) => Some(*id),
            Principal::User(_) => None,
        })
        .collect();
    let users = scope
        .select::<user::Entity>()
        .filter(user::Column::Id.is_in(user_ids))
        .all(db)
        .await?;
    let groups = scope
        .select::<security_group::Entity>()
        .filter(security_group::Column::Id.is_in(group_ids))
        .all(db)
        .await?;
    let mut views: Vec<PrincipalView> = users
        .into_iter()
        .map(|u| PrincipalView {
            principal: Principal::User(u.id),
            name: u.display_name,
            detail: u.upn,
        })
        .chain(groups.into_iter().map(|g| PrincipalView {
            principal: Principal::Group(g.id),
            name: g.name,
            detail: "Security group".to_owned(),
        }))
        .collect();
    views.sort_by_key(|p| p.name.to_lowercase());
    Ok(views)
}
