//! Placements: a person proposed for an opportunity, and the consent it needs before the
//! work is theirs — their own manager chain's approval and, for a candidate from outside
//! the poster's tree, their own agreement, in either order. Proposing is in
//! [`super::opportunities::accept`], where the suggestions are.

use super::opportunities::{OpportunityStatus, commitment_for, load};
use crate::access::Viewer;
use crate::error::{CoreError, CoreResult};
use crate::growth::store::GrowthStore;
use crate::ids::PersonName;
use crate::ids::{CommitmentId, OpportunityId, PersonId, PlacementId};
use crate::notify::{Notification, Topic, to_each};
use serde::{Deserialize, Serialize};

/// Where a placement stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PlacementStatus {
    Pending,
    Approved,
    Declined,
}

impl PlacementStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PlacementStatus::Pending => "pending",
            PlacementStatus::Approved => "approved",
            PlacementStatus::Declined => "declined",
        }
    }

    pub fn parse(v: &str) -> Option<Self> {
        match v {
            "pending" => Some(PlacementStatus::Pending),
            "approved" => Some(PlacementStatus::Approved),
            "declined" => Some(PlacementStatus::Declined),
            _ => None,
        }
    }
}

/// Whether the candidate was asked and what they answered. A candidate from outside the
/// poster's tree is asked (as well as their own manager chain); the poster's own reports
/// get the work as any other from their manager.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CandidateConsent {
    NotAsked,
    Asked,
    Agreed,
    Declined,
}

impl CandidateConsent {
    pub fn as_str(self) -> &'static str {
        match self {
            CandidateConsent::NotAsked => "not_asked",
            CandidateConsent::Asked => "asked",
            CandidateConsent::Agreed => "agreed",
            CandidateConsent::Declined => "declined",
        }
    }

    pub fn parse(v: &str) -> Option<Self> {
        Some(match v {
            "not_asked" => CandidateConsent::NotAsked,
            "asked" => CandidateConsent::Asked,
            "agreed" => CandidateConsent::Agreed,
            "declined" => CandidateConsent::Declined,
            _ => return None,
        })
    }

    /// Nothing more is waited for from the candidate.
    fn settled(self) -> bool {
        matches!(self, CandidateConsent::NotAsked | CandidateConsent::Agreed)
    }
}

/// A person proposed for an opportunity.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Placement {
    pub id: PlacementId,
    pub opportunity_id: OpportunityId,
    pub opportunity_title: String,
    pub person: PersonName,
    pub status: PlacementStatus,
    pub explanation: String,
    pub proposed_by: PersonName,
    pub proposed_at: i64,
    pub decided_by: Option<PersonName>,
    pub decided_at: Option<i64>,
    pub commitment_id: Option<CommitmentId>,
    pub candidate_consent: CandidateConsent,
    /// When the candidate's manager chain approved while the candidate was still asked.
    pub manager_approved_at: Option<i64>,
}

impl Placement {
    /// Waiting for the candidate's manager chain.
    pub fn awaits_manager(&self) -> bool {
        self.status == PlacementStatus::Pending && self.manager_approved_at.is_none()
    }

    /// Waiting for the candidate's own answer.
    pub fn awaits_candidate(&self) -> bool {
        self.status == PlacementStatus::Pending && self.candidate_consent == CandidateConsent::Asked
    }
}

/// A pending placement's next state, written in one transaction only if the placement
/// still stands as `from` (a concurrent answer makes it a conflict).
#[derive(Debug, Clone)]
pub struct PlacementChange {
    pub from: (CandidateConsent, bool),
    pub status: PlacementStatus,
    pub candidate_consent: CandidateConsent,
    /// The manager chain's approval, when given now.
    pub manager_approved: Option<(PersonId, i64)>,
    /// Who settled it (approved or declined it for good), when it is settled now.
    pub decided: Option<(PersonId, i64)>,
}

/// A placement as the store writes it.
#[derive(Debug, Clone)]
pub struct NewPlacement {
    pub opportunity: OpportunityId,
    pub person: PersonId,
    pub explanation: String,
    pub proposed_by: PersonId,
    pub proposed_at: i64,
    pub candidate_consent: CandidateConsent,
}

