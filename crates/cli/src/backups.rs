//! Scheduled backups from `trellis serve`: the settings, and the backup taken into
//! `backup_dir`, keeping the newest `backup_keep` files.

use anyhow::Result;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use trellis_core::error::{CoreError, CoreResult};
use trellis_store::SqlStore;

/// The scheduled-backup settings of `trellis serve`.
#[derive(clap::Args, Debug, Default)]
pub(crate) struct BackupArgs {
    /// A folder for scheduled backups (off when not set); only one instance takes each.
    #[arg(long, env = "TRELLIS_BACKUP_DIR")]
    pub backup_dir: Option<PathBuf>,
    /// How often: 30m, 12h, 1d (default 1d).
    #[arg(long, env = "TRELLIS_BACKUP_EVERY")]
    pub backup_every: Option<String>,
    /// How many backups to keep in the folder (default 7); older ones are removed.
    #[arg(long, env = "TRELLIS_BACKUP_KEEP")]
    pub backup_keep: Option<usize>,
}

/// Where, how often and how many, once the configuration is read.
#[derive(Debug, Clone)]
pub(crate) struct Schedule {
    pub dir: PathBuf,
    pub every: i64,
    pub keep: usize,
}

/// Backups are named by the moment they were taken, so that names sort by age.
const PREFIX: &str = "trellis-";
const SUFFIX: &str = ".backup";

pub(crate) struct Taker {
    pub store: Arc<SqlStore>,
    pub schedule: Schedule,
    /// TRELLIS_BACKUP_PASSPHRASE, when scheduled backups are to be encrypted.
    pub passphrase: Option<String>,
}

#[async_trait::async_trait]
impl trellis_core::backups::BackupTaker for Taker {
    async fn take(&self, now: i64) -> CoreResult<String> {
        let at = chrono::DateTime::from_timestamp(now, 0).unwrap_or_default();
        let file = self
            .schedule
            .dir
            .join(format!("{PREFIX}{}{SUFFIX}", at.format("%Y-%m-%dT%H%M%SZ")));
        let started = std::time::Instant::now();
        let header = trellis_store::backup(&self.store, &file, self.passphrase.as_deref()).await?;
        let removed = prune(&self.schedule.dir, self.schedule.keep)?;
        let said = format!(
            "backup written to {} ({:.1} MB of data, {} people) in {:.1} s; {removed} older removed",
            file.display(),
            header.payload_bytes as f64 / 1e6,
            header.rows("people"),
            started.elapsed().as_secs_f64()
        );
        tracing::info!("{said}");
        Ok(said)
    }
}

/// Removes the oldest backups beyond `keep`; how many it removed.
fn prune(dir: &Path, keep: usize) -> CoreResult<usize> {
    let unreadable = |e: std::io::Error| {
        CoreError::Unavailable(format!(
            "cannot list the backup folder {}: {e}",
            dir.display()
        ))
    };
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map_err(unreadable)?
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(PREFIX) && name.ends_with(SUFFIX))
        .collect();
    names.sort();
    let extra = names.len().saturating_sub(keep);
    for name in &names[..extra] {
        std::fs::remove_file(dir.join(name)).map_err(unreadable)?;
    }
    Ok(extra)
}

/// The schedule, when a folder is set: checked before the server starts.
pub(crate) fn schedule(
    dir: Option<&Path>,
    every: Option<&str>,
    keep: Option<usize>,
) -> Result<Option<Schedule>> {
    let Some(dir) = dir else {
        anyhow::ensure!(
            every.is_none() && keep.is_none(),
            "backup_every and backup_keep need backup_dir: the folder scheduled backups go to"
        );
        return Ok(None);
    };
    anyhow::ensure!(
        dir.is_dir(),
        "backup_dir: {} is not a folder (create it first)",
        dir.display()
    );
    let every =
        trellis_core::backups::parse_every(every.unwrap_or("1d")).map_err(anyhow::Error::msg)?;
    let keep = keep.unwrap_or(7);
    anyhow::ensure!(keep >= 1, "backup_keep: keep at least 1 backup");
    Ok(Some(Schedule {
        dir: dir.to_path_buf(),
        every,
        keep,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_newest_backups_are_kept_and_nothing_else_is_touched() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            "trellis-2026-12-01T000000Z.backup",
            "trellis-2026-12-03T000000Z.backup",
            "trellis-2026-12-02T000000Z.backup",
            "notes.txt",
            "trellis-manual.db",
        ] {
            std::fs::write(dir.path().join(name), b"x").unwrap();
        }
        assert_eq!(prune(dir.path(), 2).unwrap(), 1);
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(
            left,
            [
                "notes.txt",
                "trellis-2026-12-02T000000Z.backup",
                "trellis-2026-12-03T000000Z.backup",
                "trellis-manual.db"
            ]
        );
        assert!(schedule(None, Some("1d"), None).is_err());
        assert!(schedule(Some(dir.path()), Some("5m"), None).is_err());
        let s = schedule(Some(dir.path()), None, None).unwrap().unwrap();
        assert_eq!((s.every, s.keep), (86_400, 7));
    }
}
