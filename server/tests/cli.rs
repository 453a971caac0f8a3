//! `server org add|list|update|remove` as an operator runs them: the real binary, against a
//! SQLite file in a temporary directory, or a fresh PostgreSQL database when
//! `TEST_DATABASE_URL` names a server. Issuers are tiny discovery documents served by the test
//! itself on 127.0.0.1.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use app::domain::authz::OrgRole;
use app::domain::ids::OrgId;
use app::server::context::SignedIn;
use app::server::entity::{
    audit_log, group_member, login_attempt, org_domain, org_role_assignment, org_settings,
    organisation, role, role_assignment, role_assignment_member, role_assignment_scope,
    role_permission, room, room_group, room_group_member, security_group, session, update_ring,
    user,
};
use app::server::service::identity::{self, VerifiedIdentity};
use axum::extract::Path;
use axum::routing::get;
use axum::{Json, Router};
use sea_orm::{
    ColumnTrait, ConnectOptions, Database, DatabaseConnection, EntityTrait, PaginatorTrait,
    QueryFilter,
};
use serde_json::{json, Value};
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

/// A database of its own for one test, and a directory for its files.
struct Env {
    url: String,
    dir: PathBuf,
}

impl Env {
    async fn new(label: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "rooms-cli-{label}-{}",
            uuid::Uuid::new_v4().simple()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let url = match support::postgres_database(&format!("cli_{label}")).await {
            Some((url, _)) => url,
            None => format!("sqlite://{}?mode=rwc", dir.join("rooms.db").display()),
        };
        Self { url, dir }
    }

    async fn db(&self) -> DatabaseConnection {
        let mut options = ConnectOptions::new(self.url.clone());
        options.max_connections(4).sqlx_logging(false);
        Database::connect(options).await.unwrap()
    }

    /// Runs the server binary with `args`, `stdin` on its standard input.
    async fn run(&self, args: &[&str], stdin: &str) -> Output {
        let mut command = Command::new(env!("CARGO_BIN_EXE_server"));
        command
            .args(args)
            .env("DATABASE_URL", &self.url)
            .env("ROOMS_PUBLIC_URL", "https://rooms.example")
            .env_remove("RUST_LOG")
            .current_dir(&self.dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let stdin = stdin.to_owned();
        tokio::task::spawn_blocking(move || {
            let mut child = command.spawn().unwrap();
            child
                .stdin
                .take()
                .unwrap()
                .write_all(stdin.as_bytes())
                .unwrap();
            child.wait_with_output().unwrap()
        })
        .await
        .unwrap()
    }

    /// Runs a command expected to succeed; its standard output.
    async fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args, "").await;
        assert!(
            out.status.success(),
            "{args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Runs a command expected to fail with `code`; its standard error.
    async fn fails(&self, args: &[&str], code: i32) -> String {
        let out = self.run(args, "").await;
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(code), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?} printed a result");
        stderr
    }

    async fn list(&self) -> Vec<Value> {
        let text = self.ok(&["org", "list", "--json"]).await;
        serde_json::from_str::<Vec<Value>>(&text).unwrap()
    }

    fn secret_file(&self, name: &str, secret: &str) -> String {
        let path = self.dir.join(name);
        std::fs::write(&path, format!("{secret}\n")).unwrap();
        path.display().to_string()
    }
}

impl Drop for Env {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// `org add` of Wingtip Toys with its issuer and client id, then `rest`.
fn wingtip<'a>(issuer: &'a str, rest: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "org",
        "add",
        "Wingtip Toys",
        "--domain",
        "wingtiptoys.com",
        "--issuer",
        issuer,
        "--client-id",
        "rooms",
    ];
    args.extend_from_slice(rest);
    args
}

