//! `bilik-agent`: parse the command line, set up logging, run the service
//! (or the headless agent), the lock-screen process, or enrol.

use anyhow::Context;
use bilik_agent::cli::{Cli, Command};
use clap::Parser;
use std::time::Duration;

fn init_tracing(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

/// Resolves on SIGINT or SIGTERM (Ctrl-C elsewhere).
async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let term = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut s) => {
                    s.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            _ = ctrl_c => {}
            () = term => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    init_tracing(cli.log_json);
    let config = cli.config.load()?;
    if cli.config.print_config {
        print!("{}", config.to_toml());
        return Ok(());
    }
    #[cfg(unix)]
    if let Some(Command::Ui { socket }) = &cli.command {
        return bilik_agent::ui::gui::client::run(socket).map_err(anyhow::Error::from);
    }
    let mut config = config;
    if matches!(cli.command, Some(Command::Service))
        && config.ui == bilik_agent::config::FrontEndKind::Headless
    {
        config.ui = bilik_agent::config::FrontEndKind::Gui { windowed: false };
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let result = match cli.command {
        Some(Command::Enroll { code, insecure }) => runtime.block_on(async {
            let cred = bilik_agent::enroll::enroll(
                &config.server,
                &code,
                &config.name,
                &config.state_dir,
                insecure,
            )
            .await?;
            println!(
                "enrolled as {} (station id {}); credential saved in {}",
                cred.station_name,
                cred.station_id,
                config
                    .state_dir
                    .join(bilik_agent::credential::FILE_NAME)
                    .display()
            );
            anyhow::Ok(())
        }),
        Some(Command::Run | Command::Service) | None => runtime
            .block_on(bilik_agent::run(config, shutdown_signal()))
            .map_err(anyhow::Error::from),
        #[cfg(not(unix))]
        Some(Command::Ui { .. }) => Err(anyhow::anyhow!(
            "the lock-screen process runs on Unix only (see docs/windows-backend.md)"
        )),
        #[cfg(unix)]
        Some(Command::Ui { .. }) => Ok(()),
    };
    // Blocking readers (stdin) cannot be cancelled: do not wait for them.
    runtime.shutdown_timeout(Duration::from_millis(500));
    result
}