/// The candidate's manager chain (or an admin) approves or declines a pending placement.
/// When the candidate is still asked, an approval waits for their answer.
pub async fn decide(
    store: &dyn GrowthStore,
    viewer: &Viewer,
    id: PlacementId,
    approve: bool,
    now: i64,
) -> CoreResult<()> {
    let p = store
        .placement(id)
        .await?
        .ok_or_else(|| CoreError::NotFound(format!("placement {id}")))?;
    if !crate::org::people::reach_to(store, viewer, p.person.id)
        .await?
        .may_manage()
    {
        return Err(CoreError::Forbidden(
            "decide on this placement; the candidate\u{2019}s manager chain decides".into(),
        ));
    }
    if !p.awaits_manager() {
        return Err(CoreError::Conflict(match p.status {
            PlacementStatus::Pending => {
                "this placement is already approved; it waits for the candidate".into()
            }
            s => format!("this placement is already {}", s.as_str()),
        }));
    }
    let mut change = PlacementChange {
        from: (p.candidate_consent, false),
        status: PlacementStatus::Declined,
        candidate_consent: p.candidate_consent,
        manager_approved: None,
        decided: Some((viewer.person_id(), now)),
    };
    if approve {
        change.manager_approved = Some((viewer.person_id(), now));
        if p.candidate_consent.settled() {
            change.status = PlacementStatus::Approved;
        } else {
            change.status = PlacementStatus::Pending;
            change.decided = None;
        }
    }
    settle(store, &p, &change, now).await
}

/// The candidate agrees to or declines a placement they were asked about. Agreeing after
/// their manager chain approved gives them the work.
pub async fn answer(
    store: &dyn GrowthStore,
    viewer: &Viewer,
    id: PlacementId,
    agree: bool,
    now: i64,
) -> CoreResult<()> {
    let p = store
        .placement(id)
        .await?
        .filter(|p| p.person.id == viewer.person_id())
        .ok_or_else(|| CoreError::NotFound(format!("placement {id}")))?;
    if !p.awaits_candidate() {
        return Err(CoreError::Conflict(match p.status {
            PlacementStatus::Pending => "you have already answered".into(),
            s => format!("this placement is already {}", s.as_str()),
        }));
    }
    let manager_approved = p.manager_approved_at.is_some();
    let change = PlacementChange {
        from: (CandidateConsent::Asked, manager_approved),
        status: match (agree, manager_approved) {
            (false, _) => PlacementStatus::Declined,
            (true, true) => PlacementStatus::Approved,
            (true, false) => PlacementStatus::Pending,
        },
        candidate_consent: if agree {
            CandidateConsent::Agreed
        } else {
            CandidateConsent::Declined
        },
        manager_approved: None,
        decided: (!agree || manager_approved).then_some((viewer.person_id(), now)),
    };
    settle(store, &p, &change, now).await
}

/// The stretch work the viewer is asked about and has not answered yet.
pub async fn asked_of_me(store: &dyn GrowthStore, viewer: &Viewer) -> CoreResult<Vec<Placement>> {
    let mut pending = store.pending_placements_of(&[viewer.person_id()]).await?;
    pending.retain(Placement::awaits_candidate);
    Ok(pending)
}

/// Writes a placement's change; an approval creates the work and fills the opportunity.
async fn settle(
    store: &dyn GrowthStore,
    p: &Placement,
    change: &PlacementChange,
    now: i64,
) -> CoreResult<()> {
    let commitment = if change.status == PlacementStatus::Approved {
        let o = load(store, p.opportunity_id).await?;
        if o.status != OpportunityStatus::Open {
            return Err(CoreError::Conflict(format!(
                "\u{201c}{}\u{201d} is already {}",
                o.title,
                o.status.as_str()
            )));
        }
        Some(commitment_for(&o, p.person.id, now))
    } else {
        None
    };
    let audit = crate::audit::AuditEntry::about_person(
        now,
        change
            .decided
            .or(change.manager_approved)
            .map(|(by, _)| by)
            .unwrap_or(p.person.id),
        "placement.answer",
        p.person.id,
        format!(
            "{:?}: {}, candidate {}",
            p.opportunity_title,
            change.status.as_str(),
            change.candidate_consent.as_str()
        ),
    );
    let notes = answered_notes(p, change, now);
    let mut work = store.begin_growth_write().await?;
    let with = match &commitment {
        Some(c) => Some(work.create_commitment(c).await?),
        None => None,
    };
    work.change_placement(p.id, change, with).await?;
    if with.is_some() {
        work.fill_opportunity(p.opportunity_id).await?;
    }
    work.audit(&audit).await?;
    work.notify_all(&notes).await?;
    work.commit().await
}

