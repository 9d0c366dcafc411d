//! Bilik's protocol, generated from `bilik/**.proto` at build time.
//!
//! - [`v1`]: the `Station` (agent <-> server) and `Admin` (staff tools) services.
//! - [`store::v1`]: how the server stores its records.
#![allow(missing_docs, clippy::all, missing_debug_implementations)]

/// The public wire protocol.
pub mod v1 {
    tonic::include_proto!("bilik.v1");
}

/// Stored records (server-internal).
pub mod store {
    pub mod v1 {
        tonic::include_proto!("bilik.store.v1");
    }
}

/// Encoded descriptors of every service, for gRPC reflection.
pub const FILE_DESCRIPTOR_SET: &[u8] = tonic::include_file_descriptor_set!("bilik_descriptor");
