//! `bilik-server`'s admin subcommands: a gRPC client of a running server
//! (sled locks its directory, so they never open the store themselves).

use bilik_proto::v1::admin_client::AdminClient;
use bilik_proto::v1::*;
use clap::{Args, Subcommand};
use std::path::PathBuf;
use tonic::Request;
use tonic::transport::Channel;

/// Why an admin command failed.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The server could not be reached (or its certificate is not the pinned one).
    #[error("cannot reach the server at {url}: {source}")]
    Connect {
        /// The address tried.
        url: String,
        /// What the transport said.
        source: bilik_proto::ConnectError,
    },
    /// The server refused or failed the call.
    #[error("{}: {}", .0.code(), .0.message())]
    Rpc(#[from] tonic::Status),
    /// A local file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// The command line does not say enough.
    #[error("{0}")]
    Usage(String),
    /// A local file could not be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// A signed report does not verify.
    #[error("NOT valid: {0}")]
    Invalid(String),
}

/// How to reach and sign in to the server.
#[derive(Debug, Args)]
pub struct Connection {
    /// The server's gRPC address.
    #[arg(
        long,
        env = "BILIK_SERVER",
        default_value = "https://127.0.0.1:50551",
        global = true
    )]
    pub server: String,
    /// The server's certificate fingerprint (SHA-256, hex) to pin.
    #[arg(long, env = "BILIK_FINGERPRINT", global = true)]
    pub fingerprint: Option<String>,
    /// A certificate file (PEM) to pin, e.g. a copy of the server's
    /// `tls/server.crt`.
    #[arg(long, env = "BILIK_CERT", global = true)]
    pub cert: Option<PathBuf>,
    /// The server's data directory on this machine: its certificate
    /// (`tls/server.crt`) is pinned. The default when nothing else is given.
    #[arg(
        long = "server-data-dir",
        env = "BILIK_DATA_DIR",
        default_value = "bilik-data",
        global = true
    )]
    pub server_data_dir: PathBuf,
    /// Plain text to an `http://` server (only for a server run with
    /// tls.insecure): the password crosses the network readable.
    #[arg(long, global = true)]
    pub insecure: bool,
    /// Staff username.
    #[arg(long, env = "BILIK_USER", default_value = "admin", global = true)]
    pub user: String,
    /// Staff password (better given in the environment than on the command line).
    #[arg(long, env = "BILIK_PASSWORD", hide_env_values = true, global = true)]
    pub password: Option<String>,
}

/// Admin commands.
#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Members: import, add, show, search, block.
    #[command(subcommand)]
    Member(MemberCommand),
    /// Stations: list, unlock, end, extend, message, maintenance, enrolment codes.
    #[command(subcommand)]
    Station(StationCommand),
    /// The usage log.
    Sessions {
        /// First library-local day, YYYY-MM-DD.
        #[arg(long)]
        from: Option<String>,
        /// Last library-local day, YYYY-MM-DD.
        #[arg(long)]
        to: Option<String>,
        /// Only this station (id or name).
        #[arg(long)]
        station: Option<String>,
        /// Only this card.
        #[arg(long)]
        card: Option<String>,
    },
    /// Reports: daily recap, monthly report, sign-off.
    #[command(subcommand)]
    Report(ReportCommand),
    /// Take a backup of the running server's whole store (admins): the
    /// server writes it into its backup directory while stations keep
    /// working, and this command saves a copy at OUT (checksum verified).
    Backup {
        /// Where to save the copy.
        #[arg(long, short)]
        out: PathBuf,
    },
    /// Create a staff account; its password is read from BILIK_NEW_PASSWORD.
    StaffAdd {
        /// Username.
        username: String,
        /// librarian, section_head or admin.
        #[arg(long, default_value = "librarian")]
        role: String,
        /// Name shown in the dashboard and on reports.
        #[arg(long, default_value = "")]
        display_name: String,
        /// The civil-service number (NIP), printed on signed reports.
        #[arg(long, default_value = "")]
        nip: String,
        /// The new account's password.
        #[arg(long, env = "BILIK_NEW_PASSWORD", hide_env_values = true)]
        new_password: String,
    },
}

