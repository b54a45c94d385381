//! What people see of development programmes: admins every programme with attendance
//! and the feedback under the anonymity rule; a facilitator their sessions' attendance and
//! feedback; a participant the programme, the sessions, their own attendance and whether
//! they may still rate a session. Nobody else sees a programme at all.

use super::{Cohort, FeedbackSummary, Session, summarise_feedback};
use crate::access::Viewer;
use crate::error::{CoreError, CoreResult};
use crate::ids::{CohortId, PersonName};
use crate::store::Store;
use serde::Serialize;

/// A programme in a list.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CohortSummary {
    pub cohort: Cohort,
    pub sessions: usize,
    /// The next session's start (seconds since the epoch).
    pub next_session_at: Option<i64>,
    pub participant: bool,
}

/// One participant's attendance at a session: none while unmarked.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Attendance {
    pub person: PersonName,
    pub attended: Option<bool>,
}

/// A session as the viewer sees it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionView {
    pub session: Session,
    /// The viewer's own attendance, when they take part.
    pub mine: Option<bool>,
    /// The viewer attended, the session has ended and they have not answered yet.
    pub may_give_feedback: bool,
    pub gave_feedback: bool,
    /// The facilitator and admins: who came, and whether it has begun so they may mark it.
    pub attendance: Vec<Attendance>,
    pub may_mark: bool,
    /// Admins, before it begins.
    pub may_cancel: bool,
    /// The facilitator and admins, under the anonymity rule.
    pub feedback: Option<FeedbackSummary>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CohortView {
    pub cohort: Cohort,
    pub runs_it: bool,
    pub participant: bool,
    pub sessions: Vec<SessionView>,
}

/// The programmes the viewer runs (admins: all), takes part in or facilitates in.
pub async fn cohorts_for(
    store: &dyn Store,
    viewer: &Viewer,
    now: i64,
) -> CoreResult<Vec<CohortSummary>> {
    let me = viewer.person_id();
    let mut out = Vec::new();
    for cohort in store.cohorts().await? {
        let sessions = store.dev_sessions(cohort.id).await?;
        let participant = cohort.has(me);
        let facilitates = sessions.iter().any(|s| s.facilitator.id == me);
        if !viewer.may_administer() && !participant && !facilitates {
            continue;
        }
        out.push(CohortSummary {
            next_session_at: sessions
                .iter()
                .filter(|s| s.cancelled_at.is_none())
                .map(|s| s.starts_at)
                .filter(|at| *at > now)
                .min(),
            sessions: sessions.len(),
            participant,
            cohort,
        });
    }
    Ok(out)
}

/// One programme; not found for anyone neither running it, in it nor facilitating in it.
pub async fn cohort_view(
    store: &dyn Store,
    viewer: &Viewer,
    id: CohortId,
    k: u32,
    now: i64,
) -> CoreResult<CohortView> {
    let not_found = || CoreError::NotFound(format!("development programme {id}"));
    let cohort = store.cohort(id).await?.ok_or_else(not_found)?;
    let me = viewer.person_id();
    let sessions = store.dev_sessions(id).await?;
    let runs_it = viewer.may_administer();
    let participant = cohort.has(me);
    if !runs_it && !participant && !sessions.iter().any(|s| s.facilitator.id == me) {
        return Err(not_found());
    }
    let mut views = Vec::new();
    for session in sessions {
        let oversees = runs_it || session.facilitator.id == me;
        let mine = participant.then(|| session.attended(me)).flatten();
        let gave_feedback = mine == Some(true) && store.gave_feedback(session.id, me).await?;
        let mine = mine.filter(|_| session.cancelled_at.is_none());
        let attendance = if oversees {
            cohort
                .participants
                .iter()
                .map(|p| Attendance {
                    person: p.clone(),
                    attended: session.attended(p.id),
                })
                .collect()
        } else {
            Vec::new()
        };
        let feedback = if oversees && session.ends_at() <= now {
            Some(summarise_feedback(
                &store.session_feedback(session.id).await?,
                k,
            ))
        } else {
            None
        };
        views.push(SessionView {
            may_give_feedback: mine == Some(true) && !gave_feedback && session.ends_at() <= now,
            may_mark: oversees && session.starts_at <= now && session.cancelled_at.is_none(),
            may_cancel: runs_it && session.starts_at > now && session.cancelled_at.is_none(),
            mine,
            gave_feedback,
            attendance,
            feedback,
            session,
        });
    }
    Ok(CohortView {
        cohort,
        runs_it,
        participant,
        sessions: views,
    })
}
