//! Bilik's protocol, generated from `bilik/**.proto` at build time.
//!
//! - [`v1`]: the `Station` (agent <-> server) and `Admin` (staff tools) services.
//! - [`store::v1`]: how the server stores its records.

/// The public wire protocol.
#[allow(clippy::all, missing_debug_implementations)]
pub mod v1 {
    tonic::include_proto!("bilik.v1");
}

/// Stored records (server-internal).
#[allow(clippy::all, missing_debug_implementations)]
pub mod store {
    pub mod v1 {
        tonic::include_proto!("bilik.store.v1");
    }
}

/// Encoded descriptors of every service, for gRPC reflection.
pub const FILE_DESCRIPTOR_SET: &[u8] = tonic::include_file_descriptor_set!("bilik_descriptor");

pub mod catalog;

/// Opens a channel to a Bilik server. The one place where clients set up the
/// transport (TLS and certificate pinning will slot in here).
pub async fn connect(url: &str) -> Result<tonic::transport::Channel, tonic::transport::Error> {
    tonic::transport::Endpoint::from_shared(url.to_owned())?
        .connect_timeout(std::time::Duration::from_secs(5))
        .connect()
        .await
}
