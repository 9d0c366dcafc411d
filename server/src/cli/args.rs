//! The admin subcommands' command line (clap types only).

use clap::{Args, Subcommand};
use std::path::PathBuf;

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
    /// The waiting queue for walk-in patrons: add, list, remove.
    #[command(subcommand)]
    Queue(QueueCommand),
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

/// Waiting-queue commands.
#[derive(Debug, Subcommand)]
pub enum QueueCommand {
    /// Add a walk-in patron (by library card) to the end of the queue.
    Add {
        /// The patron's card number.
        card: String,
    },
    /// The queue: position, card, name, waiting since, estimated wait, hold.
    List,
    /// Take a patron off the queue.
    Remove {
        /// The patron's card number.
        card: String,
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
        /// Username of the staff member who prepared the report (named on
        /// it beside you); without it the line is left blank.
        #[arg(long, default_value = "")]
        prepared_by: String,
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
    /// Import a membership export: SLiMS (CSV) or INLISLite (Excel .xlsx,
    /// .xls), told apart by the file's content; all rows or none.
    Import {
        /// The exported file.
        file: PathBuf,
        /// The language of a refused file's problems: id or en (default:
        /// the operator's locale, `LC_ALL`/`LC_MESSAGES`/`LANG`, when it
        /// is Indonesian; English otherwise).
        #[arg(long)]
        lang: Option<String>,
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
