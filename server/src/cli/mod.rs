//! `bilik-server`'s admin subcommands: a gRPC client of a running server
//! (sled locks its directory, so they never open the store themselves).
//!
//! - [`args`]: the clap types (what the command line says).
//! - `client`: whom to trust, signing in, the bearer token.
//! - `handlers`: one function per command group, calling the server.
//! - `print`: how wire views are printed, times in library time.
//! - `offline`: the commands that need no server (`report verify`,
//!   `audit verify`).

pub mod args;
mod client;
mod handlers;
mod offline;
mod print;

pub use args::{
    AdminCommand, Connection, MemberCommand, QueueCommand, ReportCommand, StationCommand,
};
pub use client::trust;
pub use offline::{audit_verify, verify_file};

use std::path::PathBuf;

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

/// Runs one admin command against a server; prints its result.
pub async fn run(conn: &Connection, cmd: AdminCommand) -> Result<(), CliError> {
    if let AdminCommand::Report(ReportCommand::Verify { file, public_key }) = &cmd {
        println!("{}", verify_file(file, public_key.as_deref())?);
        return Ok(());
    }
    let mut s = client::Signed::sign_in(conn).await?;
    match cmd {
        AdminCommand::Member(m) => handlers::member(&mut s, m).await,
        AdminCommand::Station(c) => handlers::station(&mut s, c).await,
        AdminCommand::Queue(q) => handlers::queue(&mut s, q).await,
        AdminCommand::Sessions {
            from,
            to,
            station,
            card,
        } => handlers::sessions(&mut s, from, to, station, card).await,
        AdminCommand::Report(r) => handlers::report(&mut s, r).await,
        AdminCommand::Backup { out } => handlers::backup(&mut s, &out).await,
        AdminCommand::StaffAdd {
            username,
            role,
            display_name,
            nip,
            new_password,
        } => handlers::staff_add(&mut s, username, &role, display_name, nip, new_password).await,
    }
}
