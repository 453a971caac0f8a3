//! The Rooms MTM server binary. `server` (or `server serve`) reads configuration, migrates,
//! seeds the demo on an empty database and serves the app; `server org …` manages
//! organisations (see `server --help`). Everything else is in the `server` library.

#[cfg(feature = "ssr")]
#[tokio::main]
async fn main() -> anyhow::Result<std::process::ExitCode> {
    use clap::Parser;
    use server::cli::{Cli, Command};

    match Cli::parse().command.unwrap_or(Command::Serve) {
        Command::Serve => {
            server::run().await?;
            Ok(std::process::ExitCode::SUCCESS)
        }
        Command::Org(command) => Ok(server::cli::org(*command).await),
    }
}

#[cfg(not(feature = "ssr"))]
fn main() {}