/// Report commands.
#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// The daily recap (the usage book's page) of a date.
    Daily {
        /// YYYY-MM-DD (default: today).
        date: Option<String>,
        /// text, csv, xlsx, pdf or json.
        #[arg(long, default_value = "text")]
        format: String,
        /// Write to this file instead of standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// id or en.
        #[arg(long, default_value = "id")]
        lang: String,
    },
    /// The monthly report.
    Monthly {
        /// YYYY-MM.
        month: String,
        /// text, csv, xlsx, pdf or json.
        #[arg(long, default_value = "text")]
        format: String,
        /// Write to this file instead of standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// id or en.
        #[arg(long, default_value = "id")]
        lang: String,
    },
    /// Sign a month that has ended (section heads only).
    Sign {
        /// YYYY-MM.
        month: String,
    },
    /// Print the public key that verifies signed reports.
    PublicKey,
    /// Check a signed monthly report PDF offline (no server needed).
    Verify {
        /// The signed PDF.
        file: PathBuf,
        /// The server's public key (hex, from `report public-key`).
        #[arg(long)]
        public_key: Option<String>,
    },
}

/// Member commands.
#[derive(Debug, Subcommand)]
pub enum MemberCommand {
    /// Import a SLiMS membership export (CSV): all rows or none.
    Import {
        /// The exported file.
        file: PathBuf,
    },
    /// Add or update one member.
    Add {
        /// Card number (KTA).
        #[arg(long)]
        card: String,
        /// Full name.
        #[arg(long)]
        name: String,
        /// Last valid day, YYYY-MM-DD.
        #[arg(long)]
        expires: String,
        /// Member type, e.g. Umum, Pelajar.
        #[arg(long, default_value = "")]
        category: String,
        /// A PIN for card logins (digits).
        #[arg(long, default_value = "")]
        pin: String,
    },
    /// Show one member.
    Show {
        /// Card number.
        card: String,
    },
    /// Search by card prefix or name.
    Search {
        /// Text to look for.
        query: String,
    },
    /// Block a card.
    Block {
        /// Card number.
        card: String,
    },
    /// Unblock a card.
    Unblock {
        /// Card number.
        card: String,
    },
}

/// Station commands.
#[derive(Debug, Subcommand)]
pub enum StationCommand {
    /// Every station with its state.
    List,
    /// Unlock a station for a card, or for a guest with a note.
    Unlock {
        /// Station id or name.
        station: String,
        /// The patron's card.
        #[arg(long, conflicts_with = "guest")]
        card: Option<String>,
        /// Who the guest is (a staff-recorded unlock).
        #[arg(long)]
        guest: Option<String>,
        /// Minutes (default: the session length).
        #[arg(long, default_value_t = 0)]
        minutes: u32,
    },
    /// End the session on a station.
    End {
        /// Station id or name.
        station: String,
    },
    /// Give the session on a station more minutes.
    Extend {
        /// Station id or name.
        station: String,
        /// Minutes to add.
        #[arg(long, default_value_t = 15)]
        minutes: u32,
    },
    /// Show a message on a station.
    Message {
        /// Station id or name.
        station: String,
        /// The text.
        text: String,
    },
    /// Maintenance on or off.
    Maintenance {
        /// Station id or name.
        station: String,
        /// on or off.
        state: String,
    },
    /// Make a one-time code to enrol a station.
    EnrollCode {
        /// The name the station will get.
        #[arg(long, default_value = "")]
        name: String,
    },
}

/// A signed-in admin client.
struct Signed {
    /// The gRPC client.
    client: AdminClient<Channel>,
    /// The bearer token from sign-in.
    token: String,
}

impl Signed {
    /// Wraps a message with the bearer token.
    fn req<T>(&self, msg: T) -> Result<Request<T>, CliError> {
        let mut req = Request::new(msg);
        let value = format!("Bearer {}", self.token)
            .parse()
            .map_err(|_| CliError::Usage("the server sent an unusable token".into()))?;
        req.metadata_mut().insert("authorization", value);
        Ok(req)
    }
}

