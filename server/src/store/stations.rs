//! Stations and the one-time codes that enrol them.

use super::{Result, Store, decode_all, get};
use bilik_proto::store::v1::{EnrollmentCodeRecord, StationRecord};
use prost::Message;

impl Store {
    /// The station with this id.
    pub fn station(&self, station_id: &str) -> Result<Option<StationRecord>> {
        get(&self.stations, "stations", station_id)
    }

    /// The station with this name (case-insensitive).
    pub fn station_by_name(&self, name: &str) -> Result<Option<StationRecord>> {
        Ok(self
            .stations()?
            .into_iter()
            .find(|s| s.name.eq_ignore_ascii_case(name)))
    }

    /// Writes a station.
    pub fn put_station(&self, station: &StationRecord) -> Result<()> {
        self.stations
            .insert(station.station_id.as_bytes(), station.encode_to_vec())?;
        Ok(())
    }

    /// Every station, in id order.
    pub fn stations(&self) -> Result<Vec<StationRecord>> {
        decode_all("stations", self.stations.iter())
    }

    /// Stores a new enrolment code (by its hash).
    pub fn put_enrollment_code(&self, code: &EnrollmentCodeRecord) -> Result<()> {
        self.enrollment_codes
            .insert(code.code_hash.as_bytes(), code.encode_to_vec())?;
        Ok(())
    }

    /// Removes and returns the code with this hash: a code works once, even
    /// when two stations race for it.
    pub fn take_enrollment_code(&self, code_hash: &str) -> Result<Option<EnrollmentCodeRecord>> {
        self.enrollment_codes
            .remove(code_hash.as_bytes())?
            .map(|v| super::decode("enrollment_codes", &v))
            .transpose()
    }
}
