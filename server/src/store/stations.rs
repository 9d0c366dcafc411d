//! Stations and the one-time codes that enrol them.

use super::{Pending, Result, Store, StoreError, decode_all, flatten, get};
use bilik_proto::store::v1::{EnrollmentCodeRecord, StationRecord};
use prost::Message;
use sled::Transactional;
use sled::transaction::ConflictableTransactionError;

/// The name index's key: names are unique regardless of case.
fn name_key(name: &str) -> Vec<u8> {
    name.trim().to_lowercase().into_bytes()
}

impl Store {
    /// The station with this id.
    pub fn station(&self, station_id: &str) -> Result<Option<StationRecord>> {
        get(&self.stations, "stations", station_id)
    }

    /// The station with this name (case-insensitive), through the name
    /// index: one lookup, however many stations there are.
    pub fn station_by_name(&self, name: &str) -> Result<Option<StationRecord>> {
        match self.station_names.get(name_key(name))? {
            Some(id) => get(&self.stations, "stations", id),
            None => Ok(None),
        }
    }

    /// Writes a station and keeps the name index in step (a renamed
    /// station's old name stops finding it), atomically.
    pub fn put_station(&self, station: &StationRecord) -> Result<Pending<'_, ()>> {
        let id = station.station_id.as_bytes();
        let value = station.encode_to_vec();
        let new_name = name_key(&station.name);
        (&self.stations, &self.station_names)
            .transaction(|(stations, names)| {
                if let Some(old) = stations.insert(id, value.as_slice())?
                    && let Ok(old) = StationRecord::decode(old.as_ref())
                {
                    let old_name = name_key(&old.name);
                    if old_name != new_name && names.get(&old_name)?.as_deref() == Some(id) {
                        names.remove(old_name)?;
                    }
                }
                if !station.name.is_empty() {
                    names.insert(new_name.as_slice(), id)?;
                }
                Ok::<_, ConflictableTransactionError<StoreError>>(())
            })
            .map_err(flatten)?;
        Ok(Pending::wrote(self, ()))
    }

    /// Sets or clears a station's maintenance flag, reading the record as
    /// committed (a concurrent hello or rename is not undone). `None` for an
    /// unknown station.
    pub fn set_station_maintenance(
        &self,
        station_id: &str,
        on: bool,
    ) -> Result<Pending<'_, Option<StationRecord>>> {
        let id = station_id.as_bytes();
        let updated = self
            .stations
            .transaction(|stations| {
                let Some(bytes) = stations.get(id)? else {
                    return Ok(None);
                };
                let mut record: StationRecord = super::decode("stations", &bytes)
                    .map_err(ConflictableTransactionError::Abort)?;
                record.maintenance = on;
                stations.insert(id, record.encode_to_vec())?;
                Ok(Some(record))
            })
            .map_err(flatten)?;
        Ok(Pending::wrote(self, updated))
    }

    /// Builds the name index of a store written before it existed.
    pub(super) fn index_station_names(&self) -> Result<()> {
        if !self.station_names.is_empty() {
            return Ok(());
        }
        for station in self.stations()? {
            if !station.name.is_empty() {
                self.station_names
                    .insert(name_key(&station.name), station.station_id.as_bytes())?;
            }
        }
        Ok(())
    }

    /// How many stations are enrolled (without decoding them).
    pub fn station_count(&self) -> usize {
        self.stations.len()
    }

    /// Every station, in id order.
    pub fn stations(&self) -> Result<Vec<StationRecord>> {
        decode_all("stations", self.stations.iter())
    }

    /// Stores a new enrolment code (by its hash).
    pub fn put_enrollment_code(&self, code: &EnrollmentCodeRecord) -> Result<Pending<'_, ()>> {
        self.enrollment_codes
            .insert(code.code_hash.as_bytes(), code.encode_to_vec())?;
        Ok(Pending::wrote(self, ()))
    }

    /// Removes and returns the code with this hash: a code works once, even
    /// when two stations race for it.
    pub fn take_enrollment_code(
        &self,
        code_hash: &str,
    ) -> Result<Pending<'_, Option<EnrollmentCodeRecord>>> {
        let taken = self
            .enrollment_codes
            .remove(code_hash.as_bytes())?
            .map(|v| super::decode("enrollment_codes", &v))
            .transpose()?;
        Ok(match taken {
            Some(code) => Pending::wrote(self, Some(code)),
            None => Pending::nothing(self, None),
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn station(id: &str, name: &str) -> StationRecord {
        StationRecord {
            station_id: id.into(),
            name: name.into(),
            ..Default::default()
        }
    }

    #[test]
    fn names_find_stations_case_insensitively_and_follow_renames() {
        let store = Store::temporary().unwrap();
        store
            .put_station(&station("st_1", "PC-01"))
            .unwrap()
            .durable_blocking()
            .unwrap();
        store
            .put_station(&station("st_2", "PC-02"))
            .unwrap()
            .durable_blocking()
            .unwrap();
        assert_eq!(
            store.station_by_name("pc-01").unwrap().unwrap().station_id,
            "st_1"
        );
        assert_eq!(
            store
                .station_by_name(" PC-02 ")
                .unwrap()
                .unwrap()
                .station_id,
            "st_2"
        );
        assert!(store.station_by_name("PC-03").unwrap().is_none());
        // A rename: the old name no longer finds it, the new one does.
        store
            .put_station(&station("st_1", "Lantai2-A"))
            .unwrap()
            .durable_blocking()
            .unwrap();
        assert!(store.station_by_name("PC-01").unwrap().is_none());
        assert_eq!(
            store
                .station_by_name("lantai2-a")
                .unwrap()
                .unwrap()
                .station_id,
            "st_1"
        );
        // A store written before the index: the index is built at open.
        store.station_names.clear().unwrap();
        store.index_station_names().unwrap();
        assert_eq!(
            store.station_by_name("PC-02").unwrap().unwrap().station_id,
            "st_2"
        );
    }
}