/// Who is told when a placement is settled: the candidate and the person who proposed them,
/// except whoever settled it. A placement still pending tells nobody new (the candidate and
/// their manager were told when it was proposed).
fn answered_notes(p: &Placement, change: &PlacementChange, now: i64) -> Vec<Notification> {
    let Some((by, _)) = change.decided else {
        return Vec::new();
    };
    let link = format!("/opportunities/{}", p.opportunity_id);
    let title = &p.opportunity_title;
    to_each([p.person.id, p.proposed_by.id], Some(by), |to| {
        let text = match (change.status, to == p.person.id) {
            (PlacementStatus::Approved, true) => {
                format!("You have new stretch work: \u{201c}{title}\u{201d}.")
            }
            (PlacementStatus::Approved, false) => {
                format!("{} takes on \u{201c}{title}\u{201d}.", p.person.name)
            }
            (_, true) => format!("Your placement on \u{201c}{title}\u{201d} was declined."),
            (_, false) => format!(
                "{}\u{2019}s placement on \u{201c}{title}\u{201d} was declined.",
                p.person.name
            ),
        };
        Notification::new(to, Topic::PlacementAnswered, text, link.clone(), now)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::growth::opportunities::{Opportunity, OpportunityStatus};
    use crate::testing::{FakeStore, noon, viewer};

    // Mia manages Dana; Erin, in another department, posted the work and proposed Dana.
    fn org(consent: CandidateConsent) -> FakeStore {
        let store = FakeStore::with_people(&[
            (1, "Mia Manager", None),
            (2, "Dana Dev", Some(1)),
            (5, "Erin Eng", None),
        ]);
        let name = |id: i64, name: &str| PersonName {
            id: PersonId(id),
            name: name.into(),
        };
        store.opportunities.lock().unwrap().insert(
            OpportunityId(7),
            Opportunity {
                id: OpportunityId(7),
                title: "Run the interviews".into(),
                description: String::new(),
                poster: name(5, "Erin Eng"),
                hours_per_week: 3.0,
                weeks: 4,
                needs_manager_approval: true,
                status: OpportunityStatus::Open,
                requirements: Vec::new(),
                created_at: 0,
            },
        );
        store.placements.lock().unwrap().insert(
            PlacementId(9),
            Placement {
                id: PlacementId(9),
                opportunity_id: OpportunityId(7),
                opportunity_title: "Run the interviews".into(),
                person: name(2, "Dana Dev"),
                status: PlacementStatus::Pending,
                explanation: String::new(),
                proposed_by: name(5, "Erin Eng"),
                proposed_at: 0,
                decided_by: None,
                decided_at: None,
                commitment_id: None,
                candidate_consent: consent,
                manager_approved_at: None,
            },
        );
        store
    }

    #[tokio::test]
    async fn the_managers_approval_gives_the_work_and_tells_the_candidate_and_the_poster() {
        let store = org(CandidateConsent::NotAsked);
        decide(
            &store,
            &viewer(1, 1),
            PlacementId(9),
            true,
            noon("2026-12-01"),
        )
        .await
        .unwrap();
        assert_eq!(
            store.committed(),
            [
                "create_commitment 1000 \"Run the interviews\" owner 2",
                "change_placement 9 approved candidate not_asked with commitment 1000",
                "fill_opportunity 7",
                "audit placement.answer",
                "notify 2 placement_answered: You have new stretch work: \u{201c}Run the interviews\u{201d}.",
                "notify 5 placement_answered: Dana Dev takes on \u{201c}Run the interviews\u{201d}.",
            ]
        );
    }

    #[tokio::test]
    async fn approval_while_the_candidate_is_asked_waits_and_tells_nobody_new() {
        let store = org(CandidateConsent::Asked);
        decide(
            &store,
            &viewer(1, 1),
            PlacementId(9),
            true,
            noon("2026-12-01"),
        )
        .await
        .unwrap();
        assert_eq!(
            store.committed(),
            [
                "change_placement 9 pending candidate asked",
                "audit placement.answer",
            ],
            "no work yet, and the candidate was told when they were asked"
        );
    }

    #[tokio::test]
    async fn only_the_candidates_manager_chain_decides_and_a_refusal_writes_nothing() {
        let store = org(CandidateConsent::NotAsked);
        for who in [viewer(5, 0), viewer(2, 0)] {
            let r = decide(&store, &who, PlacementId(9), true, noon("2026-12-01")).await;
            assert!(matches!(r, Err(CoreError::Forbidden(_))), "{r:?}");
        }
        let declined = decide(
            &store,
            &viewer(1, 1),
            PlacementId(9),
            false,
            noon("2026-12-01"),
        )
        .await;
        assert!(declined.is_ok());
        assert_eq!(
            store.committed(),
            [
                "change_placement 9 declined candidate not_asked",
                "audit placement.answer",
                "notify 2 placement_answered: Your placement on \u{201c}Run the interviews\u{201d} was declined.",
                "notify 5 placement_answered: Dana Dev\u{2019}s placement on \u{201c}Run the interviews\u{201d} was declined.",
            ],
            "only the manager's decline is written"
        );
    }
}
