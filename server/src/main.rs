//! The Rooms MTM server binary: reads configuration, migrates, seeds the demo on an empty
//! database, and serves the app. Everything else is in the `server` library.

#[cfg(feature = "ssr")]
#[tokio::main]
async fn main() -> anyhow::Result<()> {
    server::run().await
}

#[cfg(not(feature = "ssr"))]
fn main() {}
