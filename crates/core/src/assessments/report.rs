//! A 360's report under the anonymity rule: per behaviour, self and manager (named), all
//! colleagues (the anonymous groups that reach `k`, pooled) and each such group; a group
//! below `k` is dropped whole, scores and comments. Every figure's answer set goes through
//! [`crate::anonymity::visible`] together with the sets earlier reports of the same person
//! published, so no two figures differ by fewer than `k` answers.

use super::store::{AssessmentStore, StoredAnswer};
use super::*;
use crate::anonymity::{AnswerSet, Verdict, pooled, visible};
use sha2::{Digest, Sha256};

/// One figure of the report: a group's average on a behaviour, or why it is hidden.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Figure {
    /// `all` for all colleagues, else the group.
    pub group: String,
    pub label: String,
    /// The average, when shown.
    pub score: Option<f64>,
    /// How many answers it averages, when shown.
    pub answers: Option<usize>,
    /// Why it is hidden, when it is.
    pub hidden: Option<String>,
}

/// A behaviour's line of the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BehaviourLine {
    pub behaviour: Behaviour,
    pub self_score: Option<f64>,
    pub manager_score: Option<f64>,
    /// All colleagues first, then each anonymous group.
    pub figures: Vec<Figure>,
    /// Self minus all colleagues, when both are shown.
    pub gap: Option<f64>,
}

/// A comment, with the group it came from; anonymous ones in an order unrelated to raters.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Comment {
    pub family: Family,
    pub from: String,
    pub text: String,
}

/// The report.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Report {
    pub assessment: Assessment,
    pub lines: Vec<BehaviourLine>,
    pub comments: Vec<Comment>,
    /// Groups left out whole, with why.
    pub dropped: Vec<String>,
}

/// Every figure's answer set and verdict, in the order the rule saw them.
pub struct Figures {
    /// (behaviour, group key, set, verdict)
    pub entries: Vec<(usize, String, AnswerSet, Verdict)>,
    pub eligible: Vec<RaterGroup>,
}

impl Figures {
    /// The sets of the figures shown, keyed, for publishing.
    pub fn shown_sets(&self) -> Vec<(String, AnswerSet)> {
        self.entries
            .iter()
            .filter(|(_, _, _, v)| v.shown())
            .map(|(b, g, s, _)| (format!("{b}:{g}"), s.clone()))
            .collect()
    }
}

fn group_set(answers: &[StoredAnswer], group: RaterGroup, behaviour: usize) -> AnswerSet {
    answers
        .iter()
        .filter(|a| a.group == group && a.ratings.get(behaviour).copied().flatten().is_some())
        .map(|a| a.pseudonym)
        .collect()
}

/// The figures and their verdicts: groups that reach `k` in answers are eligible; per
/// behaviour, all colleagues (eligible groups pooled) then each anonymous group, checked
/// all together (coarsest first) and against what earlier reports published.
pub fn figures(a: &Assessment, answers: &[StoredAnswer], published: &[AnswerSet]) -> Figures {
    let k = a.k as usize;
    let anonymous: Vec<RaterGroup> = RaterGroup::ANONYMOUS
        .into_iter()
        .filter(|g| !a.named(*g))
        .collect();
    let eligible: Vec<RaterGroup> = anonymous
        .iter()
        .copied()
        .filter(|g| answers.iter().filter(|x| x.group == *g).count() >= k)
        .collect();
    let mut keyed: Vec<(usize, String, AnswerSet)> = Vec::new();
    for b in 0..a.behaviours.len() {
        let sets: Vec<AnswerSet> = eligible.iter().map(|g| group_set(answers, *g, b)).collect();
        keyed.push((b, "all".into(), pooled(&sets, a.k)));
    }
    for g in anonymous {
        for b in 0..a.behaviours.len() {
            let set = if eligible.contains(&g) {
                group_set(answers, g, b)
            } else {
                AnswerSet::new()
            };
            keyed.push((b, g.as_str().into(), set));
        }
    }
    let sets: Vec<AnswerSet> = keyed.iter().map(|(_, _, s)| s.clone()).collect();
    let verdicts = visible(&sets, published, a.k);
    Figures {
        entries: keyed
            .into_iter()
            .zip(verdicts)
            .map(|((b, g, s), v)| (b, g, s, v))
            .collect(),
        eligible,
    }
}