/// Which server certificate to accept: `--insecure`, `--fingerprint`,
/// `--cert`, or the certificate in the server's data directory.
pub fn trust(conn: &Connection) -> Result<bilik_proto::ServerTrust, CliError> {
    if conn.insecure {
        return Ok(bilik_proto::ServerTrust::Insecure);
    }
    if let Some(fp) = &conn.fingerprint {
        let fp = fp.trim().replace(':', "").to_ascii_lowercase();
        if fp.len() != 64 || !fp.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(CliError::Usage(
                "--fingerprint: the SHA-256 of the certificate, 64 hex digits".into(),
            ));
        }
        return Ok(bilik_proto::ServerTrust::Pinned(vec![fp]));
    }
    let path = conn
        .cert
        .clone()
        .unwrap_or_else(|| crate::tls::own_cert_path(&conn.server_data_dir));
    let pem = std::fs::read(&path).map_err(|_| {
        CliError::Usage(format!(
            "cannot read the server's certificate {}: give --fingerprint, --cert FILE or \
             --server-data-dir DIR",
            path.display()
        ))
    })?;
    use rustls::pki_types::pem::PemObject;
    let leaf = rustls::pki_types::CertificateDer::pem_slice_iter(&pem)
        .next()
        .and_then(Result::ok)
        .ok_or_else(|| CliError::Usage(format!("{}: no certificate in it", path.display())))?;
    Ok(bilik_proto::ServerTrust::Pinned(vec![
        bilik_proto::transport::fingerprint(leaf.as_ref()),
    ]))
}

/// Runs one admin command against a server; prints its result.
pub async fn run(conn: &Connection, cmd: AdminCommand) -> Result<(), CliError> {
    if let AdminCommand::Report(ReportCommand::Verify { file, public_key }) = &cmd {
        println!("{}", verify_file(file, public_key.as_deref())?);
        return Ok(());
    }
    let channel = bilik_proto::connect(&conn.server, &trust(conn)?)
        .await
        .map_err(|source| CliError::Connect {
            url: conn.server.clone(),
            source,
        })?;
    let mut client = AdminClient::new(channel);
    let password = conn
        .password
        .clone()
        .ok_or_else(|| CliError::Usage("set BILIK_PASSWORD (or --password) to sign in".into()))?;
    let token = client
        .sign_in(SignInRequest {
            username: conn.user.clone(),
            password,
        })
        .await?
        .into_inner()
        .token;
    let mut s = Signed { client, token };
    match cmd {
        AdminCommand::Member(m) => member(&mut s, m).await,
        AdminCommand::Station(c) => station(&mut s, c).await,
        AdminCommand::Sessions {
            from,
            to,
            station,
            card,
        } => {
            let req = s.req(QuerySessionsRequest {
                from_date: from.unwrap_or_default(),
                to_date: to.unwrap_or_default(),
                station: station.unwrap_or_default(),
                card: card.unwrap_or_default(),
                limit: 0,
            })?;
            for session in s.client.query_sessions(req).await?.into_inner().sessions {
                print_session(&session);
            }
            Ok(())
        }
        AdminCommand::Report(r) => report(&mut s, r).await,
        AdminCommand::Backup { out } => backup(&mut s, &out).await,
        AdminCommand::StaffAdd {
            username,
            role,
            display_name,
            nip,
            new_password,
        } => {
            let role = Role::from_str_name(&format!("ROLE_{}", role.to_ascii_uppercase()))
                .ok_or_else(|| CliError::Usage("role: librarian, section_head or admin".into()))?;
            let req = s.req(CreateStaffRequest {
                username,
                password: new_password,
                role: role as i32,
                display_name,
                nip,
            })?;
            let info = s.client.create_staff(req).await?.into_inner();
            println!("created {} ({})", info.username, role.as_str_name());
            Ok(())
        }
    }
}

