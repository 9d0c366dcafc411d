//! Compiles the .proto files with protox (pure Rust): no system protoc needed.

use prost::Message;

const PROTOS: &[&str] = &[
    "bilik/v1/station.proto",
    "bilik/v1/admin.proto",
    "bilik/store/v1/records.proto",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    for proto in PROTOS {
        println!("cargo:rerun-if-changed={proto}");
    }
    let out_dir = std::path::PathBuf::from(std::env::var("OUT_DIR")?);
    let fds = protox::compile(PROTOS, ["."])?;
    // The descriptor set feeds gRPC reflection, so grpcurl can list and call.
    std::fs::write(out_dir.join("bilik_descriptor.bin"), fds.encode_to_vec())?;
    tonic_prost_build::configure().compile_fds(fds)?;
    Ok(())
}
