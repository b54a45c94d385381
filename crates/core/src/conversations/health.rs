//! The health of 1:1s, for managers (the pairs in their tree) and people admins (every
//! pair): per manager–report pair, the meetings held in the last 90 days, the average gap
//! between them and the last one; pairs without a time, and scheduled pairs with no 1:1 in
//! 30 days, flagged. Figures for a team are shown only when they cover at least the
//! anonymity threshold of pairs (PRODUCT.md's rule).

use super::store::{ConversationStore, PairRow};
use crate::access::{Viewer, aggregate_visible};
use crate::error::{CoreError, CoreResult};
use crate::ids::{PersonId, PersonName, SeriesId};
use serde::Serialize;
use std::collections::BTreeMap;

/// The window of the figures, in days.
pub const WINDOW_DAYS: i64 = 90;
/// A scheduled pair with no 1:1 for this many days is flagged.
pub const FLAG_AFTER_DAYS: i64 = 30;

/// Why a pair is flagged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Flag {
    /// The manager has not set a time.
    NoTimeSet,
    /// Scheduled, but no meeting took place in 30 days.
    NoneIn30Days,
}

/// One manager–report pair.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PairHealth {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub series_id: SeriesId,
    pub manager: PersonName,
    pub report: PersonName,
    pub team: Option<String>,
    pub scheduled: bool,
    /// Meetings held in the last 90 days.
    pub held: usize,
    /// Average days between those meetings (two or more).
    pub average_gap_days: Option<f64>,
    pub last_held_at: Option<i64>,
    pub flag: Option<Flag>,
}

/// A team's pairs in figures.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TeamHealth {
    pub team: String,
    /// Shown only when there are at least the anonymity threshold of pairs.
    pub pairs: Option<usize>,
    /// Pairs that met in the last 30 days, under the same rule.
    pub met_recently: Option<usize>,
}

/// The health of the pairs a viewer may see.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Health {
    /// Flagged first, then by manager and report.
    pub pairs: Vec<PairHealth>,
    pub teams: Vec<TeamHealth>,
    /// Fewest pairs a team's figures cover.
    pub threshold: u32,
}

/// One pair's figures (pure).
pub fn pair(row: &PairRow, now: i64) -> PairHealth {
    let series = &row.series;
    let (held, scheduled_since) = match &series.schedule {
        Some(s) => (
            s.held(&row.exceptions, now - WINDOW_DAYS * 86_400, now),
            Some(super::local_to_unix(
                &s.time_zone,
                s.first_date.and_time(s.start_time),
            )),
        ),
        None => (Vec::new(), None),
    };
    let average_gap_days = (held.len() >= 2).then(|| {
        let span = held[held.len() - 1].starts_at - held[0].starts_at;
        span as f64 / 86_400.0 / (held.len() - 1) as f64
    });
    let last = held.last().map(|m| m.starts_at);
    let recent = now - FLAG_AFTER_DAYS * 86_400;
    let flag = match scheduled_since {
        None => Some(Flag::NoTimeSet),
        Some(since) if since < recent && last.is_none_or(|l| l < recent) => {
            Some(Flag::NoneIn30Days)
        }
        Some(_) => None,
    };
    PairHealth {
        series_id: series.id,
        manager: series.organiser.clone(),
        report: series.other.clone(),
        team: row.team.clone(),
        scheduled: series.schedule.is_some(),
        held: held.len(),
        average_gap_days,
        last_held_at: last,
        flag,
    }
}

/// Teams' figures, each shown only above the threshold (pure).
pub fn teams(pairs: &[PairHealth], now: i64, k: u32) -> Vec<TeamHealth> {
    let mut by_team: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let recent = now - FLAG_AFTER_DAYS * 86_400;
    for p in pairs {
        let e = by_team
            .entry(p.team.clone().unwrap_or_else(|| "No team".into()))
            .or_default();
        e.0 += 1;
        e.1 += usize::from(p.last_held_at.is_some_and(|l| l >= recent));
    }
    by_team
        .into_iter()
        .map(|(team, (n, met))| {
            let shown = aggregate_visible(n, k);
            TeamHealth {
                team,
                pairs: shown.then_some(n),
                met_recently: shown.then_some(met),
            }
        })
        .collect()
}