/// Downloads a backup into `out` (through `out.tmp`, synced, then renamed)
/// and checks its checksum before saying it is there.
async fn backup(s: &mut Signed, out: &std::path::Path) -> Result<(), CliError> {
    use tokio::io::AsyncWriteExt;
    let req = s.req(BackupRequest {})?;
    let mut stream = s.client.backup(req).await?.into_inner();
    let tmp = out.with_extension("tmp");
    let write_err = |source| CliError::Write {
        path: out.to_owned(),
        source,
    };
    let mut file = tokio::fs::File::create(&tmp).await.map_err(write_err)?;
    let mut first: Option<BackupChunk> = None;
    while let Some(chunk) = stream.message().await? {
        file.write_all(&chunk.data).await.map_err(write_err)?;
        if first.is_none() {
            first = Some(BackupChunk {
                data: Vec::new(),
                ..chunk
            });
        }
    }
    file.sync_all().await.map_err(write_err)?;
    drop(file);
    let info = first.unwrap_or_default();
    let verified =
        crate::store::backup::verify_backup(&tmp).map_err(|e| CliError::Invalid(e.to_string()))?;
    if !info.sha256.is_empty() && verified != info.sha256 {
        return Err(CliError::Invalid(
            "the copy differs from the server's backup".into(),
        ));
    }
    tokio::fs::rename(&tmp, out).await.map_err(write_err)?;
    println!(
        "backup {} ({} records, {} bytes, sha256 {verified}) saved to {}",
        info.file_name,
        info.records,
        info.size,
        out.display()
    );
    Ok(())
}

async fn member(s: &mut Signed, cmd: MemberCommand) -> Result<(), CliError> {
    match cmd {
        MemberCommand::Import { file } => {
            let content = std::fs::read(&file).map_err(|source| CliError::Read {
                path: file.clone(),
                source,
            })?;
            let req = s.req(ImportMembersRequest {
                format: ImportFormat::Slims as i32,
                content,
            })?;
            let r = s.client.import_members(req).await?.into_inner();
            println!(
                "imported {}: {} new, {} updated",
                file.display(),
                r.created,
                r.updated
            );
        }
        MemberCommand::Add {
            card,
            name,
            expires,
            category,
            pin,
        } => {
            let member = Member {
                card,
                name,
                expires,
                category,
                pin,
                ..Default::default()
            };
            let req = s.req(UpsertMemberRequest {
                member: Some(member),
            })?;
            print_member(&s.client.upsert_member(req).await?.into_inner());
        }
        MemberCommand::Show { card } => {
            let req = s.req(GetMemberRequest { card })?;
            print_member(&s.client.get_member(req).await?.into_inner());
        }
        MemberCommand::Search { query } => {
            let req = s.req(SearchMembersRequest { query, limit: 50 })?;
            for m in s.client.search_members(req).await?.into_inner().members {
                print_member(&m);
            }
        }
        MemberCommand::Block { card } => {
            let req = s.req(SetMemberStatusRequest {
                card,
                status: MemberStatus::Blocked as i32,
            })?;
            print_member(&s.client.set_member_status(req).await?.into_inner());
        }
        MemberCommand::Unblock { card } => {
            let req = s.req(SetMemberStatusRequest {
                card,
                status: MemberStatus::Active as i32,
            })?;
            print_member(&s.client.set_member_status(req).await?.into_inner());
        }
    }
    Ok(())
}

