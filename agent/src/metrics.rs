//! The heartbeat's sysinfo sample: CPU %, memory used/total, uptime, free
//! space on the system disk, hostname and OS.
//!
//! One [`sysinfo::System`] (and one disk list) is kept for the life of the
//! agent: CPU usage is a difference between two refreshes, so a fresh
//! `System` per heartbeat would always read 0 %. Refreshes happen no faster
//! than [`sysinfo::MINIMUM_CPU_UPDATE_INTERVAL`]; a sample asked for sooner
//! is the previous one again. The host name and OS are read once (they do
//! not change while the agent runs).
//!
//! Sampling reads `/proc` and calls `statvfs`: the caller runs it off the
//! async runtime (`spawn_blocking`).

use std::path::PathBuf;
use std::time::Instant;

use bilik_proto::v1::Metrics;
use sysinfo::{CpuRefreshKind, DiskRefreshKind, Disks, MemoryRefreshKind, System};

/// Keeps the sysinfo state between samples.
#[derive(Debug)]
pub struct Sampler {
    /// CPU and memory; `None` where sysinfo cannot work (then those read 0).
    system: Option<System>,
    /// The mounted file systems, for the system disk's free space.
    disks: Option<Disks>,
    /// Where the system disk is mounted ("/" on Unix, `%SystemDrive%\` on
    /// Windows): the disk with the longest mount point above it counts.
    system_path: PathBuf,
    /// When `system` was last refreshed, to respect the minimum interval.
    refreshed: Option<Instant>,
    /// The last sample, returned again when asked too soon.
    last: Metrics,
}

impl Default for Sampler {
    fn default() -> Self {
        Self::new()
    }
}

impl Sampler {
    /// A sampler with a first reading taken (so the next sample has a CPU
    /// difference to compute).
    pub fn new() -> Sampler {
        let system = match System::new() {
            Ok(s) => Some(s),
            Err(e) => {
                tracing::warn!(error = %e, "no CPU and memory metrics on this system");
                None
            }
        };
        let disks = match Disks::new_with_refreshed_list_specifics(
            DiskRefreshKind::nothing().with_storage(),
        ) {
            Ok(d) => Some(d),
            Err(e) => {
                tracing::warn!(error = %e, "no disk metrics on this system");
                None
            }
        };
        let last = Metrics {
            hostname: host_name(),
            os: os_name(),
            ..Default::default()
        };
        let mut sampler = Sampler {
            system,
            disks,
            system_path: system_path(),
            refreshed: None,
            last,
        };
        // Memory, uptime and disk are right at once; CPU % reads 0 until
        // the next refresh has a difference to compute.
        sampler.refresh();
        sampler
    }

    /// The current metrics (the previous sample if asked again within the
    /// minimum refresh interval).
    pub fn sample(&mut self) -> Metrics {
        let now = Instant::now();
        if self
            .refreshed
            .is_some_and(|t| now.duration_since(t) < sysinfo::MINIMUM_CPU_UPDATE_INTERVAL)
        {
            return self.last.clone();
        }
        self.refresh();
        self.last.clone()
    }

    /// Reads everything again.
    fn refresh(&mut self) {
        self.refreshed = Some(Instant::now());
        if let Some(system) = &mut self.system {
            system.refresh_cpu_specifics(CpuRefreshKind::nothing().with_usage());
            system.refresh_memory_specifics(MemoryRefreshKind::nothing().with_ram());
            self.last.cpu_percent = system.global_cpu_usage();
            self.last.memory_used_bytes = system.used_memory();
            self.last.memory_total_bytes = system.total_memory();
        }
        self.last.uptime_seconds = System::uptime().unwrap_or(0);
        if let Some(disks) = &mut self.disks {
            disks.refresh_specifics(true, DiskRefreshKind::nothing().with_storage());
            self.last.disk_free_bytes = disks
                .iter()
                .filter(|d| self.system_path.starts_with(d.mount_point()))
                .max_by_key(|d| d.mount_point().as_os_str().len())
                .map_or(0, |d| d.available_space());
        }
    }
}

/// This computer's host name ("" if unknown).
pub fn host_name() -> String {
    System::host_name().unwrap_or_default()
}

/// The operating system, e.g. "Linux 12 Debian GNU/Linux" ("" if unknown).
pub fn os_name() -> String {
    System::long_os_version()
        .or_else(|_| System::name())
        .unwrap_or_default()
}

/// Where the operating system lives.
fn system_path() -> PathBuf {
    #[cfg(windows)]
    {
        let drive = std::env::var("SystemDrive").unwrap_or_else(|_| "C:".to_owned());
        PathBuf::from(format!("{drive}\\"))
    }
    #[cfg(not(windows))]
    {
        PathBuf::from("/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sample_has_memory_uptime_disk_and_names() {
        let mut sampler = Sampler::new();
        std::thread::sleep(sysinfo::MINIMUM_CPU_UPDATE_INTERVAL);
        let m = sampler.sample();
        assert!(m.memory_total_bytes > 0, "{m:?}");
        assert!(m.memory_used_bytes <= m.memory_total_bytes, "{m:?}");
        assert!(m.uptime_seconds > 0, "{m:?}");
        assert!((0.0..=100.0).contains(&m.cpu_percent), "{m:?}");
        assert!(!m.os.is_empty(), "{m:?}");
        #[cfg(target_os = "linux")]
        assert!(m.disk_free_bytes > 0, "{m:?}");
    }

    #[test]
    fn a_sample_right_after_start_has_memory_already() {
        let m = Sampler::new().sample();
        assert!(m.memory_total_bytes > 0, "{m:?}");
    }

    #[test]
    fn asking_again_at_once_returns_the_same_sample() {
        let mut sampler = Sampler::new();
        std::thread::sleep(sysinfo::MINIMUM_CPU_UPDATE_INTERVAL);
        let first = sampler.sample();
        let refreshed = sampler.refreshed;
        let again = sampler.sample();
        assert_eq!(first, again);
        assert_eq!(sampler.refreshed, refreshed, "refreshed too soon");
    }
}
