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
pub mod config_toml;
pub mod transport;

pub use transport::{ConnectError, ServerTrust, connect};

/// Adds `authorization: Bearer <secret>` to every call: a station
/// credential or a staff token.
#[derive(Debug, Clone)]
pub struct Bearer(tonic::metadata::MetadataValue<tonic::metadata::Ascii>);

impl Bearer {
    /// Fails if `secret` cannot travel in a header (control characters).
    pub fn new(secret: &str) -> Result<Bearer, tonic::metadata::errors::InvalidMetadataValue> {
        Ok(Bearer(format!("Bearer {secret}").parse()?))
    }
}

impl tonic::service::Interceptor for Bearer {
    fn call(&mut self, mut req: tonic::Request<()>) -> Result<tonic::Request<()>, tonic::Status> {
        req.metadata_mut().insert("authorization", self.0.clone());
        Ok(req)
    }
}