async fn station(s: &mut Signed, cmd: StationCommand) -> Result<(), CliError> {
    match cmd {
        StationCommand::List => {
            let req = s.req(ListStationsRequest {})?;
            for st in s.client.list_stations(req).await?.into_inner().stations {
                let state = StationState::try_from(st.state).unwrap_or_default();
                let who = st.session.as_ref().map_or(String::new(), |x| {
                    format!("  {} ({})", x.patron_name, x.card)
                });
                println!(
                    "{:<10} {:<14} {}{}",
                    st.name,
                    state.as_str_name().trim_start_matches("STATION_STATE_"),
                    st.station_id,
                    who
                );
            }
        }
        StationCommand::Unlock {
            station,
            card,
            guest,
            minutes,
        } => {
            let who = match (card, guest) {
                (Some(card), _) => unlock_station_request::Who::Card(card),
                (None, Some(note)) => unlock_station_request::Who::GuestNote(note),
                (None, None) => return Err(CliError::Usage("give --card or --guest".into())),
            };
            let req = s.req(UnlockStationRequest {
                station,
                who: Some(who),
                minutes,
                purpose: String::new(),
            })?;
            print_session(&s.client.unlock_station(req).await?.into_inner());
        }
        StationCommand::End { station } => {
            let req = s.req(EndSessionRequest { station })?;
            print_session(&s.client.end_session(req).await?.into_inner());
        }
        StationCommand::Extend { station, minutes } => {
            let req = s.req(ExtendSessionRequest { station, minutes })?;
            print_session(&s.client.extend_session(req).await?.into_inner());
        }
        StationCommand::Message { station, text } => {
            let req = s.req(SendMessageRequest { station, text })?;
            let r = s.client.send_message(req).await?.into_inner();
            println!(
                "{}",
                if r.delivered {
                    "delivered"
                } else {
                    "not delivered (station offline)"
                }
            );
        }
        StationCommand::Maintenance { station, state } => {
            let on = match state.as_str() {
                "on" => true,
                "off" => false,
                _ => return Err(CliError::Usage("maintenance: on or off".into())),
            };
            let req = s.req(SetMaintenanceRequest { station, on })?;
            let st = s.client.set_maintenance(req).await?.into_inner();
            println!(
                "{}: maintenance {}",
                st.name,
                if st.maintenance { "on" } else { "off" }
            );
        }
        StationCommand::EnrollCode { name } => {
            let req = s.req(CreateEnrollmentCodeRequest {
                station_name: name,
                valid_minutes: 0,
            })?;
            let code = s.client.create_enrollment_code(req).await?.into_inner();
            println!("{}", code.code);
        }
    }
    Ok(())
}

fn report_format(text: &str) -> Result<ReportFormat, CliError> {
    Ok(match text {
        "text" | "json" => ReportFormat::Json,
        "csv" => ReportFormat::Csv,
        "xlsx" => ReportFormat::Xlsx,
        "pdf" => ReportFormat::Pdf,
        other => {
            return Err(CliError::Usage(format!(
                "format: text, csv, xlsx, pdf or json, not {other:?}"
            )));
        }
    })
}

fn deliver(file: &ReportFile, output: Option<PathBuf>) -> Result<(), CliError> {
    match output {
        Some(path) => {
            std::fs::write(&path, &file.content).map_err(|source| CliError::Write {
                path: path.clone(),
                source,
            })?;
            println!("wrote {} ({} bytes)", path.display(), file.content.len());
            if let Some(signed) = &file.signed {
                println!("signed by {} (SHA-256 {})", signed.signer, signed.sha256);
            }
        }
        None => {
            use std::io::Write;
            let mut out = std::io::stdout();
            out.write_all(&file.content)
                .and_then(|()| out.flush())
                .map_err(|source| CliError::Write {
                    path: PathBuf::from("-"),
                    source,
                })?;
        }
    }
    Ok(())
}

