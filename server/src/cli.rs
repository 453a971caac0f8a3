//! The server binary's command line: `server` (or `server serve`) serves the portal;
//! `server org add|list|update|remove` lets an operator onboard and manage organisations without
//! SQL. This module parses flags, reads a client secret given on standard input, fetches issuers'
//! discovery documents and prints the results as text or JSON; the rules live in
//! `app::server::service::operator` and `app::domain::organisation`.

use crate::config::{self, Config};
use app::domain::organisation::{
    ClientSecret, OrganisationChange, OrganisationDraft, OrganisationView,
};
use app::server::error::ServiceError;
use app::server::service::operator::{self, IssuerDiscovery};
use clap::{Args, Parser, Subcommand};
use std::future::Future;
use std::io::Read;
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(
    name = "server",
    version,
    about = "Rooms MTM: serves the portal, or manages its organisations",
    long_about = "Rooms MTM: serves the portal (no subcommand, or `serve`), or manages its \
                  organisations (`org`). Both use the environment variables of the README \
                  (DATABASE_URL, ROOMS_PUBLIC_URL, ...)."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the portal (also what `server` alone does)
    Serve,
    /// Onboard, list, change and remove organisations, on the database of DATABASE_URL
    #[command(subcommand)]
    Org(Box<OrgCommand>),
}

#[derive(Debug, Subcommand)]
pub enum OrgCommand {
    /// Add an organisation: its domains, its identity provider and its first Global admin
    Add(AddArgs),
    /// List the organisations: id, name, domains, issuer, partner flag, users
    List(ListArgs),
    /// Change an organisation's name, domains, identity provider or partner flag, or name a
    /// Global admin
    Update(UpdateArgs),
    /// Remove an organisation and everything it owns (users, groups, roles, rooms, audit log)
    Remove(RemoveArgs),
    /// Print the enrollment key one of the organisation's users downloads with *Download key*,
    /// to set up devices from a script (such as `rooms-simulator`)
    EnrollmentKey(KeyArgs),
}

#[derive(Debug, Args)]
pub struct KeyArgs {
    /// The organisation: its id or one of its domains
    pub org: String,
    /// The user whose key it is (it reaches what they may enroll), like grace@contoso.com
    #[arg(long = "as")]
    pub as_user: String,
}

#[derive(Debug, Args)]
#[command(after_help = "Example (Microsoft Entra ID):\n  \
    server org add \"Contoso\" --domain contoso.com \\\n    \
    --issuer https://login.microsoftonline.com/<tenant id>/v2.0 \\\n    \
    --client-id <application id> --client-secret-file /etc/rooms/contoso.secret \\\n    \
    --tenant-id <tenant id> --global-admin grace@contoso.com")]
pub struct AddArgs {
    /// The organisation's display name, like "Contoso"
    pub name: String,
    /// An e-mail domain its users sign in with, like contoso.com (repeat for more)
    #[arg(long = "domain", value_name = "DOMAIN", required = true)]
    pub domains: Vec<String>,
    /// The OpenID Connect issuer, exactly as its discovery document names it; checked by
    /// fetching <issuer>/.well-known/openid-configuration before anything is saved
    #[arg(long, value_name = "URL")]
    pub issuer: String,
    /// The client (application) id registered for the portal at the identity provider
    #[arg(long, value_name = "ID")]
    pub client_id: String,
    #[command(flatten)]
    pub secret: AddSecret,
    /// A tenant id (`tid` claim) whose users may sign in (repeat for more); none accepts every
    /// tenant of the issuer
    #[arg(long = "tenant-id", value_name = "TID")]
    pub tenant_ids: Vec<String>,
    /// The organisation is a partner: it manages other organisations' rooms
    #[arg(long)]
    pub manages_customers: bool,
    /// The UPN of the first Global admin (on one of the domains); the role is bound at that
    /// user's first sign-in
    #[arg(long, value_name = "UPN")]
    pub global_admin: Option<String>,
    /// Print the organisation as JSON
    #[arg(long)]
    pub json: bool,
}

/// Exactly one source of the client secret, for `add`.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct AddSecret {
    /// Read the client secret from this file (absolute path) at each sign-in; the database
    /// keeps only the path
    #[arg(long, value_name = "PATH")]
    pub client_secret_file: Option<String>,
    /// Read the client secret from this environment variable of the server at each sign-in;
    /// the database keeps only the name
    #[arg(long, value_name = "VAR")]
    pub client_secret_env: Option<String>,
    /// Read the client secret from standard input now and keep it in the database
    #[arg(long)]
    pub client_secret_stdin: bool,
}

