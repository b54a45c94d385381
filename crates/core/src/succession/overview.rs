//! A plan with its evidence, and the overview of the plans a viewer may see: coverage
//! (key roles with a successor ready now, with none ready now, with nobody at all — the
//! single points of failure — and successors counted on more than one role), bench
//! strength per department, and the hidden candidates: people in the viewer's reach whom
//! the work and the growth record single out but who are on no plan.

use super::evidence::{self, DELIVERY_DAYS, Evidence};
use super::{KeyRole, Reaches, Readiness, visible_role};
use crate::access::Viewer;
use crate::decisions::Belongs;
use crate::error::{CoreError, CoreResult};
use crate::ids::{KeyRoleId, PersonId, PersonName, TeamId};
use crate::store::Store;
use crate::work::metrics::Window;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};

/// The evidence beside one candidate.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CandidateEvidence {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub person_id: PersonId,
    pub evidence: Evidence,
}

/// A plan as the viewer may see it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanView {
    #[serde(flatten)]
    pub role: KeyRole,
    /// For the candidates in the viewer's reach (their manager chain, admins) only.
    pub evidence: Vec<CandidateEvidence>,
    /// Admins change and remove the role; everyone who sees the plan edits candidates.
    pub may_change_role: bool,
}

impl PlanView {
    pub fn evidence_of(&self, person: PersonId) -> Option<&Evidence> {
        self.evidence
            .iter()
            .find(|e| e.person_id == person)
            .map(|e| &e.evidence)
    }
}

pub async fn plan(
    store: &dyn Store,
    viewer: &Viewer,
    id: KeyRoleId,
    now: i64,
) -> CoreResult<PlanView> {
    let role = visible_role(store, viewer, id).await?;
    let mut reaches = Reaches::new(store, viewer);
    let mut shown = Vec::new();
    for c in &role.candidates {
        if reaches.sees_evidence(c.person.id).await? {
            shown.push(c.person.id);
        }
    }
    let mut gathered = evidence::gather(store, viewer, &shown, now).await?;
    let evidence = shown
        .into_iter()
        .filter_map(|p| {
            Some(CandidateEvidence {
                person_id: p,
                evidence: gathered.remove(&p)?,
            })
        })
        .collect();
    Ok(PlanView {
        role,
        evidence,
        may_change_role: viewer.may_administer(),
    })
}

/// Where a key role stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = RoleCover))]
#[serde(rename_all = "snake_case")]
pub enum Cover {
    /// At least one successor ready now.
    Covered,
    /// Successors, none ready now.
    NotReadyNow,
    /// Nobody on the plan: a single point of failure.
    NoSuccessor,
}

impl Cover {
    pub fn of(role: &KeyRole) -> Cover {
        if role.ready_now() > 0 {
            Cover::Covered
        } else if role.active_candidates().next().is_some() {
            Cover::NotReadyNow
        } else {
            Cover::NoSuccessor
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Cover::Covered => "covered",
            Cover::NotReadyNow => "nobody ready now",
            Cover::NoSuccessor => "no successor",
        }
    }
}

/// One key role in the overview.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoleSummary {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub id: KeyRoleId,
    pub title: String,
    pub holder: Option<PersonName>,
    pub holder_active: bool,
    pub team: Option<Belongs>,
    pub impact: super::Impact,
    pub candidates: u32,
    pub ready_now: u32,
    pub cover: Cover,
}

/// Someone counted as the ready-now successor of more than one role.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Stretched {
    pub person: PersonName,
    pub roles: u32,
}

#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = SuccessionCoverage))]
pub struct Coverage {
    pub key_roles: u32,
    pub covered: u32,
    pub not_ready_now: u32,
    /// Single points of failure.
    pub no_successor: u32,
    pub stretched: Vec<Stretched>,
}

/// Bench strength of one department.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = BenchStrength))]
pub struct Bench {
    pub department: String,
    pub key_roles: u32,
    pub covered: u32,
    /// Successors ready now, and ready later, summed over the department's roles.
    pub ready_now: u32,
    pub ready_later: u32,
}

/// Someone the evidence singles out who is on no plan the viewer sees.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HiddenCandidate {
    pub person: PersonName,
    pub title: Option<String>,
    pub team: Option<String>,
    /// Why, in words: at least two of informal leader, high delivery, a growth wish.
    pub signals: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = SuccessionOverview))]
pub struct Overview {
    pub roles: Vec<RoleSummary>,
    pub coverage: Coverage,
    pub bench: Vec<Bench>,
    pub hidden: Vec<HiddenCandidate>,
}