/// Serves discovery documents on 127.0.0.1: `/` is an issuer that names itself; `/{name}` names
/// `http://127.0.0.1:PORT/{name}-elsewhere` (a mismatch); `/common` names Entra's placeholder.
async fn issuer_server() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let metadata = |issuer: String| {
        json!({
            "issuer": issuer,
            "authorization_endpoint": format!("{issuer}/auth"),
            "token_endpoint": format!("{issuer}/token"),
            "jwks_uri": format!("{issuer}/jwks"),
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
        })
    };
    let (root, named, common) = (base.clone(), base.clone(), base.clone());
    let app = Router::new()
        .route(
            "/.well-known/openid-configuration",
            get(move || {
                let doc = metadata(root.clone());
                async move { Json(doc) }
            }),
        )
        .route(
            "/common/.well-known/openid-configuration",
            get(move || {
                let doc = metadata(format!("{common}/{{tenantid}}/v2.0"));
                async move { Json(doc) }
            }),
        )
        .route(
            "/{name}/.well-known/openid-configuration",
            get(move |Path(name): Path<String>| {
                let doc = metadata(format!("{named}/{name}-elsewhere"));
                async move { Json(doc) }
            }),
        );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    base
}

/// A port nothing listens on.
fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn org_row(db: &DatabaseConnection, domain: &str) -> organisation::Model {
    identity::find_org_by_domain(db, domain)
        .await
        .unwrap()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_adds_lists_updates_and_removes_organisations() {
    let env = Env::new("flow").await;
    let issuer = issuer_server().await;
    let secret = env.secret_file("tailspin.secret", "tailspin-file-secret");

    let help = env.ok(&["org", "add", "--help"]).await;
    for flag in [
        "--domain",
        "--issuer",
        "--client-id",
        "--client-secret-file",
        "--client-secret-env",
        "--client-secret-stdin",
        "--tenant-id",
        "--manages-customers",
        "--global-admin",
        "--json",
    ] {
        assert!(help.contains(flag), "org add --help lacks {flag}");
    }
    assert_eq!(env.list().await, Vec::<Value>::new());
    assert!(env
        .ok(&["org", "list"])
        .await
        .contains("No organisations yet"));

    let added = env
        .ok(&[
            "org",
            "add",
            "Tailspin Toys",
            "--domain",
            "TailspinToys.com",
            "--domain",
            "tailspin.example",
            "--issuer",
            &issuer,
            "--client-id",
            "rooms-tailspin",
            "--client-secret-file",
            &secret,
            "--tenant-id",
            "0b4f5b1e-2f0a-4a8e-9d7c-3e1f2a6b9c01",
            "--global-admin",
            "Kim@TailspinToys.com",
            "--json",
        ])
        .await;
    let added: Value = serde_json::from_str(&added).unwrap();
    assert_eq!(added["name"], "Tailspin Toys");
    assert_eq!(
        added["domains"],
        json!(["tailspin.example", "tailspintoys.com"])
    );
    assert_eq!(added["issuer"], issuer.as_str());
    assert_eq!(added["client_secret"], format!("file:{secret}"));
    assert_eq!(
        added["tenant_ids"],
        json!(["0b4f5b1e-2f0a-4a8e-9d7c-3e1f2a6b9c01"])
    );
    assert_eq!(added["pending_global_admin"], "kim@tailspintoys.com");
    assert_eq!(added["manages_customers"], false);
    assert_eq!(added["users"], 0);

    // Only the reference is stored; sign-in reads the file.
    let db = env.db().await;
    let row = org_row(&db, "tailspintoys.com").await;
    assert_eq!(row.client_secret, "");
    assert_eq!(row.client_secret_ref, Some(format!("file:{secret}")));
    assert_eq!(
        app::server::service::operator::client_secret(&row).unwrap(),
        "tailspin-file-secret"
    );

    // A domain already taken, whatever its case, is refused and nothing is saved.
    let taken = env
        .fails(
            &[
                "org",
                "add",
                "Wingtip Toys",
                "--domain",
                "wingtiptoys.com",
                "--domain",
                "TAILSPINTOYS.COM",
                "--issuer",
                &issuer,
                "--client-id",
                "rooms",
                "--client-secret-file",
                &secret,
            ],
            1,
        )
        .await;
    assert!(
        taken.contains("--domain: tailspintoys.com already belongs to Tailspin Toys"),
        "{taken}"
    );
    // An issuer whose discovery document names another issuer.
    let wrong = format!("{issuer}/wrong");
    let mismatch = env
        .fails(
            &[
                "org",
                "add",
                "Wingtip Toys",
                "--domain",
                "wingtiptoys.com",
                "--issuer",
                &wrong,
                "--client-id",
                "rooms",
                "--client-secret-file",
                &secret,
            ],
            1,
        )
        .await;
    assert!(
        mismatch.contains(&format!("--issuer: {wrong}/.well-known/openid-configuration names the issuer \"{issuer}/wrong-elsewhere\", not \"{wrong}\"")),
        "{mismatch}"
    );
    // Entra's multi-tenant endpoint gets a hint towards the tenant-specific issuer.
    let common = env
        .fails(
            &[
                "org",
                "add",
                "Wingtip Toys",
                "--domain",
                "wingtiptoys.com",
                "--issuer",
                &format!("{issuer}/common"),
                "--client-id",
                "rooms",
                "--client-secret-file",
                &secret,
            ],
            1,
        )
        .await;
    assert!(common.contains("tenant-specific issuer"), "{common}");
    let unreachable = format!("http://127.0.0.1:{}", closed_port());
    let down = env
        .fails(
            &[
                "org",
                "add",
                "Wingtip Toys",
                "--domain",
                "wingtiptoys.com",
                "--issuer",
                &unreachable,
                "--client-id",
                "rooms",
                "--client-secret-file",
                &secret,
            ],
            1,
        )
        .await;
    assert!(
        down.contains("--issuer: Cannot read the discovery document"),
        "{down}"
    );
    // Flag mistakes are named, with the fix.
    let no_secret = env.fails(&wingtip(&issuer, &[]), 2).await;
    assert!(no_secret.contains("--client-secret-file"), "{no_secret}");
    let two_secrets = env
        .fails(
            &wingtip(
                &issuer,
                &["--client-secret-file", &secret, "--client-secret-env", "X"],
            ),
            2,
        )
        .await;
    assert!(two_secrets.contains("cannot be used with"), "{two_secrets}");
    let missing_file = env
        .fails(
            &wingtip(
                &issuer,
                &["--client-secret-file", "/nonexistent/rooms.secret"],
            ),
            1,
        )
        .await;
    assert!(
        missing_file.contains(
            "--client-secret-file: cannot read the client secret file /nonexistent/rooms.secret"
        ),
        "{missing_file}"
    );
    let bad_domain = env
        .fails(
            &[
                "org",
                "add",
                "Wingtip Toys",
                "--domain",
                "wingtip toys",
                "--issuer",
                &issuer,
                "--client-id",
                "rooms",
                "--client-secret-file",
                &secret,
            ],
            1,
        )
        .await;
    assert!(bad_domain.starts_with("error: --domain: "), "{bad_domain}");
    let foreign_admin = env
        .fails(
            &wingtip(
                &issuer,
                &[
                    "--client-secret-file",
                    &secret,
                    "--global-admin",
                    "kim@tailspintoys.com",
                ],
            ),
            1,
        )
        .await;
    assert!(
        foreign_admin.contains(
            "--global-admin: kim@tailspintoys.com is not on a domain of the organisation"
        ),
        "{foreign_admin}"
    );
    assert_eq!(
        env.list().await.len(),
        1,
        "nothing was saved by the refusals"
    );

    // A secret given on standard input is stored (and never echoed).
    let out = env
        .run(
            &[
                "org",
                "add",
                "Wingtip Toys",
                "--domain",
                "wingtiptoys.com",
                "--issuer",
                &issuer,
                "--client-id",
                "rooms-wingtip",
                "--client-secret-stdin",
                "--manages-customers",
            ],
            "wingtip-stdin-secret\n",
        )
        .await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("Added Wingtip Toys ("), "{stdout}");
    assert!(
        stdout.contains("https://rooms.example/auth/callback"),
        "{stdout}"
    );
    assert!(!stdout.contains("wingtip-stdin-secret"));
    let wingtip = org_row(&db, "wingtiptoys.com").await;
    assert_eq!(
        (
            wingtip.client_secret.as_str(),
            wingtip.client_secret_ref.as_deref()
        ),
        ("wingtip-stdin-secret", None)
    );
    assert!(wingtip.manages_customers);

    let table = env.ok(&["org", "list"]).await;
    let lines: Vec<&str> = table.lines().collect();
    assert!(lines[0].starts_with("ID"), "{table}");
    assert!(
        lines[0].contains("PARTNER") && lines[0].contains("USERS"),
        "{table}"
    );
    assert!(
        lines[1].contains("Tailspin Toys")
            && lines[1].contains("tailspin.example,tailspintoys.com"),
        "{table}"
    );
    assert!(
        lines[2].contains("Wingtip Toys") && lines[2].contains(" yes "),
        "{table}"
    );

    // Update by domain: domains, tenants, partner flag and a secret from the environment.
    let out = env
        .run(
            &[
                "org",
                "update",
                "TAILSPINTOYS.COM",
                "--name",
                "Tailspin Toys Ltd",
                "--add-domain",
                "tailspintoys.co.uk",
                "--remove-domain",
                "tailspin.example",
                "--add-tenant-id",
                "8f0e1c55-7a0b-4c9e-b1d2-54c3a2b1f0e9",
                "--remove-tenant-id",
                "0B4F5B1E-2F0A-4A8E-9D7C-3E1F2A6B9C01",
                "--manages-customers",
                "true",
                "--client-secret-env",
                "ROOMS_TAILSPIN_SECRET_UNSET_HERE",
                "--json",
            ],
            "",
        )
        .await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("note: ROOMS_TAILSPIN_SECRET_UNSET_HERE is not set in this shell"));
    let updated: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(updated["id"], added["id"]);
    assert_eq!(updated["name"], "Tailspin Toys Ltd");
    assert_eq!(
        updated["domains"],
        json!(["tailspintoys.co.uk", "tailspintoys.com"])
    );
    assert_eq!(
        updated["tenant_ids"],
        json!(["8f0e1c55-7a0b-4c9e-b1d2-54c3a2b1f0e9"])
    );
    assert_eq!(updated["manages_customers"], true);
    assert_eq!(
        updated["client_secret"],
        "env:ROOMS_TAILSPIN_SECRET_UNSET_HERE"
    );
    assert!(identity::find_org_by_domain(&db, "tailspin.example")
        .await
        .unwrap()
        .is_none());

    // Refused updates change nothing.
    let id = added["id"].as_str().unwrap();
    let mismatch = env
        .fails(&["org", "update", id, "--issuer", &wrong], 1)
        .await;
    assert!(mismatch.contains("--issuer: "), "{mismatch}");
    let last = env
        .fails(
            &[
                "org",
                "update",
                id,
                "--remove-domain",
                "tailspintoys.com",
                "--remove-domain",
                "tailspintoys.co.uk",
            ],
            1,
        )
        .await;
    assert!(last.contains("keeps at least one domain"), "{last}");
    let stolen = env
        .fails(
            &[
                "org",
                "update",
                "wingtiptoys.com",
                "--add-domain",
                "tailspintoys.com",
            ],
            1,
        )
        .await;
    assert!(
        stolen.contains("--add-domain: tailspintoys.com already belongs to Tailspin Toys Ltd"),
        "{stolen}"
    );
    let nothing = env.fails(&["org", "update", id], 1).await;
    assert!(nothing.contains("Nothing to change"), "{nothing}");
    let unknown = env
        .fails(&["org", "update", "nobody.example", "--name", "X"], 1)
        .await;
    assert!(
        unknown.contains("no organisation has the id or domain \"nobody.example\""),
        "{unknown}"
    );
    let row = org_row(&db, "tailspintoys.com").await;
    assert_eq!(row.issuer_url, issuer);
    assert_eq!(row.name, "Tailspin Toys Ltd");

    // Removal needs --yes.
    let unconfirmed = env.fails(&["org", "remove", "tailspintoys.com"], 1).await;
    assert!(unconfirmed.contains("--yes"), "{unconfirmed}");
    assert_eq!(env.list().await.len(), 2);
    let removed: Value = serde_json::from_str(
        &env.ok(&["org", "remove", "tailspintoys.com", "--yes", "--json"])
            .await,
    )
    .unwrap();
    assert_eq!(removed["id"], added["id"]);
    let left = env.list().await;
    assert_eq!(left.len(), 1);
    assert_eq!(left[0]["name"], "Wingtip Toys");
    assert!(identity::find_org_by_domain(&db, "tailspintoys.com")
        .await
        .unwrap()
        .is_none());
}