/// At most one new source of the client secret, for `update`.
#[derive(Debug, Args)]
#[group(required = false, multiple = false)]
pub struct UpdateSecret {
    /// Read the client secret from this file (absolute path) at each sign-in from now on
    #[arg(long, value_name = "PATH")]
    pub client_secret_file: Option<String>,
    /// Read the client secret from this environment variable of the server from now on
    #[arg(long, value_name = "VAR")]
    pub client_secret_env: Option<String>,
    /// Read a new client secret from standard input and keep it in the database
    #[arg(long)]
    pub client_secret_stdin: bool,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Print the organisations as a JSON array
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// The organisation: its id or one of its domains
    pub org: String,
    /// A new display name
    #[arg(long)]
    pub name: Option<String>,
    /// Add an e-mail domain (repeat for more)
    #[arg(long = "add-domain", value_name = "DOMAIN")]
    pub add_domains: Vec<String>,
    /// Remove an e-mail domain (repeat for more); one must remain
    #[arg(long = "remove-domain", value_name = "DOMAIN")]
    pub remove_domains: Vec<String>,
    /// A new issuer, checked like on `add`. Users are keyed on their issuer: after a change,
    /// each user's next sign-in creates a new user
    #[arg(long, value_name = "URL")]
    pub issuer: Option<String>,
    /// A new client (application) id
    #[arg(long, value_name = "ID")]
    pub client_id: Option<String>,
    #[command(flatten)]
    pub secret: UpdateSecret,
    /// Accept another tenant id (repeat for more)
    #[arg(long = "add-tenant-id", value_name = "TID")]
    pub add_tenant_ids: Vec<String>,
    /// Stop accepting a tenant id (repeat for more)
    #[arg(long = "remove-tenant-id", value_name = "TID")]
    pub remove_tenant_ids: Vec<String>,
    /// Whether the organisation manages other organisations' rooms
    #[arg(long, value_name = "true|false")]
    pub manages_customers: Option<bool>,
    /// Make this UPN (on one of the domains) a Global admin at their next sign-in
    #[arg(long, value_name = "UPN")]
    pub global_admin: Option<String>,
    /// Print the organisation as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct RemoveArgs {
    /// The organisation: its id or one of its domains
    pub org: String,
    /// Confirm: everything the organisation owns is deleted, for good
    #[arg(long)]
    pub yes: bool,
    /// Print what was removed as JSON
    #[arg(long)]
    pub json: bool,
}

/// A failure, as the operator reads it on standard error.
struct Failure(String);

impl From<ServiceError> for Failure {
    fn from(err: ServiceError) -> Self {
        Failure(match err {
            ServiceError::Invalid(v) if v.field.is_empty() => v.message,
            ServiceError::Invalid(v) if v.field == "name" => format!("NAME: {}", v.message),
            ServiceError::Invalid(v) => format!("--{}: {}", v.field, v.message),
            ServiceError::NotFound => "no such organisation".to_owned(),
            ServiceError::Conflict(kind) => kind.to_string(),
            ServiceError::Forbidden(reason) => format!("refused: {reason:?}"),
            ServiceError::Db(e) => format!("database: {e}"),
        })
    }
}

impl From<anyhow::Error> for Failure {
    fn from(err: anyhow::Error) -> Self {
        Failure(format!("{err:#}"))
    }
}

