//! Staff accounts.

use super::{Pending, Result, Store, decode_all, get};
use bilik_proto::store::v1::StaffRecord;
use prost::Message;

impl Store {
    /// The staff account with this username.
    pub fn staff(&self, username: &str) -> Result<Option<StaffRecord>> {
        get(&self.staff, "staff", username)
    }

    /// Creates a staff account; `false` (and nothing written) if the name is taken.
    pub fn create_staff(&self, staff: &StaffRecord) -> Result<Pending<'_, bool>> {
        let created = self
            .staff
            .compare_and_swap(
                staff.username.as_bytes(),
                None::<&[u8]>,
                Some(staff.encode_to_vec()),
            )?
            .is_ok();
        Ok(if created {
            Pending::wrote(self, true)
        } else {
            Pending::nothing(self, false)
        })
    }

    /// Rewrites an existing staff account (password reset, disabling).
    pub fn put_staff(&self, staff: &StaffRecord) -> Result<Pending<'_, ()>> {
        self.staff
            .insert(staff.username.as_bytes(), staff.encode_to_vec())?;
        Ok(Pending::wrote(self, ()))
    }

    /// Every staff account.
    pub fn all_staff(&self) -> Result<Vec<StaffRecord>> {
        decode_all("staff", self.staff.iter())
    }
}
