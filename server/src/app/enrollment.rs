//! Enrolling stations with one-time codes, and checking their credentials.

use super::alerts::{AlertKind, Occurrence};
use super::throttles;
use super::{App, Error, Result, StaffIdentity, clean_line};
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
        let secret = enrollment_code()?;
        let record = EnrollmentCodeRecord {
            code_hash: sha256_hex(&normalise_code(&secret)),
            station_name: clean_line(station_name, 40),
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
        // The code carries a tag of the server certificate's fingerprint,
        // so the agent can check the certificate before sending the code.
        let (code, server_fingerprint) = match self.tls() {
            Some(tls) => {
                let tag = bilik_proto::transport::code_tag(&tls.fingerprint);
                let groups: Vec<&str> = (0..tag.len())
                    .step_by(4)
                    .map(|i| &tag[i..(i + 4).min(tag.len())])
                    .collect();
                (
                    format!("{secret}-{}", groups.join("-")),
                    tls.fingerprint.clone(),
                )
            }
            None => (secret, String::new()),
        };
        Ok(EnrollmentCode {
            code,
            expires_at_ms: record.expires_at_ms,
            station_name: record.station_name,
            server_fingerprint,
        })
    }

    /// Trades a code for a station credential. A code made for a station
    /// name enrols that station, replacing the credential of an existing
    /// one of that name (a reinstalled PC); a code made without a name only
    /// creates a new station, so it cannot take over an existing one.
    /// Every enrolment and every wrong code is audited; `source` (the
    /// caller's address) is slowed down after repeated wrong codes.
    pub async fn enroll(&self, req: &EnrollRequest, source: &str) -> Result<EnrollResponse> {
        if let Err(ms) = throttles::check(&self.inner.throttles.enrol_codes, source, self.now_ms())
        {
            throttles::tarpit(ms).await;
            return Err(Error::ResourceExhausted(format!(
                "too many wrong enrolment codes from this address; try again in {} s",
                (ms + 999) / 1000
            )));
        }
        let (secret, tag) = bilik_proto::transport::split_code(&req.code);
        if let Some(tls) = self.tls()
            && !tag.is_empty()
            && tag != bilik_proto::transport::code_tag(&tls.fingerprint)
        {
            self.code_failed(source, "made for another server certificate")
                .await;
            return Err(Error::PermissionDenied(
                "this enrolment code was made for another server certificate".into(),
            ));
        }
        let code = self
            .store()
            .take_enrollment_code(&sha256_hex(&secret))?
            // Made durable with the station below (one sync covers both).
            .defer();
        let Some(code) = code else {
            self.code_failed(source, "unknown or used").await;
            return Err(Error::PermissionDenied(
                "unknown or already used enrolment code".into(),
            ));
        };
        if code.expires_at_ms <= self.now_ms() {
            self.code_failed(source, "expired").await;
            return Err(Error::PermissionDenied(
                "this enrolment code has expired".into(),
            ));
        }
        let bound = !code.station_name.is_empty();
        let name = match (code.station_name.as_str(), clean_line(&req.name, 40)) {
            ("", wanted) if !wanted.is_empty() => wanted,
            ("", _) => format!("PC-{}", self.store().stations()?.len() + 1),
            (fixed, _) => fixed.to_owned(),
        };
        let existing = self.store().station_by_name(&name)?;
        if existing.is_some() && !bound {
            self.audit(
                &code.created_by,
                "station.enroll_refused",
                &name,
                "an unbound code cannot replace an existing station",
            )
            .await;
            return Err(Error::AlreadyExists(format!(
                "a station named {name} exists; replacing its credential needs a code made for {name}"
            )));
        }
        let replaced = existing.is_some();
        let mut station = match existing {
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
        station.hostname = clean_line(&req.hostname, 100);
        station.os = clean_line(&req.os, 100);
        station.agent_version = clean_line(&req.agent_version, 40);
        self.store().put_station(&station)?.durable().await?;
        tracing::info!(station = %station.station_id, name = %station.name, replaced, "station enrolled");
        self.audit(
            &code.created_by,
            if replaced {
                "station.reenroll"
            } else {
                "station.enroll"
            },
            &station.name,
            // The address and host name, in no language's words: the
            // catalogue's sentence around them says what they are.
            &format!("{source}, {}", station.hostname),
        )
        .await;
        self.hub().changed(&station.station_id);
        Ok(EnrollResponse {
            credential: format!("{}.{}", station.station_id, secret),
            station_id: station.station_id,
            station_name: station.name,
        })
    }

    /// Counts a wrong code from `source`: one audit entry per burst from
    /// an address, an alert once it is slowed down.
    async fn code_failed(&self, source: &str, why: &str) {
        let f = throttles::fail(&self.inner.throttles.enrol_codes, source, self.now_ms());
        tracing::warn!(%source, why, failures = f.failures, "wrong enrolment code");
        self.note_alert(
            AlertKind::EnrolCodeFailures,
            source,
            Occurrence::Open,
            &format!("first wrong code: {why}"),
        )
        .await;
        if f.started_waiting(&throttles::ENROL_CODES) {
            self.show_alert(AlertKind::EnrolCodeFailures, source);
        }
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
