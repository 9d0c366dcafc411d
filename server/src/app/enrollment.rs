//! Enrolling stations with one-time codes, and checking their credentials.

use super::{App, Error, Result, StaffIdentity, clean_text};
use crate::credentials::{
    enrollment_code, normalise_code, random_hex, same_hash, sha256_hex, split_station_credential,
};
use bilik_proto::store::v1::{EnrollmentCodeRecord, StationRecord};
use bilik_proto::v1::{EnrollRequest, EnrollResponse, EnrollmentCode};

impl App {
    /// Makes a one-time enrolment code (admins only).
    pub async fn create_enrollment_code(
        &self,
        by: &StaffIdentity,
        station_name: &str,
        valid_minutes: u32,
    ) -> Result<EnrollmentCode> {
        by.require_admin()?;
        let minutes = match valid_minutes {
            0 => self.config().enrollment_code_minutes,
            m => m.min(7 * 24 * 60),
        };
        let code = enrollment_code()?;
        let record = EnrollmentCodeRecord {
            code_hash: sha256_hex(&normalise_code(&code)),
            station_name: clean_text(station_name, 40),
            expires_at_ms: self.now_ms() + i64::from(minutes) * 60_000,
            created_by: by.username.clone(),
        };
        self.store().put_enrollment_code(&record)?.durable().await?;
        tracing::info!(by = %by.username, name = %record.station_name, "enrolment code made");
        self.audit(
            &by.username,
            "station.enroll_code",
            &record.station_name,
            "",
        )
        .await;
        Ok(EnrollmentCode {
            code,
            expires_at_ms: record.expires_at_ms,
            station_name: record.station_name,
        })
    }

    /// Trades a code for a station credential. A station enrolled again
    /// under an existing name keeps its id and gets a new credential (a
    /// reinstalled PC).
    pub async fn enroll(&self, req: &EnrollRequest) -> Result<EnrollResponse> {
        let code_hash = sha256_hex(&normalise_code(&req.code));
        let code = self
            .store()
            .take_enrollment_code(&code_hash)?
            // Made durable with the station below (one sync covers both).
            .defer()
            .ok_or_else(|| {
                Error::PermissionDenied("unknown or already used enrolment code".into())
            })?;
        if code.expires_at_ms <= self.now_ms() {
            return Err(Error::PermissionDenied(
                "this enrolment code has expired".into(),
            ));
        }
        let name = match (code.station_name.as_str(), clean_text(&req.name, 40)) {
            ("", wanted) if !wanted.is_empty() => wanted,
            ("", _) => format!("PC-{}", self.store().stations()?.len() + 1),
            (fixed, _) => fixed.to_owned(),
        };
        let mut station = match self.store().station_by_name(&name)? {
            Some(existing) => existing,
            None => StationRecord {
                station_id: format!("st_{}", random_hex(6)?),
                name,
                enrolled_at_ms: self.now_ms(),
                ..Default::default()
            },
        };
        let secret = random_hex(32)?;
        station.credential_hash = sha256_hex(&secret);
        station.hostname = clean_text(&req.hostname, 100);
        station.os = clean_text(&req.os, 100);
        station.agent_version = clean_text(&req.agent_version, 40);
        self.store().put_station(&station)?.durable().await?;
        tracing::info!(station = %station.station_id, name = %station.name, "station enrolled");
        self.hub().changed(&station.station_id);
        Ok(EnrollResponse {
            credential: format!("{}.{}", station.station_id, secret),
            station_id: station.station_id,
            station_name: station.name,
        })
    }

    /// The station whose credential this is.
    pub fn authenticate_station(&self, credential: &str) -> Result<StationRecord> {
        let refused = || Error::Unauthenticated("missing or invalid station credential".into());
        let (station_id, secret) = split_station_credential(credential).ok_or_else(refused)?;
        if station_id.len() > 64 {
            return Err(refused());
        }
        let station = self.store().station(station_id)?.ok_or_else(refused)?;
        if !same_hash(&station.credential_hash, &sha256_hex(secret)) {
            return Err(refused());
        }
        Ok(station)
    }
}
