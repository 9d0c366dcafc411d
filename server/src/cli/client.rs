//! Reaching the server: which certificate to trust, signing in, and the
//! bearer token on every call.

use super::{CliError, Connection};
use crate::cli::print::LibraryTime;
use bilik_proto::v1::SignInRequest;
use bilik_proto::v1::admin_client::AdminClient;
use tonic::Request;
use tonic::transport::Channel;

/// A signed-in admin client.
pub(super) struct Signed {
    /// The gRPC client.
    pub(super) client: AdminClient<Channel>,
    /// The bearer token from sign-in.
    token: String,
    /// The library's time zone (from sign-in), so printed times are the
    /// ones the dashboard shows.
    pub(super) time: LibraryTime,
}

impl Signed {
    /// Connects to the server and signs in with the connection's account.
    pub(super) async fn sign_in(conn: &Connection) -> Result<Self, CliError> {
        let channel = bilik_proto::connect(&conn.server, &trust(conn)?)
            .await
            .map_err(|source| CliError::Connect {
                url: conn.server.clone(),
                source,
            })?;
        let mut client = AdminClient::new(channel);
        let password = conn.password.clone().ok_or_else(|| {
            CliError::Usage("set BILIK_PASSWORD (or --password) to sign in".into())
        })?;
        let signed_in = client
            .sign_in(SignInRequest {
                username: conn.user.clone(),
                password,
            })
            .await?
            .into_inner();
        Ok(Self {
            client,
            token: signed_in.token,
            time: LibraryTime::named(&signed_in.time_zone),
        })
    }

    /// Wraps a message with the bearer token.
    pub(super) fn req<T>(&self, msg: T) -> Result<Request<T>, CliError> {
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