async fn report(s: &mut Signed, cmd: ReportCommand) -> Result<(), CliError> {
    use crate::report::model::{DailyRecap, MonthlyReport};
    let parse_err = |e: serde_json::Error| {
        CliError::Usage(format!("the server sent an unreadable report: {e}"))
    };
    match cmd {
        ReportCommand::Daily {
            date,
            format,
            output,
            lang,
        } => {
            let req = s.req(DailyRecapRequest {
                date: date.unwrap_or_default(),
                format: report_format(&format)? as i32,
                lang,
            })?;
            let file = s.client.daily_recap(req).await?.into_inner();
            if format == "text" && output.is_none() {
                let recap: DailyRecap = serde_json::from_slice(&file.content).map_err(parse_err)?;
                println!("{} — {}", recap.header.library_name, recap.date);
                for r in &recap.rows {
                    println!(
                        "{} {:>5} {:<8} {:<10} {:<24} {:<12} {:<24} {:>4} min  {}",
                        r.start,
                        r.end,
                        r.station,
                        r.card,
                        r.name,
                        r.category,
                        r.purpose,
                        r.minutes,
                        r.end_reason
                    );
                }
                println!(
                    "{} sessions, {} members, {} guests, {} minutes",
                    recap.total_sessions,
                    recap.unique_members,
                    recap.guest_sessions,
                    recap.total_minutes
                );
                return Ok(());
            }
            deliver(&file, output)
        }
        ReportCommand::Monthly {
            month,
            format,
            output,
            lang,
        } => {
            let req = s.req(MonthlyReportRequest {
                month,
                format: report_format(&format)? as i32,
                lang,
            })?;
            let file = s.client.monthly_report(req).await?.into_inner();
            if format == "text" && output.is_none() {
                let r: MonthlyReport = serde_json::from_slice(&file.content).map_err(parse_err)?;
                let t = &r.totals;
                println!("{} — {}", r.header.library_name, r.month);
                println!(
                    "{} sessions, {} members, {} guest sessions, {:.1} hours, {:.1} min average, {:.1}% utilisation of {} stations",
                    t.sessions,
                    t.unique_members,
                    t.guest_sessions,
                    t.hours,
                    t.average_minutes,
                    t.utilisation_percent,
                    t.stations
                );
                for st in &r.per_station {
                    println!(
                        "  {:<10} {:>5} sessions {:>7} min {:>5.1}%",
                        st.station, st.sessions, st.minutes, st.utilisation_percent
                    );
                }
                if let Some(signed) = &r.signed {
                    println!("signed by {} on {}", signed.name, signed.signed_at);
                }
                if !r.addendum.is_empty() {
                    println!(
                        "addendum: {} sessions arrived after signing",
                        r.addendum.len()
                    );
                }
                return Ok(());
            }
            deliver(&file, output)
        }
        ReportCommand::Sign { month } => {
            let req = s.req(SignMonthlyReportRequest { month })?;
            let info = s.client.sign_monthly_report(req).await?.into_inner();
            println!(
                "signed {} by {}; SHA-256 {}; key {}",
                info.month, info.signer, info.sha256, info.public_key
            );
            Ok(())
        }
        ReportCommand::Verify { file, public_key } => {
            println!("{}", verify_file(&file, public_key.as_deref())?);
            Ok(())
        }
        ReportCommand::PublicKey => {
            let req = s.req(ReportPublicKeyRequest {})?;
            println!(
                "{}",
                s.client
                    .report_public_key(req)
                    .await?
                    .into_inner()
                    .public_key
            );
            Ok(())
        }
    }
}

/// `report verify FILE`: checks a signed PDF offline (no server needed).
pub fn verify_file(path: &std::path::Path, public_key: Option<&str>) -> Result<String, CliError> {
    let bytes = std::fs::read(path).map_err(|source| CliError::Read {
        path: path.to_owned(),
        source,
    })?;
    let v = crate::report::signing::verify(&bytes, public_key)
        .map_err(|e| CliError::Invalid(e.to_string()))?;
    let pinned = if public_key.is_some() {
        "the expected key"
    } else {
        "the key in the file (pass --public-key to pin the server's key)"
    };
    let audit = match &v.audit_head {
        Some((seq, mac)) => format!("; audit chain head #{seq} {mac}"),
        None => String::new(),
    };
    Ok(format!(
        "valid: report {} signed by {}; SHA-256 {}{audit}; signed with {pinned}: {}",
        v.month, v.signer, v.sha256, v.public_key
    ))
}

