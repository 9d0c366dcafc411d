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
    /// The server could not be reached.
    #[error("cannot reach the server at {url}: {source}")]
    Connect {
        /// The address tried.
        url: String,
        /// What the transport said.
        source: tonic::transport::Error,
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
}

/// How to reach and sign in to the server.
#[derive(Debug, Args)]
pub struct Connection {
    /// The server's gRPC address.
    #[arg(
        long,
        env = "BILIK_SERVER",
        default_value = "http://127.0.0.1:50551",
        global = true
    )]
    pub server: String,
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

/// Runs one admin command against a server; prints its result.
pub async fn run(conn: &Connection, cmd: AdminCommand) -> Result<(), CliError> {
    let channel = bilik_proto::connect(&conn.server)
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