fn average(answers: &[StoredAnswer], set: &AnswerSet, behaviour: usize) -> Option<f64> {
    let ratings: Vec<f64> = answers
        .iter()
        .filter(|a| set.contains(&a.pseudonym))
        .filter_map(|a| a.ratings.get(behaviour).copied().flatten())
        .map(f64::from)
        .collect();
    (!ratings.is_empty()).then(|| ratings.iter().sum::<f64>() / ratings.len() as f64)
}

/// Named peers' average: under their names, so no threshold applies.
fn named_peers(answers: &[StoredAnswer], b: usize) -> Figure {
    let ratings: Vec<f64> = answers
        .iter()
        .filter(|x| x.group == RaterGroup::Peers)
        .filter_map(|x| x.ratings.get(b).copied().flatten())
        .map(f64::from)
        .collect();
    Figure {
        group: "peers".into(),
        label: "Peers (named)".into(),
        score: (!ratings.is_empty()).then(|| ratings.iter().sum::<f64>() / ratings.len() as f64),
        answers: Some(ratings.len()),
        hidden: None,
    }
}

/// Builds the report from the stored answers.
pub fn build(a: Assessment, answers: &[StoredAnswer], published: &[AnswerSet]) -> Report {
    let f = figures(&a, answers, published);
    let named = |group: RaterGroup, b: usize| {
        answers
            .iter()
            .find(|x| x.group == group)
            .and_then(|x| x.ratings.get(b).copied().flatten())
            .map(f64::from)
    };
    let label = |g: &str| match RaterGroup::parse(g) {
        Some(g) => g.label().to_string(),
        None => "All colleagues".to_string(),
    };
    let asked = |g: RaterGroup| {
        a.raters
            .iter()
            .any(|r| r.group == g && r.status == RaterStatus::Asked)
    };
    // "All colleagues" pools anonymous groups: none when only named peers were asked.
    let anonymous_asked = RaterGroup::ANONYMOUS
        .into_iter()
        .any(|g| !a.named(g) && asked(g));
    let lines = (0..a.behaviours.len())
        .map(|b| {
            let figures: Vec<Figure> = f
                .entries
                .iter()
                .filter(|(x, g, _, _)| {
                    *x == b
                        && match RaterGroup::parse(g) {
                            Some(g) => asked(g),
                            None => anonymous_asked,
                        }
                })
                .map(|(_, g, set, v)| Figure {
                    group: g.clone(),
                    label: label(g),
                    score: v.shown().then(|| average(answers, set, b)).flatten(),
                    answers: v.shown().then_some(set.len()),
                    hidden: (!v.shown()).then(|| v.reason().to_string()),
                })
                .collect();
            let mut figures = figures;
            if a.named(RaterGroup::Peers) && asked(RaterGroup::Peers) {
                figures.push(named_peers(answers, b));
            }
            let self_score = named(RaterGroup::Subject, b);
            let all = figures.first().and_then(|x| x.score);
            BehaviourLine {
                behaviour: a.behaviours[b].clone(),
                self_score,
                manager_score: named(RaterGroup::Manager, b),
                gap: self_score.zip(all).map(|(s, o)| s - o),
                figures,
            }
        })
        .collect();
    let mut comments: Vec<Comment> = Vec::new();
    for group in [RaterGroup::Subject, RaterGroup::Manager, RaterGroup::Peers] {
        if !a.named(group) {
            continue;
        }
        for x in answers.iter().filter(|x| x.group == group) {
            let from = match group {
                RaterGroup::Peers => a
                    .raters
                    .iter()
                    .find(|r| Some(r.person.id) == x.rater)
                    .map(|r| format!("{} (peer)", r.person.name))
                    .unwrap_or_else(|| group.label().into()),
                _ => group.label().into(),
            };
            for (family, text) in [
                (Family::Management, &x.management_comment),
                (Family::Leadership, &x.leadership_comment),
            ] {
                if !text.is_empty() {
                    comments.push(Comment {
                        family,
                        from: from.clone(),
                        text: text.clone(),
                    });
                }
            }
        }
    }
    let mut anonymous: Vec<(Vec<u8>, Comment)> = Vec::new();
    for x in answers.iter().filter(|x| f.eligible.contains(&x.group)) {
        for (family, text) in [
            (Family::Management, &x.management_comment),
            (Family::Leadership, &x.leadership_comment),
        ] {
            if !text.is_empty() {
                // Ordered by a digest of the words: stable across reloads, unrelated to
                // who wrote them or when.
                let order = Sha256::digest(format!("{}:{text}", a.id).as_bytes()).to_vec();
                anonymous.push((
                    order,
                    Comment {
                        family,
                        from: x.group.label().into(),
                        text: text.clone(),
                    },
                ));
            }
        }
    }
    anonymous.sort_by(|x, y| x.0.cmp(&y.0));
    comments.extend(anonymous.into_iter().map(|(_, c)| c));
    let dropped = RaterGroup::ANONYMOUS
        .into_iter()
        .filter(|g| !a.named(*g) && asked(*g) && !f.eligible.contains(g))
        .map(|g| {
            format!(
                "{}: fewer than {} answers, left out whole (scores and comments) to protect anonymity",
                g.label(),
                a.k
            )
        })
        .collect();
    Report {
        assessment: a,
        lines,
        comments,
        dropped,
    }
}

