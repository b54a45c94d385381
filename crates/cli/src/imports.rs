//! `trellis import levels|interactions|talent`: files read all rows or none, every problem
//! printed as FILE:LINE: column: message.

use crate::chrono_now;
use anyhow::{Result, anyhow};
use std::path::Path;
use trellis_core::store::prelude::*;
use trellis_store::SqlStore;

/// Adds or updates the ladder levels in a file, all rows or none; prints every error as
/// FILE:LINE: column: message. Returns false on errors.
pub(crate) async fn import_levels(store: &SqlStore, file: &Path, dry_run: bool) -> Result<bool> {
    let content =
        std::fs::read(file).map_err(|e| anyhow!("cannot read {}: {e}", file.display()))?;
    let name = file.display().to_string();
    let outcome = match trellis_core::org::ladder::apply_file(
        store,
        None,
        &name,
        &content,
        dry_run,
        chrono_now(),
    )
    .await
    {
        Ok(o) => o,
        Err(trellis_core::CoreError::Invalid(lines)) => {
            for l in &lines {
                eprintln!("{}", l.message);
            }
            eprintln!("{} errors; nothing was written.", lines.len());
            return Ok(false);
        }
        Err(e) => return Err(anyhow!("{e}")),
    };
    let counts = format!(
        "{} added, {} updated, {} unchanged",
        outcome.added, outcome.updated, outcome.unchanged
    );
    if dry_run {
        println!("Career ladder: would have {counts}. Nothing was written (dry run).");
    } else {
        println!("Career ladder: {counts}.");
    }
    Ok(true)
}

/// Adds the interactions in a file, all rows or none; prints every error as
/// FILE:LINE: column: message. Returns false on errors.
pub(crate) async fn import_interactions(
    store: &SqlStore,
    file: &Path,
    dry_run: bool,
) -> Result<bool> {
    let content =
        std::fs::read(file).map_err(|e| anyhow!("cannot read {}: {e}", file.display()))?;
    let now = chrono_now();
    let outcome = match trellis_core::influence::imports::apply_file(
        store,
        None,
        &file.display().to_string(),
        &content,
        dry_run,
        trellis_core::clock::local_date(None, now),
        now,
    )
    .await
    {
        Ok(o) => o,
        Err(trellis_core::CoreError::Invalid(lines)) => {
            for l in &lines {
                eprintln!("{}", l.message);
            }
            eprintln!("{} errors; nothing was written.", lines.len());
            return Ok(false);
        }
        Err(e) => return Err(anyhow!("{e}")),
    };
    if dry_run {
        println!(
            "Interactions: {} rows, {} would be new; nothing was written (dry run).",
            outcome.rows, outcome.added
        );
    } else {
        println!(
            "Interactions: {} rows, {} new (the rest were there already).",
            outcome.rows, outcome.added
        );
    }
    Ok(true)
}

/// Adds the talent pool in a file, all rows or none; prints every error as
/// FILE:LINE: column: message. Returns false on errors.
pub(crate) async fn import_talent(store: &SqlStore, file: &Path, dry_run: bool) -> Result<bool> {
    let content =
        std::fs::read(file).map_err(|e| anyhow!("cannot read {}: {e}", file.display()))?;
    let known: std::collections::HashSet<String> = store
        .skill_names()
        .await
        .map_err(|e| anyhow!("{e}"))?
        .into_iter()
        .collect();
    let name = file.display().to_string();
    let talents =
        match trellis_core::growth::talent::parse_csv(&name, &content, &known, chrono_now()) {
            Ok(t) => t,
            Err(lines) => {
                for l in &lines {
                    eprintln!("{l}");
                }
                eprintln!("{} errors; nothing was written.", lines.len());
                return Ok(false);
            }
        };
    if dry_run {
        println!(
            "Would add {} to the talent pool. Nothing was written (dry run).",
            talents.len()
        );
    } else {
        store
            .add_talent(&talents)
            .await
            .map_err(|e| anyhow!("{e}"))?;
        println!("Added {} to the talent pool.", talents.len());
    }
    Ok(true)
}
