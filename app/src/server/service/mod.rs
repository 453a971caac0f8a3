//! Services: plain async functions over `&impl ConnectionTrait` with the actor and `now` passed
//! in. Each authorizes first, goes through `TenantScope` for tenant-owned rows, and writes its
//! audit entry in the same transaction as its change.

pub mod approvals;
pub mod audit;
pub mod directory;
pub mod groups;
pub mod health;
pub mod identity;
pub mod membership;
pub mod operator;
pub mod org_roles;
pub mod overview;
pub mod partners;
pub mod reports;
pub mod roles;
pub mod room_groups;
pub mod rooms;
pub mod settings;
pub mod tickets;

use sea_orm::sea_query::LikeExpr;
use sea_orm::{DbErr, SqliteTransactionMode, TransactionOptions, TransactionTrait};
use sha2::{Digest, Sha256};

/// Text a user typed, for a `LIKE` pattern over a lowercased column: lowercased, with `%`, `_`
/// and `\\` escaped so they match themselves (the pattern must say `ESCAPE '\\'`: SQLite has no
/// default escape character).
pub(crate) fn like_escaped(term: &str) -> String {
    term.to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// "Contains `term`", for a search box over lowercased text.
pub(crate) fn contains(term: &str) -> LikeExpr {
    LikeExpr::new(format!("%{}%", like_escaped(term))).escape('\\')
}

/// Hex SHA-256, used to store secrets (session tokens, login state) by their hash only.
pub(crate) fn sha256_hex(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Begins a transaction that will write. On SQLite it takes the write lock at once
/// (`BEGIN IMMEDIATE`), so a second writer, from this pool or another instance on the same
/// file, waits its turn (the busy timeout). A plain `BEGIN` reads first and asks for the lock
/// at its first write, and SQLite refuses that at once ("database is locked") when another
/// writer committed in between, without waiting. PostgreSQL ignores the mode.
pub async fn begin_write<C: TransactionTrait>(db: &C) -> Result<C::Transaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}