/// The tables an organisation owns, with how many of its rows each holds.
async fn owned_rows(db: &DatabaseConnection, org: OrgId) -> Vec<(&'static str, u64)> {
    macro_rules! count {
        ($($entity:ident),*) => {
            vec![$((
                stringify!($entity),
                $entity::Entity::find()
                    .filter($entity::Column::OrgId.eq(org))
                    .count(db)
                    .await
                    .unwrap(),
            )),*]
        };
    }
    count!(
        org_domain,
        user,
        session,
        login_attempt,
        security_group,
        group_member,
        org_role_assignment,
        audit_log,
        org_settings,
        update_ring,
        room,
        room_group,
        room_group_member,
        role,
        role_permission,
        role_assignment,
        role_assignment_member,
        role_assignment_scope
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn removing_an_organisation_deletes_everything_it_owns_and_nothing_else() {
    let env = Env::new("remove").await;
    let db = env.db().await;
    env.ok(&["org", "list"]).await; // migrates, as an operator's first command would
    server::demo::seed_if_empty(&db, chrono::Utc::now())
        .await
        .unwrap();
    let contoso = org_row(&db, "contoso.com").await.id;
    let fabrikam = org_row(&db, "fabrikam.com").await.id;
    // Make every table hold something of Contoso's: a session, a sign-in in flight, settings.
    let grace = user::Entity::find()
        .filter(user::Column::UpnLower.eq("grace@contoso.com"))
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    identity::create_session(&db, grace.id, contoso, None, chrono::Utc::now())
        .await
        .unwrap();
    identity::begin_login(
        &db,
        "state",
        identity::LoginAttempt {
            org: contoso,
            nonce: "n".into(),
            pkce_verifier: "v".into(),
            return_to: "/".into(),
        },
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    let actor = identity::load_actor(
        &db,
        &SignedIn {
            user: grace.id,
            org: contoso,
        },
        chrono::Utc::now(),
    )
    .await
    .unwrap()
    .unwrap();
    app::server::service::settings::get_settings(&db, &actor, contoso, chrono::Utc::now())
        .await
        .unwrap();
    // Built-in roles keep their permissions in code; a custom role stores them.
    let draft = app::domain::roles::RoleDraft {
        name: "Viewers".into(),
        description: String::new(),
        permissions: vec![app::domain::authz::Permission::RoomsView],
    }
    .validate()
    .unwrap();
    app::server::service::roles::create_role(&db, &actor, contoso, draft, None, chrono::Utc::now())
        .await
        .unwrap();

    let before = owned_rows(&db, contoso).await;
    for (table, rows) in &before {
        assert!(*rows > 0, "Contoso has no {table} rows to delete");
    }
    let fabrikam_before = owned_rows(&db, fabrikam).await;

    env.ok(&["org", "remove", contoso.to_string().as_str(), "--yes"])
        .await;

    for (table, rows) in owned_rows(&db, contoso).await {
        assert_eq!(rows, 0, "{table} rows of Contoso are left");
    }
    assert!(organisation::Entity::find_by_id(contoso)
        .one(&db)
        .await
        .unwrap()
        .is_none());
    assert_eq!(owned_rows(&db, fabrikam).await, fabrikam_before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_named_global_admin_is_bound_at_their_first_sign_in_and_nobody_else() {
    let env = Env::new("admin").await;
    let issuer = issuer_server().await;
    let secret = env.secret_file("tailspin.secret", "s");
    let tid = "0b4f5b1e-2f0a-4a8e-9d7c-3e1f2a6b9c01";
    env.ok(&[
        "org",
        "add",
        "Tailspin Toys",
        "--domain",
        "tailspintoys.com",
        "--issuer",
        &issuer,
        "--client-id",
        "rooms",
        "--client-secret-file",
        &secret,
        "--tenant-id",
        tid,
        "--global-admin",
        "kim@tailspintoys.com",
    ])
    .await;
    let db = env.db().await;
    let now = chrono::Utc::now();
    let who = |subject: &str, upn: &str, tenant: &str| VerifiedIdentity {
        issuer: issuer.clone(),
        tenant_id: Some(tenant.to_owned()),
        subject: subject.to_owned(),
        upn: upn.to_owned(),
        display_name: upn.to_owned(),
    };
    let roles_of = |user| {
        let db = db.clone();
        async move {
            let org = org_row(&db, "tailspintoys.com").await.id;
            identity::load_actor(&db, &SignedIn { user, org }, chrono::Utc::now())
                .await
                .unwrap()
                .unwrap()
                .org_roles
        }
    };

    // Kim's UPN from another tenant is refused before anything is bound.
    let org = org_row(&db, "tailspintoys.com").await;
    let refused = identity::sign_in_user(
        &db,
        &org,
        who("kim-x", "kim@tailspintoys.com", "other-tenant"),
        now,
    )
    .await
    .unwrap();
    assert!(refused.is_err());
    // Someone else of the organisation signs in first and gets nothing.
    let lee = identity::sign_in_user(&db, &org, who("lee", "lee@tailspintoys.com", tid), now)
        .await
        .unwrap()
        .unwrap();
    assert!(roles_of(lee).await.is_empty());
    // Kim does, whatever the case of the UPN the issuer sends.
    let org = org_row(&db, "tailspintoys.com").await;
    let kim = identity::sign_in_user(&db, &org, who("kim", "Kim@TailspinToys.com", tid), now)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        roles_of(kim).await.into_iter().collect::<Vec<_>>(),
        [OrgRole::GlobalAdmin]
    );
    let org = org_row(&db, "tailspintoys.com").await;
    assert_eq!(org.pending_global_admin, None);
    let logged = audit_log::Entity::find()
        .filter(audit_log::Column::OrgId.eq(org.id))
        .filter(audit_log::Column::ObjectName.eq("Global admin: kim@tailspintoys.com"))
        .filter(audit_log::Column::ActorUserId.eq(kim))
        .count(&db)
        .await
        .unwrap();
    assert_eq!(logged, 1);
    // Claimed once: another identity with the same UPN later gets nothing.
    let stale = org_row(&db, "tailspintoys.com").await;
    let twin = identity::sign_in_user(&db, &stale, who("kim-2", "kim@tailspintoys.com", tid), now)
        .await
        .unwrap()
        .unwrap();
    assert!(roles_of(twin).await.is_empty());

    // Named again (for an organisation that lost its admins), an existing user is bound at
    // their next sign-in; two sign-ins at the same moment bind it once.
    env.ok(&[
        "org",
        "update",
        "tailspintoys.com",
        "--global-admin",
        "lee@tailspintoys.com",
    ])
    .await;
    let org = org_row(&db, "tailspintoys.com").await;
    let (a, b) = tokio::join!(
        app::server::service::operator::claim_first_admin(
            &db,
            &org,
            lee,
            "lee@tailspintoys.com",
            now
        ),
        app::server::service::operator::claim_first_admin(
            &db,
            &org,
            lee,
            "lee@tailspintoys.com",
            now
        ),
    );
    assert_eq!(
        [a.unwrap(), b.unwrap()]
            .iter()
            .filter(|taken| **taken)
            .count(),
        1
    );
    assert_eq!(
        roles_of(lee).await.into_iter().collect::<Vec<_>>(),
        [OrgRole::GlobalAdmin]
    );
    let admins = org_role_assignment::Entity::find()
        .filter(org_role_assignment::Column::OrgId.eq(org.id))
        .filter(org_role_assignment::Column::Role.eq(OrgRole::GlobalAdmin))
        .count(&db)
        .await
        .unwrap();
    assert_eq!(admins, 2);
}