/// Coverage of the roles (pure).
pub fn coverage(roles: &[KeyRole]) -> Coverage {
    let mut c = Coverage {
        key_roles: roles.len() as u32,
        ..Coverage::default()
    };
    let mut ready_now: BTreeMap<(String, PersonId), u32> = BTreeMap::new();
    for role in roles {
        match Cover::of(role) {
            Cover::Covered => c.covered += 1,
            Cover::NotReadyNow => c.not_ready_now += 1,
            Cover::NoSuccessor => c.no_successor += 1,
        }
        for cand in role
            .active_candidates()
            .filter(|x| x.readiness == Readiness::Now)
        {
            *ready_now
                .entry((cand.person.name.clone(), cand.person.id))
                .or_default() += 1;
        }
    }
    c.stretched = ready_now
        .into_iter()
        .filter(|(_, n)| *n > 1)
        .map(|((name, id), roles)| Stretched {
            person: PersonName { id, name },
            roles,
        })
        .collect();
    c
}

/// Bench strength per department (pure): `department_of` names a role's department.
pub fn bench(roles: &[KeyRole], department_of: impl Fn(&KeyRole) -> String) -> Vec<Bench> {
    let mut rows: BTreeMap<String, Bench> = BTreeMap::new();
    for role in roles {
        let department = department_of(role);
        let row = rows.entry(department.clone()).or_insert(Bench {
            department,
            key_roles: 0,
            covered: 0,
            ready_now: 0,
            ready_later: 0,
        });
        row.key_roles += 1;
        let now = role.ready_now() as u32;
        row.covered += u32::from(now > 0);
        row.ready_now += now;
        row.ready_later += role.active_candidates().count() as u32 - now;
    }
    rows.into_values().collect()
}

/// The department of a team: its topmost parent.
fn departments(teams: &[crate::org::Team]) -> HashMap<i64, String> {
    let by_id: HashMap<TeamId, &crate::org::Team> = teams.iter().map(|t| (t.id, t)).collect();
    teams
        .iter()
        .map(|t| {
            let mut top = t;
            for _ in 0..teams.len() {
                match top.parent_id.and_then(|p| by_id.get(&p)) {
                    Some(parent) => top = parent,
                    None => break,
                }
            }
            (t.id.0, top.name.clone())
        })
        .collect()
}

pub async fn overview(store: &dyn Store, viewer: &Viewer, now: i64) -> CoreResult<Overview> {
    if !viewer.may_lead_teams() {
        return Err(CoreError::Forbidden(
            "see succession plans; managers and admins do".into(),
        ));
    }
    let mut reaches = Reaches::new(store, viewer);
    let mut roles = Vec::new();
    for role in store.key_roles().await? {
        if reaches.sees_plan(&role).await? {
            roles.push(role);
        }
    }
    let department = departments(&store.teams().await?);
    let bench = bench(&roles, |r| {
        r.team
            .as_ref()
            .and_then(|t| department.get(&t.id).cloned())
            .unwrap_or_else(|| "No team".into())
    });
    let hidden = hidden_candidates(store, viewer, &roles, now).await?;
    Ok(Overview {
        coverage: coverage(&roles),
        bench,
        hidden,
        roles: roles
            .into_iter()
            .map(|r| RoleSummary {
                id: r.id,
                cover: Cover::of(&r),
                candidates: r.active_candidates().count() as u32,
                ready_now: r.ready_now() as u32,
                title: r.title,
                holder: r.holder,
                holder_active: r.holder_active,
                team: r.team,
                impact: r.impact,
            })
            .collect(),
    })
}

/// Delivery that counts as high: at least this share on time…
pub const HIGH_DELIVERY: f64 = 0.9;
/// …of at least this many commitments due.
pub const HIGH_DELIVERY_MIN_DUE: u64 = 5;

