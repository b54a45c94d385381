//! Who an import marks as left: the active people the file leaves out, when asked to —
//! never the importer, never people an identity provider manages, and more than a quarter
//! only with consent.

use super::*;

/// Active people the file leaves out, when asked to mark them as left (never the importer);
/// more than a quarter needs consent.
pub(super) fn plan_leavers(
    snapshot: &OrgSnapshot,
    matched_by: &[Option<usize>],
    options: ImportOptions,
    plan: &mut ImportPlan,
) {
    plan.active_people = snapshot
        .people
        .iter()
        .filter(|p| p.record.status == PersonStatus::Active)
        .count();
    if !options.deactivate_missing {
        return;
    }
    let mut managed_elsewhere = Vec::new();
    for (e, p) in snapshot.people.iter().enumerate() {
        if matched_by[e].is_none()
            && p.record.status == PersonStatus::Active
            && options.importer != Some(p.id)
        {
            if snapshot.scim_managed.contains(&p.id) {
                managed_elsewhere.push(p.record.email.to_string());
                continue;
            }
            plan.deactivations.push(PlannedLeave {
                id: p.id,
                name: p.record.name.to_string(),
                email: p.record.email.to_string(),
            });
        }
    }
    // One source of truth: whom the identity provider manages, it alone marks as left.
    if !managed_elsewhere.is_empty() {
        let shown: Vec<&str> = managed_elsewhere
            .iter()
            .take(5)
            .map(String::as_str)
            .collect();
        plan.error(
            1,
            "file",
            format!(
                "marking missing people as left is refused: {} of them ({}{}) are managed by your identity provider over SCIM; \
                 deactivate them there, or import without marking missing people as left",
                managed_elsewhere.len(),
                shown.join(", "),
                if managed_elsewhere.len() > shown.len() { ", …" } else { "" }
            ),
        );
    }
    let allowed = match options.mass_leave {
        MassLeave::Refuse => false,
        MassLeave::Allow => true,
        MassLeave::AllowExactly(n) => n == plan.deactivations.len(),
    };
    if plan.is_mass_leave() && !allowed {
        plan.error(
            1,
            "file",
            format!(
                "this file would mark {} of the {} active people as having left, more than a quarter; \
                 check that the file is complete, or confirm the mass leave explicitly",
                plan.deactivations.len(),
                plan.active_people
            ),
        );
    }
}
