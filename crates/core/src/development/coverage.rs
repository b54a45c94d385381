//! Career support coverage of a manager (PRODUCT.md): the share of their reports with a
//! career plan reviewed in the last six months, a stretch assignment in the last quarter
//! (approved then, or still running), and a mentor or a development programme (a
//! mentorship running today, or a programme with a session in the last six months or to
//! come). Shown with each report's three parts, to the manager, their manager chain and
//! admins.

use crate::access::Viewer;
use crate::clock::local_date;
use crate::error::{CoreError, CoreResult};
use crate::ids::{PersonId, PersonName};
use crate::store::Store;
use chrono::{Months, NaiveDate};
use serde::Serialize;
use std::collections::HashSet;

/// One report's three parts.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportSupport {
    pub person: PersonName,
    pub plan_reviewed: bool,
    pub stretch: bool,
    pub mentor_or_programme: bool,
}

impl ReportSupport {
    pub fn covered(&self) -> bool {
        self.plan_reviewed && self.stretch && self.mentor_or_programme
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CareerSupportCoverage {
    pub reports: Vec<ReportSupport>,
    /// Reports with all three.
    pub covered: usize,
    /// covered ÷ reports; none without reports.
    pub share: Option<f64>,
}

/// The figure from each report's parts (pure).
pub fn coverage_of(reports: Vec<ReportSupport>) -> CareerSupportCoverage {
    let covered = reports.iter().filter(|r| r.covered()).count();
    CareerSupportCoverage {
        share: (!reports.is_empty()).then(|| covered as f64 / reports.len() as f64),
        covered,
        reports,
    }
}

fn months_before(day: NaiveDate, months: u32) -> NaiveDate {
    day.checked_sub_months(Months::new(months)).unwrap_or(day)
}

fn start_of(day: NaiveDate) -> i64 {
    day.and_hms_opt(0, 0, 0)
        .map_or(0, |t| t.and_utc().timestamp())
}

/// The manager's coverage now; not found for anyone but them, their chain and admins.
pub async fn career_support_coverage(
    store: &dyn Store,
    viewer: &Viewer,
    manager: PersonId,
    now: i64,
) -> CoreResult<CareerSupportCoverage> {
    let me = viewer.person_id();
    let above = store
        .manager_chain(manager)
        .await?
        .iter()
        .any(|p| p.id == me);
    if me != manager && !above && !viewer.may_administer() {
        return Err(CoreError::NotFound(format!(
            "the career support coverage of person {manager}"
        )));
    }
    let today = local_date(None, now);
    let half_year = months_before(today, 6);
    let stretched: HashSet<PersonId> = store
        .stretched_since(start_of(months_before(today, 3)))
        .await?
        .into_iter()
        .collect();
    let in_programme: HashSet<PersonId> = store
        .in_development_since(start_of(half_year))
        .await?
        .into_iter()
        .collect();
    let mut reports = Vec::new();
    let active = store
        .direct_reports(manager)
        .await?
        .into_iter()
        .filter(|r| r.status == crate::org::PersonStatus::Active);
    for r in active {
        let plan_reviewed = store
            .career_plan(r.id)
            .await?
            .and_then(|p| p.last_reviewed_on)
            .is_some_and(|d| d >= half_year);
        let mentored = store.mentorships_of(r.id).await?.iter().any(|m| {
            m.mentee.id == r.id && m.starts_on <= today && today <= m.ends_on && m.ended.is_none()
        });
        reports.push(ReportSupport {
            person: PersonName {
                id: r.id,
                name: r.display_name.clone(),
            },
            plan_reviewed,
            stretch: stretched.contains(&r.id),
            mentor_or_programme: mentored || in_programme.contains(&r.id),
        });
    }
    Ok(coverage_of(reports))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(id: i64, parts: [bool; 3]) -> ReportSupport {
        ReportSupport {
            person: PersonName {
                id: PersonId(id),
                name: format!("R{id}"),
            },
            plan_reviewed: parts[0],
            stretch: parts[1],
            mentor_or_programme: parts[2],
        }
    }

    #[test]
    fn a_report_counts_only_with_all_three() {
        let c = coverage_of(vec![
            report(1, [true, true, true]),
            report(2, [true, true, false]),
            report(3, [false, true, true]),
            report(4, [true, true, true]),
        ]);
        assert_eq!(c.covered, 2);
        assert_eq!(c.share, Some(0.5));
        assert_eq!(coverage_of(Vec::new()).share, None);
    }

    #[test]
    fn each_part_missing_in_turn_leaves_the_report_uncovered() {
        for missing in 0..3 {
            let mut parts = [true; 3];
            parts[missing] = false;
            let c = coverage_of(vec![report(1, [true; 3]), report(2, parts)]);
            assert_eq!(
                (c.covered, c.share),
                (1, Some(0.5)),
                "part {missing} missing"
            );
            assert!(!c.reports[1].covered());
        }
    }
}
