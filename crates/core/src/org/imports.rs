//! The import use case: plan a file against the organisation (a preview), then apply it
//! in one transaction. Admins only; every applied import is audited.

use super::import::{
    ImportOptions, ImportPlan, OrgSnapshot, ParsedFile, parse_people_csv, plan_import,
};
use crate::access::Viewer;
use crate::audit::AuditEntry;
use crate::error::{CoreError, CoreResult};
use crate::org::store::OrgStore;
use crate::org::store::{ChangeRecord, ImportSummary};

/// Reads and plans a file without writing anything. A file passed by value (an upload) is
/// freed once read, before the organisation is loaded: it is the size of the plan.
pub async fn preview(
    store: &dyn OrgStore,
    viewer: &Viewer,
    bytes: impl AsRef<[u8]> + Send,
    options: ImportOptions,
) -> CoreResult<ImportPlan> {
    let parsed = read(viewer, bytes)?;
    plan(store, parsed, options).await
}

/// Reads a file's rows (the first half of [`preview`]), for a caller that stores the file
/// before planning it, so the file and the plan are not held at once.
pub fn read(viewer: &Viewer, bytes: impl AsRef<[u8]>) -> CoreResult<ParsedFile> {
    if !viewer.may_administer() {
        return Err(CoreError::Forbidden("import people".into()));
    }
    Ok(parse_people_csv(bytes.as_ref()))
}

/// Plans rows that [`read`] gave against the organisation, writing nothing.
pub async fn plan(
    store: &dyn OrgStore,
    parsed: ParsedFile,
    options: ImportOptions,
) -> CoreResult<ImportPlan> {
    let snapshot = if parsed.refused_outright() {
        OrgSnapshot::default()
    } else {
        store.org_snapshot().await?
    };
    Ok(plan_import(parsed, &snapshot, options))
}

/// Plans again against the current organisation and applies the plan if it is valid.
/// Returns the plan as well, so callers can show its errors.
pub async fn apply(
    store: &dyn OrgStore,
    viewer: &Viewer,
    file_name: &str,
    bytes: impl AsRef<[u8]> + Send,
    options: ImportOptions,
    now: i64,
) -> CoreResult<(ImportPlan, Option<ImportSummary>)> {
    let plan = preview(store, viewer, bytes, options).await?;
    if !plan.is_valid() {
        return Ok((plan, None));
    }
    let mut record = import_record(&plan, Some(viewer.person_id()), file_name, now);
    let admins = store.people_admins().await?;
    let name = crate::org::people::name_of(store, viewer.person_id()).await?;
    record.notices = import_notices(
        &plan,
        &admins,
        Some((viewer.person_id(), &name)),
        file_name,
        now,
    );
    let summary = store.apply_import(&plan, &record).await?;
    Ok((plan, Some(summary)))
}

/// The audit line and history date an import is written with, by whoever applies it (None
/// for the command line).
pub fn import_record(
    plan: &ImportPlan,
    importer: Option<crate::ids::PersonId>,
    file_name: &str,
    now: i64,
) -> ChangeRecord {
    ChangeRecord {
        audit: AuditEntry {
            at: now,
            actor: importer,
            action: "people.import".into(),
            subject: file_name.to_string(),
            detail: format!(
                "{} created, {} updated, {} unchanged, {} marked as left{}",
                plan.creates.len(),
                plan.updates.len(),
                plan.unchanged,
                plan.deactivations.len(),
                if importer.is_none() {
                    " (command line)"
                } else {
                    ""
                }
            ),
        },
        effective_on: crate::clock::local_date(None, now),
        source: "import",
        notices: Vec::new(),
    }
}

/// What the people admins are told of an applied import (not the one who applied it).
pub fn import_notices(
    plan: &ImportPlan,
    admins: &[crate::ids::PersonId],
    importer: Option<(crate::ids::PersonId, &str)>,
    file_name: &str,
    now: i64,
) -> Vec<crate::notify::Notification> {
    let who = importer.map_or("The command line", |(_, name)| name);
    crate::notify::to_each(admins.iter().copied(), importer.map(|(id, _)| id), |to| {
        crate::notify::Notification::new(
            to,
            crate::notify::Topic::ImportApplied,
            format!(
                "{who} imported {file_name}: {} added, {} updated, {} marked as left.",
                plan.creates.len(),
                plan.updates.len(),
                plan.deactivations.len()
            ),
            "/admin/audit".into(),
            now,
        )
    })
}