/// Runs an `org` subcommand; prints the result on standard output and any error on standard
/// error.
pub async fn org(command: OrgCommand) -> ExitCode {
    match run(command).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure(message)) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: OrgCommand) -> Result<(), Failure> {
    let config = Config::from_env()?;
    let now = chrono::Utc::now();
    match command {
        OrgCommand::Add(args) => {
            let draft = OrganisationDraft {
                name: args.name,
                domains: args.domains,
                issuer: args.issuer,
                client_id: args.client_id,
                client_secret: secret_source(
                    args.secret.client_secret_file,
                    args.secret.client_secret_env,
                    args.secret.client_secret_stdin,
                )?
                .ok_or_else(|| Failure("give the client secret".to_owned()))?,
                tenant_ids: args.tenant_ids,
                manages_customers: args.manages_customers,
                global_admin: args.global_admin,
            }
            .validate()
            .map_err(ServiceError::from)?;
            check_secret_readable(&draft.get().client_secret)?;
            let db = open(&config).await?;
            let added = operator::add_organisation(&db, &HttpDiscovery::new()?, draft, now).await?;
            if args.json {
                print_json(&added)?;
            } else {
                println!("Added {} ({}).", added.name, added.id);
                print_details(&added);
                println!();
                println!(
                    "Register this redirect URI for client {} at the identity provider: {}",
                    added.client_id,
                    config.redirect_uri()
                );
            }
        }
        OrgCommand::List(args) => {
            let db = open(&config).await?;
            let orgs = operator::list_organisations(&db).await?;
            if args.json {
                print_json(&orgs)?;
            } else {
                print_table(&orgs);
            }
        }
        OrgCommand::Update(args) => {
            let change = OrganisationChange {
                name: args.name,
                add_domains: args.add_domains,
                remove_domains: args.remove_domains,
                issuer: args.issuer,
                client_id: args.client_id,
                client_secret: secret_source(
                    args.secret.client_secret_file,
                    args.secret.client_secret_env,
                    args.secret.client_secret_stdin,
                )?,
                add_tenant_ids: args.add_tenant_ids,
                remove_tenant_ids: args.remove_tenant_ids,
                manages_customers: args.manages_customers,
                global_admin: args.global_admin,
            }
            .validate()
            .map_err(ServiceError::from)?;
            if let Some(secret) = &change.get().client_secret {
                check_secret_readable(secret)?;
            }
            let db = open(&config).await?;
            let org = find(&db, &args.org).await?;
            let updated =
                operator::update_organisation(&db, &HttpDiscovery::new()?, org, change, now)
                    .await?;
            if args.json {
                print_json(&updated)?;
            } else {
                println!("Updated {} ({}).", updated.name, updated.id);
                print_details(&updated);
            }
        }
        OrgCommand::EnrollmentKey(args) => {
            let db = open(&config).await?;
            let org = find(&db, &args.org).await?;
            let key = operator::enrollment_key_of(&db, org, &args.as_user, now)
                .await
                .map_err(|e| match e {
                    ServiceError::NotFound => Failure(format!(
                        "{} is not a user of {} yet (users appear at their first sign-in)",
                        args.as_user, args.org
                    )),
                    other => other.into(),
                })?;
            println!("{key}");
        }
        OrgCommand::Remove(args) => {
            let db = open(&config).await?;
            let org = find(&db, &args.org).await?;
            if !args.yes {
                let view = operator::get_organisation(&db, org).await?;
                return Err(Failure(format!(
                    "removing {} ({}) deletes it and everything it owns, for good: its domains ({}), its {} users, their groups and roles, its rooms and its audit log. Run the command again with --yes to confirm.",
                    view.name,
                    view.id,
                    view.domains.join(", "),
                    view.users
                )));
            }
            let removed = operator::remove_organisation(&db, org).await?;
            if args.json {
                print_json(&removed)?;
            } else {
                println!(
                    "Removed {} ({}) and everything it owned.",
                    removed.name, removed.id
                );
            }
        }
    }
    Ok(())
}

/// Connects and brings the schema up to date (under the start-up lock, so a server starting at
/// the same moment does not race it); never seeds the demo.
async fn open(config: &Config) -> Result<sea_orm::DatabaseConnection, Failure> {
    let db = config::connect(&config.database_url).await?;
    crate::startup::prepare_database(&db, &config.database_url, false).await?;
    Ok(db)
}

async fn find(
    db: &sea_orm::DatabaseConnection,
    key: &str,
) -> Result<app::domain::ids::OrgId, Failure> {
    operator::find_organisation(db, key)
        .await
        .map_err(|e| match e {
            ServiceError::NotFound => Failure(format!(
                "no organisation has the id or domain {key:?}; `server org list` shows them all"
            )),
            other => other.into(),
        })
}

/// The client secret source the flags name (clap already allows at most one).
fn secret_source(
    file: Option<String>,
    env: Option<String>,
    stdin: bool,
) -> Result<Option<ClientSecret>, Failure> {
    if let Some(path) = file {
        return Ok(Some(ClientSecret::File(path)));
    }
    if let Some(var) = env {
        return Ok(Some(ClientSecret::Env(var)));
    }
    if !stdin {
        return Ok(None);
    }
    let mut secret = String::new();
    std::io::stdin()
        .take(64 * 1024)
        .read_to_string(&mut secret)
        .map_err(|e| {
            Failure(format!(
                "--client-secret-stdin: cannot read standard input: {e}"
            ))
        })?;
    Ok(Some(ClientSecret::Stored(secret)))
}