/// `audit verify`: checks the whole audit chain of a stopped server's data
/// directory, or of a backup file (restored into a temporary directory
/// first), offline: every entry's HMAC and link, the chain head, and the
/// chain head signed into each monthly report. `Ok` says how many entries
/// hold; the error names the first bad entry and why.
pub fn audit_verify(
    data_dir: Option<&std::path::Path>,
    backup: Option<&std::path::Path>,
) -> Result<String, CliError> {
    match (data_dir, backup) {
        (Some(dir), None) => {
            if !dir.join("db").exists() {
                return Err(CliError::Usage(format!(
                    "{} is not a Bilik data directory",
                    dir.display()
                )));
            }
            let store = crate::store::Store::open(dir).map_err(|e| {
                CliError::Usage(format!(
                    "cannot open the store in {} (stop the server first, or verify a backup): {e}",
                    dir.display()
                ))
            })?;
            audit_verify_store(&store)
        }
        (None, Some(file)) => {
            let tmp = std::env::temp_dir().join(format!(
                "bilik-audit-verify-{}-{}",
                std::process::id(),
                crate::credentials::random_hex(6).map_err(|e| CliError::Usage(e.to_string()))?
            ));
            let restored = tmp.join("data");
            let outcome = (|| {
                crate::store::Store::restore_backup(file, &restored)
                    .map_err(|e| CliError::Invalid(format!("the backup: {e}")))?;
                let store = crate::store::Store::open(&restored)
                    .map_err(|e| CliError::Usage(format!("cannot open the restored copy: {e}")))?;
                let said = audit_verify_store(&store);
                drop(store);
                said
            })();
            let _ = std::fs::remove_dir_all(&tmp);
            outcome.map(|ok| format!("{ok} (backup {})", file.display()))
        }
        _ => Err(CliError::Usage(
            "give --data-dir DIR or --backup FILE (one of them)".into(),
        )),
    }
}

fn audit_verify_store(store: &crate::store::Store) -> Result<String, CliError> {
    let store_failed = |e: crate::store::StoreError| CliError::Invalid(format!("audit log: {e}"));
    let verdict = store.verify_audit_full().map_err(store_failed)?;
    if let Some(bad) = verdict.bad {
        return Err(CliError::Invalid(format!(
            "audit log broken at entry #{}: {} ({} entries before it hold)",
            bad.seq,
            bad.fault,
            bad.seq.saturating_sub(1)
        )));
    }
    // Each signed report's stored head must be the one its signature covers.
    let reports = store.signed_reports().map_err(store_failed)?;
    // Signed with this server's key (a report re-signed with another key
    // would not anchor anything).
    let server_key = store
        .meta("report_signing_key")
        .map_err(store_failed)?
        .and_then(|k| <[u8; 32]>::try_from(k.as_slice()).ok())
        .map(|k| crate::report::signing::public_key_hex(&k));
    for report in &reports {
        let signed = crate::report::signing::verify(&report.pdf, server_key.as_deref())
            .map_err(|e| CliError::Invalid(format!("signed report {}: {e}", report.month)))?;
        let stored = (report.audit_seq > 0).then(|| (report.audit_seq, report.audit_mac.clone()));
        if signed.audit_head != stored {
            return Err(CliError::Invalid(format!(
                "signed report {}: its stored audit chain head is not the one it was signed with",
                report.month
            )));
        }
    }
    let anchored = reports.iter().filter(|r| r.audit_seq > 0).count();
    Ok(format!(
        "ok: {} entries, chain head #{}; {anchored} signed monthly report(s) anchor it",
        verdict.checked, verdict.last_seq
    ))
}

fn print_member(m: &Member) {
    let status = MemberStatus::try_from(m.status).unwrap_or_default();
    println!(
        "{:<12} {:<30} {:<12} expires {:<10} {}",
        m.card,
        m.name,
        m.category,
        m.expires,
        status.as_str_name().trim_start_matches("MEMBER_STATUS_")
    );
}

fn print_session(s: &SessionInfo) {
    let reason = EndReason::try_from(s.end_reason).unwrap_or_default();
    let end = if s.ended_at_ms == 0 {
        format!("open until {}", fmt_ms(s.ends_at_ms))
    } else {
        format!(
            "ended {} {}",
            fmt_ms(s.ended_at_ms),
            reason.as_str_name().trim_start_matches("END_REASON_")
        )
    };
    println!(
        "{}  {:<8} {:<10} {:<24} {}  {}",
        fmt_ms(s.started_at_ms),
        s.station_name,
        s.card,
        s.patron_name,
        end,
        s.session_id
    );
}

fn fmt_ms(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.format("%Y-%m-%d %H:%M:%SZ").to_string())
        .unwrap_or_default()
}