async fn hidden_candidates(
    store: &dyn Store,
    viewer: &Viewer,
    roles: &[KeyRole],
    now: i64,
) -> CoreResult<Vec<HiddenCandidate>> {
    let listed: HashSet<PersonId> = roles
        .iter()
        .flat_map(|r| r.candidates.iter().map(|c| c.person.id))
        .chain(roles.iter().filter_map(|r| r.holder.as_ref().map(|h| h.id)))
        .collect();
    let people: Vec<crate::org::PersonCard> = if viewer.may_administer() {
        store.active_cards().await?
    } else {
        let tree: HashSet<PersonId> = store
            .tree_members(viewer.person_id())
            .await?
            .into_iter()
            .map(|m| m.id)
            .collect();
        store
            .active_cards()
            .await?
            .into_iter()
            .filter(|p| tree.contains(&p.id))
            .collect()
    };
    let people: Vec<_> = people
        .into_iter()
        .filter(|p| p.id != viewer.person_id() && !listed.contains(&p.id))
        .collect();
    let ids: Vec<PersonId> = people.iter().map(|p| p.id).collect();
    let today = crate::clock::local_date(None, now);
    let delivery: HashMap<PersonId, _> = store
        .delivery_by_owner(Some(&ids), Window::ending(today, DELIVERY_DAYS), today)
        .await?
        .into_iter()
        .collect();
    let leaders: HashSet<PersonId> = store
        .influence_figures(None)
        .await?
        .into_iter()
        .filter(|f| f.informal_leader)
        .map(|f| f.person_id)
        .collect();
    let wishes: HashSet<PersonId> = store.people_with_next_step().await?.into_iter().collect();
    let mut out = Vec::new();
    for p in people {
        let mut signals = Vec::new();
        if leaders.contains(&p.id) {
            signals.push("an informal leader: sought for advice from outside their line".into());
        }
        if let Some(c) = delivery.get(&p.id)
            && c.due >= HIGH_DELIVERY_MIN_DUE
            && c.reliability().is_some_and(|r| r >= HIGH_DELIVERY)
        {
            signals.push(format!(
                "delivered {} of {} commitments on time in {DELIVERY_DAYS} days",
                c.on_time, c.due
            ));
        }
        if wishes.contains(&p.id) {
            signals.push("has a next step on their career plan".into());
        }
        if signals.len() >= 2 {
            out.push(HiddenCandidate {
                person: PersonName {
                    id: p.id,
                    name: p.display_name.clone(),
                },
                title: p.title.clone(),
                team: p.team_name.clone(),
                signals,
            });
        }
    }
    out.sort_by(|a, b| {
        b.signals
            .len()
            .cmp(&a.signals.len())
            .then_with(|| a.person.name.cmp(&b.person.name))
    });
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::super::{Candidate, Impact};
    use super::*;

    fn role(id: i64, dept: &str, readiness: &[(i64, Readiness, bool)]) -> KeyRole {
        KeyRole {
            id: KeyRoleId(id),
            title: format!("Role {id}"),
            holder: None,
            holder_active: false,
            team: Some(Belongs {
                id: 0,
                name: dept.into(),
            }),
            reports_to: None,
            impact: Impact::High,
            why: String::new(),
            created_at: 0,
            candidates: readiness
                .iter()
                .enumerate()
                .map(|(i, (p, r, active))| Candidate {
                    person: PersonName {
                        id: PersonId(*p),
                        name: format!("P{p}"),
                    },
                    active: *active,
                    rank: i as u32 + 1,
                    readiness: *r,
                    condition: String::new(),
                    note: String::new(),
                    reviewed_on: "2026-01-01".parse().unwrap(),
                })
                .collect(),
        }
    }

    #[test]
    fn coverage_counts_ready_now_none_ready_and_nobody_and_who_is_counted_twice() {
        let roles = [
            role(
                1,
                "Eng",
                &[(10, Readiness::Now, true), (11, Readiness::Once, true)],
            ),
            role(2, "Eng", &[(10, Readiness::Now, true)]),
            role(3, "Sales", &[(12, Readiness::OneToTwoYears, true)]),
            // Someone who left does not count: nobody is left.
            role(4, "Sales", &[(13, Readiness::Now, false)]),
        ];
        let c = coverage(&roles);
        assert_eq!(
            (c.key_roles, c.covered, c.not_ready_now, c.no_successor),
            (4, 2, 1, 1)
        );
        assert_eq!(c.stretched.len(), 1);
        assert_eq!(
            (c.stretched[0].person.id, c.stretched[0].roles),
            (PersonId(10), 2)
        );
        let b = bench(&roles, |r| r.team.as_ref().unwrap().name.clone());
        assert_eq!(b.len(), 2);
        assert_eq!(
            (
                b[0].department.as_str(),
                b[0].key_roles,
                b[0].covered,
                b[0].ready_now,
                b[0].ready_later
            ),
            ("Eng", 2, 2, 2, 1)
        );
        assert_eq!(
            (
                b[1].department.as_str(),
                b[1].key_roles,
                b[1].covered,
                b[1].ready_now,
                b[1].ready_later
            ),
            ("Sales", 2, 0, 0, 1)
        );
    }
}