/// A file the server will read must be readable now (a typo would otherwise surface only at
/// the first sign-in). An environment variable belongs to the server's environment, which may
/// not be this shell's: only a note when it is missing here.
fn check_secret_readable(secret: &ClientSecret) -> Result<(), Failure> {
    match (secret, operator::read_secret(secret)) {
        (_, Ok(_)) | (ClientSecret::Stored(_), _) => Ok(()),
        (ClientSecret::File(_), Err(e)) => Err(Failure(format!(
            "--client-secret-file: {e}. Write the secret into that file first (one line, readable by the server's user only, e.g. chmod 600)."
        ))),
        (ClientSecret::Env(var), Err(_)) => {
            eprintln!("note: {var} is not set in this shell; make sure the server's environment sets it (it is read at each sign-in).");
            Ok(())
        }
    }
}

fn print_json(value: &impl serde::Serialize) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| Failure(format!("cannot write JSON: {e}")))?;
    println!("{text}");
    Ok(())
}

fn yes_no(flag: bool) -> &'static str {
    if flag {
        "yes"
    } else {
        "no"
    }
}

fn print_details(org: &OrganisationView) {
    let tenants = if org.tenant_ids.is_empty() {
        "(any tenant of the issuer)".to_owned()
    } else {
        org.tenant_ids.join(", ")
    };
    let rows = [
        ("id", org.id.to_string()),
        ("name", org.name.clone()),
        ("domains", org.domains.join(", ")),
        ("issuer", org.issuer.clone()),
        ("client id", org.client_id.clone()),
        ("client secret", org.client_secret.clone()),
        ("tenant ids", tenants),
        ("partner", yes_no(org.manages_customers).to_owned()),
        ("users", org.users.to_string()),
    ];
    for (label, value) in rows {
        println!("  {:<20}{value}", format!("{label}:"));
    }
    if let Some(upn) = &org.pending_global_admin {
        println!(
            "  {:<20}{upn} (becomes Global admin at their next sign-in)",
            "first Global admin:"
        );
    }
}

fn print_table(orgs: &[OrganisationView]) {
    if orgs.is_empty() {
        println!("No organisations yet. Add one with `server org add --help`.");
        return;
    }
    let header = ["ID", "NAME", "DOMAINS", "ISSUER", "PARTNER", "USERS"];
    let rows: Vec<[String; 6]> = orgs
        .iter()
        .map(|o| {
            [
                o.id.to_string(),
                o.name.clone(),
                o.domains.join(","),
                o.issuer.clone(),
                yes_no(o.manages_customers).to_owned(),
                o.users.to_string(),
            ]
        })
        .collect();
    let mut widths = header.map(|h| h.chars().count());
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &[String]| {
        let padded: Vec<String> = cells
            .iter()
            .zip(widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        println!("{}", padded.join("  ").trim_end());
    };
    line(&header.map(str::to_owned));
    for row in &rows {
        line(row);
    }
}

/// Reads discovery documents over HTTP, as sign-in will: no redirects (a hostile issuer must
/// not point the server elsewhere), a timeout, and a bounded body.
struct HttpDiscovery {
    http: openidconnect::reqwest::Client,
}

impl HttpDiscovery {
    fn new() -> Result<Self, Failure> {
        let http = openidconnect::reqwest::ClientBuilder::new()
            .redirect(openidconnect::reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .map_err(|e| Failure(format!("cannot set up an HTTP client: {e}")))?;
        Ok(Self { http })
    }
}

/// An error and its causes on one line ("error sending request: connection refused").
fn chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

impl IssuerDiscovery for HttpDiscovery {
    fn discovered_issuer(
        &self,
        issuer: &str,
    ) -> impl Future<Output = Result<String, String>> + Send {
        let url = format!(
            "{}/.well-known/openid-configuration",
            issuer.trim_end_matches('/')
        );
        let http = self.http.clone();
        async move {
            const MAX_BODY: usize = 1 << 20;
            let response = http
                .get(&url)
                .header(openidconnect::reqwest::header::ACCEPT, "application/json")
                .send()
                .await
                .map_err(|e| chain(&e))?;
            let status = response.status();
            if !status.is_success() {
                return Err(format!("it answered HTTP {status}"));
            }
            let body = response.bytes().await.map_err(|e| chain(&e))?;
            if body.len() > MAX_BODY {
                return Err("it is larger than 1 MiB".to_owned());
            }
            let document: serde_json::Value =
                serde_json::from_slice(&body).map_err(|e| format!("it is not JSON ({e})"))?;
            let found = document
                .get("issuer")
                .and_then(|i| i.as_str())
                .ok_or("it names no issuer")?
                .to_owned();
            // The same type sign-in reads it into, so what passes here works there.
            serde_json::from_value::<openidconnect::ProviderMetadataWithLogout>(document).map_err(
                |e| format!("it is not OpenID Provider metadata the portal can use ({e})"),
            )?;
            Ok(found)
        }
    }
}
