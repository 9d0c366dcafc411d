//! systemd unit files as the tests read them: the `[Service]` section's
//! `key=value` lines (the kiosk unit in `docs/kiosk/`, the packaged units).

/// The `[Service]` section of a unit file.
#[derive(Debug, Clone)]
pub struct ServiceSection {
    /// Its `key=value` lines in order, trimmed, comments left out.
    keys: Vec<(String, String)>,
}

impl ServiceSection {
    /// Reads the `[Service]` section of `unit` (the text of a unit file).
    pub fn parse(unit: &str) -> ServiceSection {
        let keys = unit
            .lines()
            .skip_while(|l| l.trim() != "[Service]")
            .skip(1)
            .take_while(|l| !l.starts_with('['))
            .filter(|l| !l.trim_start().starts_with('#'))
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
            .collect();
        ServiceSection { keys }
    }

    /// The first value of `key`, if the section sets it.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.keys
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}
