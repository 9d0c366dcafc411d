//! `bilik-agent`: parse the command line, set up logging, run or enrol.

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

/// `--ui gui`: the window on the main thread (eframe needs it), the agent
/// on a tokio runtime in another thread; the window closes when the agent
/// stops, and the agent stops (fail closed: the process exits) when the
/// window cannot run.
fn run_gui(config: bilik_agent::config::Config, windowed: bool) -> anyhow::Result<()> {
    let shared = bilik_agent::ui::gui::install(config.language, windowed);
    let agent_shared = shared.clone();
    let agent = std::thread::Builder::new()
        .name("agent".into())
        .spawn(move || {
            let result = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .context("cannot start the async runtime")
                .and_then(|runtime| {
                    let result = runtime
                        .block_on(bilik_agent::run(config, shutdown_signal()))
                        .map_err(anyhow::Error::from);
                    runtime.shutdown_timeout(Duration::from_millis(500));
                    result
                });
            agent_shared.quit();
            result
        })
        .context("cannot start the agent thread")?;
    bilik_agent::ui::gui::run_window(shared)?;
    match agent.join() {
        Ok(result) => result,
        Err(_) => anyhow::bail!("the agent thread panicked"),
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
    if let (bilik_agent::config::FrontEndKind::Gui { windowed }, Some(Command::Run) | None) =
        (config.ui, &cli.command)
    {
        return run_gui(config, windowed);
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
        Some(Command::Run) | None => runtime
            .block_on(bilik_agent::run(config, shutdown_signal()))
            .map_err(anyhow::Error::from),
    };
    // Blocking readers (stdin) cannot be cancelled: do not wait for them.
    runtime.shutdown_timeout(Duration::from_millis(500));
    result
}