/// The report, once shared, for the subject, their manager chain and admins.
pub async fn show(
    store: &dyn AssessmentStore,
    viewer: &Viewer,
    id: AssessmentId,
) -> CoreResult<Report> {
    let not_found = || CoreError::NotFound(format!("the report of 360 assessment {id}"));
    let a = store.assessment(id).await?.ok_or_else(not_found)?;
    let me = viewer.person_id();
    let runs = super::runs(store, viewer, a.subject.id).await?;
    if a.subject.id != me && !runs {
        return Err(not_found());
    }
    if a.state != AssessmentState::Shared {
        return Err(CoreError::Conflict(
            "the report is ready once the 360 is shared".into(),
        ));
    }
    // Built from every rater (who was asked decides which groups show), returned with
    // only the raters this viewer may see.
    let answers = store.answers(id).await?;
    let published = store.published_before(a.subject.id, id).await?;
    let mut report = build(a, &answers, &published);
    super::keep_visible_raters(&mut report.assessment, me, runs);
    Ok(report)
}

/// The subject turns a behaviour of their shared report into a growth goal on their career
/// plan, noted in its history.
pub async fn add_growth_goal(
    store: &dyn AssessmentStore,
    viewer: &Viewer,
    id: AssessmentId,
    behaviour: usize,
    now: i64,
) -> CoreResult<String> {
    let view = super::show(store, viewer, id).await?;
    let a = view.assessment;
    if a.subject.id != viewer.person_id() {
        return Err(CoreError::Forbidden(
            "turn a 360 behaviour into a growth goal: the person it is about does".into(),
        ));
    }
    if a.state != AssessmentState::Shared {
        return Err(CoreError::Conflict(
            "the report is ready once the 360 is shared".into(),
        ));
    }
    let Some(b) = a.behaviours.get(behaviour) else {
        return Err(CoreError::field(
            "behaviour",
            format!("there is no behaviour {} in this 360", behaviour + 1),
        ));
    };
    let goal = b.text.clone();
    let mut fields = store
        .career_plan(a.subject.id)
        .await?
        .map(|p| p.fields)
        .unwrap_or_default();
    if fields
        .growth_goals
        .iter()
        .any(|g| g.eq_ignore_ascii_case(&goal))
    {
        return Err(CoreError::field(
            "behaviour",
            format!("\"{goal}\" is a growth goal on your plan already"),
        ));
    }
    fields.growth_goals.push(goal.clone());
    crate::growth::career::save_noting(
        store,
        viewer,
        a.subject.id,
        &fields,
        now,
        &format!("Growth goal from a 360: {goal}"),
    )
    .await?;
    Ok(goal)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assessment(k: u32, groups: &[(RaterGroup, usize)]) -> Assessment {
        let mut raters = Vec::new();
        let mut n = 0;
        for (g, count) in groups {
            for _ in 0..*count {
                n += 1;
                raters.push(Rater {
                    person: PersonName {
                        id: PersonId(n),
                        name: format!("R{n}"),
                    },
                    group: *g,
                    answered: true,
                    status: RaterStatus::Asked,
                });
            }
        }
        Assessment {
            id: AssessmentId(1),
            subject: PersonName {
                id: PersonId(100),
                name: "S".into(),
            },
            behaviours: template()[..2].to_vec(),
            k,
            due_on: "2026-12-31".parse().unwrap(),
            state: AssessmentState::Shared,
            created_at: 0,
            shared_at: Some(1),
            raters,
            in_cycle: None,
        }
    }

    fn answer(group: RaterGroup, pseudonym: u64, rating: u8, comment: &str) -> StoredAnswer {
        StoredAnswer {
            group,
            pseudonym,
            rater: None,
            ratings: vec![Some(rating), Some(rating)],
            management_comment: comment.into(),
            leadership_comment: String::new(),
        }
    }

    #[test]
    fn a_group_below_k_is_left_out_of_scores_all_colleagues_and_comments() {
        let a = assessment(3, &[(RaterGroup::Peers, 3), (RaterGroup::Reports, 2)]);
        let answers = vec![
            answer(RaterGroup::Peers, 11, 4, "Clear priorities"),
            answer(RaterGroup::Peers, 12, 4, ""),
            answer(RaterGroup::Peers, 13, 1, ""),
            answer(RaterGroup::Reports, 21, 5, "Only two of us"),
            answer(RaterGroup::Reports, 22, 5, ""),
        ];
        let r = build(a, &answers, &[]);
        let line = &r.lines[0];
        assert_eq!(
            line.figures[0].score,
            Some(3.0),
            "all colleagues = peers only"
        );
        assert_eq!(line.figures[0].answers, Some(3));
        let reports = line.figures.iter().find(|f| f.group == "reports").unwrap();
        assert_eq!(reports.score, None);
        assert!(reports.hidden.as_ref().unwrap().contains("anonymity"));
        assert!(!r.comments.iter().any(|c| c.text == "Only two of us"));
        assert!(r.comments.iter().any(|c| c.text == "Clear priorities"));
        assert_eq!(r.dropped.len(), 1);
    }

    #[test]
    fn a_rater_who_answered_last_time_and_not_now_hides_the_figure() {
        let a = assessment(3, &[(RaterGroup::Peers, 4)]);
        let now: Vec<StoredAnswer> = (1..=3)
            .map(|p| answer(RaterGroup::Peers, p, 3, ""))
            .collect();
        let last: AnswerSet = (1..=4).collect();
        let r = build(a, &now, &[last]);
        assert!(r.lines[0].figures[0].hidden.is_some(), "{:?}", r.lines[0]);
    }

    #[test]
    fn comments_come_in_an_order_unrelated_to_raters_and_stable() {
        let a = assessment(3, &[(RaterGroup::Peers, 4)]);
        let answers: Vec<StoredAnswer> = ["a", "b", "c", "d"]
            .iter()
            .enumerate()
            .map(|(i, c)| answer(RaterGroup::Peers, i as u64, 3, c))
            .collect();
        let first = build(a.clone(), &answers, &[]).comments;
        let mut reversed = answers.clone();
        reversed.reverse();
        assert_eq!(first, build(a, &reversed, &[]).comments);
    }
}
