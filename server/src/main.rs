//! `bilik-server`: parse the command line, set up logging, open the store, run.

use anyhow::Context;
use bilik_server::app::App;
use bilik_server::cli::{AdminCommand, Connection};
use bilik_server::clock::SystemClock;
use bilik_server::config::Config;
use bilik_server::store::Store;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use std::sync::Arc;

/// Bilik's central server: members, stations, sessions and the usage log.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    /// Log as JSON lines (RUST_LOG sets the level, default info); a
    /// service unit can set BILIK_LOG_JSON=true instead.
    #[arg(long, global = true, env = "BILIK_LOG_JSON")]
    log_json: bool,
    /// Where admin commands find the server and how they sign in.
    #[command(flatten)]
    connection: Connection,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the server.
    Serve(ServeArgs),
    /// Create the data directory and the first admin (prints a one-time password).
    Init(ConfigArgs),
    /// Restore a backup file into a new data directory (offline; refuses a
    /// directory that is not empty, verifies the checksum first).
    Restore(RestoreArgs),
    /// The audit log, offline.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Admin commands against a running server.
    #[command(flatten)]
    Admin(AdminCommand),
}

#[derive(Debug, Args)]
struct ConfigArgs {
    /// The TOML configuration file.
    #[arg(long, short)]
    config: Option<PathBuf>,
    /// Override one key, e.g. --set session.minutes=30 (repeatable).
    #[arg(long = "set", value_name = "SECTION.KEY=VALUE")]
    overrides: Vec<String>,
    /// Same as --set server.data_dir=DIR.
    #[arg(long)]
    data_dir: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Check the whole audit chain (every HMAC and link, the chain head,
    /// the heads signed into monthly reports) of a stopped server's data
    /// directory or of a backup file; prints the first bad entry and exits
    /// non-zero if it does not hold.
    Verify {
        /// The data directory (the server must be stopped).
        #[arg(long, conflicts_with = "backup", required_unless_present = "backup")]
        data_dir: Option<PathBuf>,
        /// A backup file (restored into a temporary directory and checked).
        #[arg(long)]
        backup: Option<PathBuf>,
    },
}

#[derive(Debug, Args)]
struct RestoreArgs {
    /// The backup file (from `bilik-server backup` or the backup directory).
    file: PathBuf,
    /// The new data directory to create.
    #[arg(long)]
    data_dir: PathBuf,
}

#[derive(Debug, Args)]
struct ServeArgs {
    #[command(flatten)]
    config: ConfigArgs,
    /// Same as --set server.listen=ADDR.
    #[arg(long)]
    listen: Option<String>,
    /// Same as --set server.web_listen=ADDR (the web dashboard; "off": none).
    #[arg(long)]
    web_listen: Option<String>,
    /// Show the server working: fresh store, demo members, simulated stations.
    #[arg(long)]
    demo: bool,
    /// With --demo: no simulated patrons; the demo stations only do what a
    /// librarian tells them (unlock, end, extend, maintenance, ...).
    #[arg(long, requires = "demo")]
    no_demo_patrons: bool,
    /// Plain text instead of TLS on both listeners (same as --set
    /// tls.insecure=true): passwords, credentials and card numbers cross the
    /// network readable. For tests and debugging only.
    #[arg(long)]
    insecure: bool,
    /// Print the effective configuration and exit.
    #[arg(long)]
    print_config: bool,
}

fn load_config(args: &ConfigArgs, mut overrides: Vec<String>) -> anyhow::Result<Config> {
    let text = match &args.config {
        Some(path) => std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?,
        None => String::new(),
    };
    overrides.extend(args.overrides.iter().cloned());
    if let Some(dir) = &args.data_dir {
        overrides.push(format!(
            "server.data_dir={}",
            toml::Value::String(dir.display().to_string())
        ));
    }
    Ok(Config::parse(&text, &overrides)?)
}

fn init_tracing(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // Colours only on a terminal: a log file or the journal gets plain text.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

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
            _ = term => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
    tracing::info!("shutting down");
}

fn open_store(config: &Config) -> anyhow::Result<Store> {
    bilik_server::secrets::private_dir(&config.data_dir)
        .with_context(|| format!("cannot create {}", config.data_dir.display()))?;
    let store = Store::open(&config.data_dir).with_context(|| {
        format!(
            "cannot open the store in {} (is another bilik-server using it?)",
            config.data_dir.display()
        )
    })?;
    // Owner only, whatever the umask: sled makes its files with it.
    bilik_server::secrets::lock_down(&config.data_dir)
        .with_context(|| format!("cannot restrict {}", config.data_dir.display()))?;
    Ok(store)
}

/// The application with its TLS identity (made at first start), or plain
/// text when asked for.
fn app_with_tls(store: Store, config: Config) -> anyhow::Result<App> {
    let identity =
        bilik_server::tls::ServerIdentity::load_or_create(&config).context("cannot set up TLS")?;
    if let Some(sip2) = config.sip2.as_ref().filter(|s| s.tls) {
        // Refuse to start rather than refuse every card login later.
        bilik_server::sip2::client::tls_connector(sip2)
            .with_context(|| format!("sip2.tls_ca_file {}", sip2.tls_ca_file.display()))?;
    }
    let app = App::new(store, config, Arc::new(SystemClock));
    Ok(match identity {
        Some(identity) => app.with_tls(identity),
        None => app,
    })
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    bilik_server::net::raise_fd_limit();
    let mut defaults = Vec::new();
    if args.demo {
        let stamp = chrono::Utc::now().format("%Y%m%d-%H%M%S");
        let dir = std::env::temp_dir().join(format!("bilik-demo-{stamp}-{}", std::process::id()));
        defaults.push(format!(
            "server.data_dir={}",
            toml::Value::String(dir.display().to_string())
        ));
        // Short sessions, so the demo shows them ending.
        defaults.push("session.minutes=3".to_owned());
        defaults.push("library.name=Perpustakaan Demo".to_owned());
    }
    if let Some(listen) = &args.listen {
        defaults.push(format!(
            "server.listen={}",
            toml::Value::String(listen.clone())
        ));
    }
    if args.insecure {
        defaults.push("tls.insecure=true".to_owned());
    }
    if let Some(web) = &args.web_listen {
        defaults.push(format!(
            "server.web_listen={}",
            toml::Value::String(web.clone())
        ));
    }
    let config = load_config(&args.config, defaults)?;
    if args.print_config {
        print!("{}", config.to_toml());
        return Ok(());
    }
    let store = open_store(&config)?;
    let listen = config.listen;
    let app = app_with_tls(store, config)?;
    let listener = bilik_server::listen(listen).await?;
    let addr = listener.local_addr()?;
    let scheme = if app.tls().is_some() { "https" } else { "http" };
    let url = format!("{scheme}://{addr}");
    let web = match app.config().web_listen {
        Some(web_addr) => Some(bilik_server::listen(web_addr).await?),
        None => None,
    };
    let dashboard = match &web {
        Some(l) => format!("{scheme}://{}", l.local_addr()?),
        None => "off (server.web_listen = \"off\")".to_owned(),
    };
    if args.demo {
        let info = bilik_server::demo::seed(&app).await?;
        bilik_server::demo::spawn_stations(&app, url.clone(), !args.no_demo_patrons).await?;
        println!("Bilik demo server");
        println!("  dashboard:       {dashboard}   (sign in as admin)");
        println!("  gRPC:            {url}");
        if let Some(tls) = app.tls() {
            println!("  certificate:     sha256 {}", tls.fingerprint);
            println!(
                "                   {} (pinned by agents and the CLI)",
                tls.cert_path.display()
            );
        }
        println!("  data directory:  {}", app.config().data_dir.display());
        println!(
            "  admin:           user admin, password {}",
            info.admin_password
        );
        println!(
            "  enrol an agent:  bilik-agent enroll --server {url} --code {}",
            info.enrollment_code
        );
        println!(
            "  watch:           export BILIK_PASSWORD={} BILIK_DATA_DIR={}",
            info.admin_password,
            app.config().data_dir.display()
        );
        println!("                   bilik-server station list --server {url}");
        println!("  demo cards:      0001-0008 and 0012 valid, 0009-0010 expired, 0011 blocked");
        println!("Stop with Ctrl-C.");
    } else {
        if let Some(password) = app.create_first_admin("admin").await? {
            println!("First start: created staff account admin with one-time password {password}");
        }
        println!(
            "Bilik server listening on {url} (data in {})",
            app.config().data_dir.display()
        );
        if let Some(tls) = app.tls() {
            println!("Certificate: sha256 {}", tls.fingerprint);
        }
        println!("Dashboard: {dashboard}");
    }
    let metrics = match app.config().metrics_listen {
        Some(addr) => {
            let l = bilik_server::listen(addr).await?;
            println!("Metrics: http://{}/metrics", l.local_addr()?);
            Some(l)
        }
        None => None,
    };
    let side = bilik_server::SideListeners { web, metrics };
    bilik_server::run_with_side(app, listener, side, shutdown_signal()).await?;
    Ok(())
}

fn init(args: ConfigArgs) -> anyhow::Result<()> {
    let config = load_config(&args, Vec::new())?;
    let store = open_store(&config)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let app = app_with_tls(store, config)?;
        if let Some(tls) = app.tls() {
            println!(
                "TLS certificate {} (sha256 {})",
                tls.cert_path.display(),
                tls.fingerprint
            );
        }
        app.ensure_signing_key().await?;
        match app.create_first_admin("admin").await? {
            Some(password) => {
                println!("Initialised {}", app.config().data_dir.display());
                println!("Staff account: admin, one-time password: {password}");
            }
            None => println!(
                "{} already has an admin; nothing to do",
                app.config().data_dir.display()
            ),
        }
        app.sync_store().await?;
        anyhow::Ok(())
    })
}

fn restore(args: RestoreArgs) -> anyhow::Result<()> {
    let summary = Store::restore_backup(&args.file, &args.data_dir)
        .with_context(|| format!("cannot restore {}", args.file.display()))?;
    println!(
        "Restored {} records ({} sessions) from {} into {} (sha256 {})",
        summary.records,
        summary.sessions,
        args.file.display(),
        args.data_dir.display(),
        summary.sha256
    );
    println!(
        "Start it with: bilik-server serve --data-dir {}",
        args.data_dir.display()
    );
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    init_tracing(cli.log_json);
    match cli.command {
        Command::Init(args) => init(args),
        Command::Restore(args) => restore(args),
        Command::Audit(AuditCommand::Verify { data_dir, backup }) => {
            let said = bilik_server::cli::audit_verify(data_dir.as_deref(), backup.as_deref())?;
            println!("{said}");
            Ok(())
        }
        Command::Serve(args) => tokio::runtime::Runtime::new()?.block_on(serve(args)),
        Command::Admin(args) => {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            runtime.block_on(bilik_server::cli::run(&cli.connection, args))?;
            Ok(())
        }
    }
}
