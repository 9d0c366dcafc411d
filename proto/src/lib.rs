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

/// Opens a channel to a Bilik server. The one place where clients set up the
/// transport (TLS and certificate pinning will slot in here).
pub async fn connect(url: &str) -> Result<tonic::transport::Channel, tonic::transport::Error> {
    tonic::transport::Endpoint::from_shared(url.to_owned())?
        .connect_timeout(std::time::Duration::from_secs(5))
        // Notice a dead network (no reset) in ~30 s instead of a TCP timeout.
        .http2_keep_alive_interval(std::time::Duration::from_secs(20))
        .keep_alive_timeout(std::time::Duration::from_secs(10))
        .keep_alive_while_idle(true)
        .connect()
        .await
}

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