/// The health of 1:1s: a manager's tree, or everyone's for a people admin.
pub async fn health(
    store: &dyn ConversationStore,
    viewer: &Viewer,
    now: i64,
) -> CoreResult<Health> {
    let organisers: Option<Vec<PersonId>> = if viewer.may_administer() {
        None
    } else if viewer.has_reports() {
        Some(
            store
                .tree_members(viewer.person_id())
                .await?
                .into_iter()
                .map(|m| m.id)
                .collect(),
        )
    } else {
        return Err(CoreError::Forbidden(
            "see the health of 1:1s: managers see their tree's, people admins everyone's".into(),
        ));
    };
    let rows = store.active_series(true, organisers.as_deref()).await?;
    let mut pairs: Vec<PairHealth> = rows.iter().map(|r| pair(r, now)).collect();
    pairs.sort_by(|a, b| {
        (a.flag.is_none(), &a.manager.name, &a.report.name).cmp(&(
            b.flag.is_none(),
            &b.manager.name,
            &b.report.name,
        ))
    });
    let threshold = store.settings().await?.anonymity_k_survey;
    Ok(Health {
        teams: teams(&pairs, now, threshold),
        pairs,
        threshold,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conversations::{Change, Exception, Schedule, Series, SeriesKind, SeriesStatus};
    use chrono::{NaiveDate, NaiveTime};

    fn row(first: &str, every: u32, exceptions: Vec<Exception>) -> PairRow {
        PairRow {
            series: Series {
                id: SeriesId(1),
                kind: SeriesKind::Reporting,
                status: SeriesStatus::Active,
                organiser: PersonName {
                    id: PersonId(1),
                    name: "Max".into(),
                },
                other: PersonName {
                    id: PersonId(2),
                    name: "Dana".into(),
                },
                schedule: Some(Schedule {
                    first_date: first.parse().unwrap(),
                    start_time: NaiveTime::from_hms_opt(10, 0, 0).unwrap(),
                    minutes: 30,
                    every_weeks: every,
                    time_zone: "UTC".into(),
                }),
                recurring: vec![],
                created_at: 0,
                ended_at: None,
            },
            exceptions,
            team: Some("Platform".into()),
        }
    }
    fn now() -> i64 {
        NaiveDate::from_ymd_opt(2026, 6, 1)
            .unwrap()
            .and_hms_opt(12, 0, 0)
            .unwrap()
            .and_utc()
            .timestamp()
    }

    #[test]
    fn a_weekly_pair_met_twelve_times_in_ninety_days() {
        let h = pair(&row("2026-01-06", 1, vec![]), now());
        assert_eq!(h.held, 12, "every Tuesday from 10 March to 26 May");
        assert_eq!(h.average_gap_days, Some(7.0));
        assert_eq!(h.flag, None);
    }

    #[test]
    fn skipped_meetings_for_a_month_flag_the_pair() {
        // Every meeting since 28 April skipped.
        let skipped = (0..6)
            .map(|w| Exception {
                occurrence: NaiveDate::from_ymd_opt(2026, 4, 28).unwrap()
                    + chrono::Duration::weeks(w),
                change: Change::Skipped,
            })
            .collect();
        let h = pair(&row("2026-01-06", 1, skipped), now());
        assert_eq!(h.flag, Some(Flag::NoneIn30Days));
        let mut unscheduled = row("2026-01-06", 1, vec![]);
        unscheduled.series.schedule = None;
        assert_eq!(pair(&unscheduled, now()).flag, Some(Flag::NoTimeSet));
    }

    #[test]
    fn a_team_below_the_threshold_shows_no_figures() {
        let p = pair(&row("2026-01-06", 1, vec![]), now());
        let four = vec![p.clone(); 4];
        assert_eq!(teams(&four, now(), 5)[0].pairs, None);
        let five = vec![p; 5];
        let t = &teams(&five, now(), 5)[0];
        assert_eq!((t.pairs, t.met_recently), (Some(5), Some(5)));
    }
}
