//! 360 assessments of management and leadership behaviour. A person's manager chain or a
//! people admin asks raters in groups — the subject themselves, their manager (both named,
//! and the form says so), peers, direct reports and others (anonymous) — to rate the
//! template's behaviours from 1 to 5 and comment per family. Anonymous answers are stored
//! with their group and a pseudonym only (a keyed hash of rater and subject under the
//! server's `secret_key`); who has answered is kept apart, for completion. Once shared, the
//! subject, their manager chain and admins read the report, built under the anonymity rule
//! of [`crate::anonymity`] with `k` fixed when the assessment was created.

pub mod demo;
pub mod export;
pub mod nominations;
pub mod org_view;
pub mod report;
pub mod store;
pub mod team;

use crate::access::Viewer;
use crate::error::{CoreError, CoreResult, FieldError};
use crate::ids::{PersonId, PersonName};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use store::{AssessmentStore, NewAssessment};

/// An assessment's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AssessmentId(pub i64);

impl std::fmt::Display for AssessmentId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// The two jobs the product is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Family {
    Management,
    Leadership,
}

impl Family {
    pub fn label(self) -> &'static str {
        match self {
            Family::Management => "Management: getting the work done",
            Family::Leadership => "Leadership: helping people grow",
        }
    }
}

/// One behaviour raters rate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Behaviour {
    pub family: Family,
    pub text: String,
}

/// The shipped template: six behaviours of each family.
pub fn template() -> Vec<Behaviour> {
    let m = [
        "Makes priorities clear",
        "Sets realistic deadlines",
        "Balances the workload",
        "Delivers as promised",
        "Runs reviews on time",
        "Removes obstacles",
    ];
    let l = [
        "Supports my career",
        "Gives me stretch opportunities",
        "Connects me with people",
        "Coaches rather than micromanages",
        "Explains the direction and why",
        "Develops future leaders",
    ];
    m.iter()
        .map(|t| (Family::Management, t))
        .chain(l.iter().map(|t| (Family::Leadership, t)))
        .map(|(family, t)| Behaviour {
            family,
            text: (*t).to_string(),
        })
        .collect()
}

/// The rating scale's labels, 1 first.
pub const SCALE: [&str; 5] = ["Rarely", "Sometimes", "Often", "Usually", "Almost always"];

/// Who a rater is to the subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RaterGroup {
    #[serde(rename = "self")]
    Subject,
    Manager,
    Peers,
    Reports,
    Others,
}

impl RaterGroup {
    pub const ALL: [RaterGroup; 5] = [
        RaterGroup::Subject,
        RaterGroup::Manager,
        RaterGroup::Peers,
        RaterGroup::Reports,
        RaterGroup::Others,
    ];
    pub const ANONYMOUS: [RaterGroup; 3] =
        [RaterGroup::Peers, RaterGroup::Reports, RaterGroup::Others];
    pub fn as_str(self) -> &'static str {
        match self {
            RaterGroup::Subject => "self",
            RaterGroup::Manager => "manager",
            RaterGroup::Peers => "peers",
            RaterGroup::Reports => "reports",
            RaterGroup::Others => "others",
        }
    }
    pub fn parse(s: &str) -> Option<RaterGroup> {
        RaterGroup::ALL.into_iter().find(|g| g.as_str() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            RaterGroup::Subject => "Self",
            RaterGroup::Manager => "Manager",
            RaterGroup::Peers => "Peers",
            RaterGroup::Reports => "Direct reports",
            RaterGroup::Others => "Others",
        }
    }
    /// Self and manager answers carry their author's name.
    pub fn named(self) -> bool {
        matches!(self, RaterGroup::Subject | RaterGroup::Manager)
    }
}

/// Where an assessment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AssessmentState {
    /// Raters answer.
    Open,
    /// Answers locked; the report is read.
    Shared,
}

/// Where a rater stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RaterStatus {
    /// Proposed by the subject, waiting for their manager chain.
    Proposed,
    Asked,
    /// Said no.
    Declined,
}

impl RaterStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RaterStatus::Proposed => "proposed",
            RaterStatus::Asked => "asked",
            RaterStatus::Declined => "declined",
        }
    }
}

/// Someone asked (or proposed) to rate.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rater {
    pub person: PersonName,
    pub group: RaterGroup,
    pub answered: bool,
    pub status: RaterStatus,
}

/// Most raters of one anonymous group.
pub const MAX_PER_GROUP: usize = 12;

/// Which feedback of a review cycle a 360 is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = CycleFeedbackKind))]
#[serde(rename_all = "snake_case")]
pub enum FeedbackKind {
    /// Peers review the reviewee.
    Peer,
    /// The reviewee's direct reports review them as their manager, anonymously.
    Upward,
}

/// A 360 that is a step of a review cycle: one reviewee's peer or upward reviews.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InCycle {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub cycle: crate::ids::CycleId,
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub review: crate::ids::ReviewId,
    pub cycle_name: String,
    pub kind: FeedbackKind,
    /// Peers answer under their names (chosen per cycle).
    pub peers_named: bool,
    /// The reviewee proposes peers; otherwise their manager chain names them.
    pub subject_nominates: bool,
    pub max_peers: u8,
    pub nominations_due: Option<NaiveDate>,
    /// Answers are taken from this day on.
    pub opens_on: Option<NaiveDate>,
}

/// The behaviours peers rate in a review cycle.
pub fn peer_template() -> Vec<Behaviour> {
    [
        (Family::Management, "Delivers as promised"),
        (Family::Management, "Keeps others informed"),
        (Family::Management, "Sets realistic deadlines"),
        (Family::Leadership, "Shares what they know"),
        (Family::Leadership, "Helps others grow"),
        (Family::Leadership, "Connects people with each other"),
    ]
    .into_iter()
    .map(|(family, t)| Behaviour {
        family,
        text: t.to_string(),
    })
    .collect()
}

/// An assessment as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Assessment {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub id: AssessmentId,
    pub subject: PersonName,
    pub behaviours: Vec<Behaviour>,
    /// The anonymity threshold per group, fixed at creation.
    pub k: u32,
    pub due_on: NaiveDate,
    pub state: AssessmentState,
    pub created_at: i64,
    pub shared_at: Option<i64>,
    pub raters: Vec<Rater>,
    /// Set when it is a review cycle's peer or upward reviews.
    pub in_cycle: Option<InCycle>,
}

impl Assessment {
    /// What it is, in words: "360", "Peer reviews in Winter review", …
    pub fn title(&self) -> String {
        match &self.in_cycle {
            None => "360".into(),
            Some(c) => match c.kind {
                FeedbackKind::Peer => format!("Peer reviews in {}", c.cycle_name),
                FeedbackKind::Upward => format!("Upward reviews in {}", c.cycle_name),
            },
        }
    }
    /// Whether answers of this group carry their author's name: self and manager always,
    /// peers when the cycle chose named peer reviews.
    pub fn named(&self, group: RaterGroup) -> bool {
        group.named()
            || (group == RaterGroup::Peers && self.in_cycle.as_ref().is_some_and(|c| c.peers_named))
    }
    /// The most raters a group takes.
    pub fn cap(&self, group: RaterGroup) -> usize {
        match &self.in_cycle {
            Some(c) if group == RaterGroup::Peers => usize::from(c.max_peers),
            _ => MAX_PER_GROUP,
        }
    }
    /// Whether answers are taken on `today`.
    pub fn open_on(&self, today: NaiveDate) -> bool {
        self.state == AssessmentState::Open
            && self
                .in_cycle
                .as_ref()
                .and_then(|c| c.opens_on)
                .is_none_or(|d| d <= today)
    }
    /// Why a group will be left out of the report: asked (or proposed) but fewer than `k`.
    pub fn short_groups(&self) -> Vec<String> {
        RaterGroup::ANONYMOUS
            .iter()
            .filter(|g| !self.named(**g))
            .filter_map(|g| {
                let n = self
                    .raters
                    .iter()
                    .filter(|r| r.group == *g && r.status != RaterStatus::Declined)
                    .count();
                (n > 0 && n < self.k as usize).then(|| {
                    format!(
                        "{}: {n} named, fewer than {}: their answers will be left out of the report whole, to protect anonymity",
                        g.label(),
                        self.k
                    )
                })
            })
            .collect()
    }
}

/// One rater's answer: a rating (1–5) or none ("can't say") per behaviour, and a comment
/// per family.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = AssessmentAnswerRequest))]
#[serde(deny_unknown_fields)]
pub struct AnswerInput {
    pub ratings: Vec<Option<u8>>,
    #[serde(default)]
    pub management_comment: String,
    #[serde(default)]
    pub leadership_comment: String,
}

/// An assessment as requested.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = AssessmentRequest))]
#[serde(deny_unknown_fields)]
pub struct AssessmentInput {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub subject: PersonId,
    pub due_on: NaiveDate,
    /// Raters by e-mail, per anonymous group; the subject and their manager are added.
    #[serde(default)]
    pub peers: Vec<String>,
    #[serde(default)]
    pub reports: Vec<String>,
    #[serde(default)]
    pub others: Vec<String>,
    /// The behaviours, when not the template's.
    #[serde(default)]
    pub behaviours: Option<Vec<Behaviour>>,
}

/// What creating an assessment says besides its id: groups that can never reach `k`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Created {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub id: AssessmentId,
    pub warnings: Vec<String>,
}

/// The viewer's standing towards an assessment's subject: the chain and admins run it.
async fn runs(store: &dyn AssessmentStore, viewer: &Viewer, subject: PersonId) -> CoreResult<bool> {
    if viewer.may_administer() {
        return Ok(true);
    }
    let reach = crate::org::people::reach_to(store, viewer, subject).await?;
    Ok(reach.may_manage() && subject != viewer.person_id())
}

/// Asks raters for a 360 of `input.subject`: their manager chain or a people admin.
pub async fn create(
    store: &dyn AssessmentStore,
    viewer: &Viewer,
    input: &AssessmentInput,
    today: NaiveDate,
    now: i64,
) -> CoreResult<Created> {
    let subject = store
        .person(input.subject)
        .await?
        .filter(|p| p.status == crate::org::PersonStatus::Active)
        .ok_or_else(|| CoreError::field("subject", "choose someone who works here"))?;
    if !runs(store, viewer, subject.id).await? {
        return Err(CoreError::Forbidden(
            "ask for a 360 of this person: their manager chain and people admins do".into(),
        ));
    }
    let mut errors = Vec::new();
    if input.due_on < today {
        errors.push(FieldError::new(
            "due_on",
            format!("{} is in the past", input.due_on),
        ));
    }
    let behaviours = input.behaviours.clone().unwrap_or_else(template);
    if behaviours.is_empty()
        || behaviours.len() > 30
        || behaviours
            .iter()
            .any(|b| b.text.trim().is_empty() || b.text.chars().count() > 200)
    {
        errors.push(FieldError::new(
            "behaviours",
            "give 1 to 30 behaviours of 1 to 200 characters",
        ));
    }
    let mut raters: Vec<(PersonId, RaterGroup)> = vec![(subject.id, RaterGroup::Subject)];
    if let Some(m) = subject.manager_id {
        raters.push((m, RaterGroup::Manager));
    }
    for (group, emails) in [
        (RaterGroup::Peers, &input.peers),
        (RaterGroup::Reports, &input.reports),
        (RaterGroup::Others, &input.others),
    ] {
        for email in emails.iter().map(|e| e.trim()).filter(|e| !e.is_empty()) {
            let field = group.as_str();
            let person = match store.person_id_by_email(email).await? {
                Some(id) => store.person(id).await?,
                None => None,
            };
            match person {
                None => errors.push(FieldError::new(
                    field,
                    format!("nobody has the e-mail {email:?}"),
                )),
                Some(p) if p.status != crate::org::PersonStatus::Active => {
                    errors.push(FieldError::new(
                        field,
                        format!(
                            "{} has left: choose someone who works here",
                            p.display_name()
                        ),
                    ))
                }
                Some(p) if p.id == subject.id => errors.push(FieldError::new(
                    field,
                    "the subject rates themselves in the self group; leave them out",
                )),
                Some(p) if raters.iter().any(|(r, _)| *r == p.id) => errors.push(FieldError::new(
                    field,
                    format!("{} is asked already: once, in one group", p.display_name()),
                )),
                Some(p) => raters.push((p.id, group)),
            }
        }
    }
    if !errors.is_empty() {
        return Err(CoreError::Invalid(errors));
    }
    // The organisation's threshold now, fixed in this 360 for good.
    let k = store.settings().await?.anonymity_k_360.max(2);
    let warnings = RaterGroup::ANONYMOUS
        .iter()
        .filter_map(|g| {
            let n = raters.iter().filter(|(_, x)| x == g).count();
            (n > 0 && n < k as usize).then(|| {
                format!(
                    "{}: {n} asked, fewer than {k}: their answers will be left out of the report whole, to protect anonymity",
                    g.label()
                )
            })
        })
        .collect();
    let mut work = store.begin_assessment_write().await?;
    let id = work
        .create_assessment(&NewAssessment {
            subject: subject.id,
            behaviours,
            k,
            due_on: input.due_on,
            created_by: viewer.actor(),
            created_at: now,
            raters,
            in_cycle: None,
        })
        .await?;
    work.audit(&crate::audit::AuditEntry {
        at: now,
        actor: viewer.actor(),
        action: "assessment.create".into(),
        subject: format!("assessment {id}"),
        detail: format!("360 of {}", subject.display_name()),
    })
    .await?;
    work.commit().await?;
    Ok(Created { id, warnings })
}

/// An assessment as one viewer may see it: the chain and admins see who is asked; the
/// subject and raters see counts only.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssessmentView {
    pub assessment: Assessment,
    /// Asked and answered per group.
    pub progress: Vec<GroupProgress>,
    /// The viewer is asked to rate, in this group.
    pub my_group: Option<RaterGroup>,
    pub i_answered: bool,
    pub can_share: bool,
    /// Groups asked but too small to be shown (for those who run it and the subject).
    pub warnings: Vec<String>,
    /// The viewer may propose (the subject) or ask (the chain) raters now.
    pub can_nominate: bool,
    /// The viewer runs it: the subject's manager chain or a people admin.
    pub runs: bool,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GroupProgress {
    pub group: RaterGroup,
    pub asked: usize,
    pub answered: usize,
}

/// Loads an assessment for a viewer: its subject, their chain, admins and its raters;
/// anyone else is told it does not exist.
pub async fn show(
    store: &dyn AssessmentStore,
    viewer: &Viewer,
    id: AssessmentId,
) -> CoreResult<AssessmentView> {
    let not_found = || CoreError::NotFound(format!("360 assessment {id}"));
    let mut a = store.assessment(id).await?.ok_or_else(not_found)?;
    let me = viewer.person_id();
    let runs = runs(store, viewer, a.subject.id).await?;
    // Someone proposed but not asked, or who declined, is not a rater of it.
    let mine = a
        .raters
        .iter()
        .find(|r| r.person.id == me && r.status == RaterStatus::Asked)
        .cloned();
    if !runs && mine.is_none() && a.subject.id != me {
        return Err(not_found());
    }
    let progress = RaterGroup::ALL
        .iter()
        .map(|g| GroupProgress {
            group: *g,
            asked: a
                .raters
                .iter()
                .filter(|r| r.group == *g && r.status == RaterStatus::Asked)
                .count(),
            answered: a
                .raters
                .iter()
                .filter(|r| r.group == *g && r.answered)
                .count(),
        })
        .filter(|p| p.asked > 0)
        .collect();
    let subject = a.subject.id == me;
    // Counted over every rater, before the viewer's share of them is kept.
    let warnings = if runs || subject {
        a.short_groups()
    } else {
        Vec::new()
    };
    keep_visible_raters(&mut a, me, runs);
    let can_nominate = a.state == AssessmentState::Open
        && a.in_cycle
            .as_ref()
            .is_none_or(|c| c.kind == FeedbackKind::Peer)
        && (runs || (subject && a.in_cycle.as_ref().is_none_or(|c| c.subject_nominates)));
    Ok(AssessmentView {
        runs,
        warnings,
        can_nominate,
        can_share: runs && a.state == AssessmentState::Open && a.in_cycle.is_none(),
        my_group: mine.as_ref().map(|r| r.group),
        i_answered: mine.is_some_and(|r| r.answered),
        progress,
        assessment: a,
    })
}

/// Keeps the raters a viewer may see: everyone for those who run it; raters see only
/// themselves, and the subject also the raters they proposed, not yet asked.
pub(crate) fn keep_visible_raters(a: &mut Assessment, me: PersonId, runs: bool) {
    if !runs {
        let subject = a.subject.id == me;
        a.raters
            .retain(|r| r.person.id == me || (subject && r.status == RaterStatus::Proposed));
    }
}

/// Checks an answer against the behaviours.
fn checked_answer(behaviours: &[Behaviour], input: &AnswerInput) -> Result<(), Vec<FieldError>> {
    let mut errors = Vec::new();
    if input.ratings.len() != behaviours.len() {
        errors.push(FieldError::new(
            "ratings",
            format!(
                "rate each of the {} behaviours, or leave it at \"can't say\"",
                behaviours.len()
            ),
        ));
    }
    for (i, r) in input.ratings.iter().enumerate() {
        if let Some(r) = r
            && !(1..=5).contains(r)
        {
            errors.push(FieldError::new(
                format!("ratings[{i}]"),
                format!(
                    "a rating from 1 ({}) to 5 ({}), not {r}",
                    SCALE[0], SCALE[4]
                ),
            ));
        }
    }
    if input.ratings.iter().all(Option::is_none) {
        errors.push(FieldError::new("ratings", "rate at least one behaviour"));
    }
    for (field, c) in [
        ("management_comment", &input.management_comment),
        ("leadership_comment", &input.leadership_comment),
    ] {
        if c.chars().count() > 5000 {
            errors.push(FieldError::new(field, "keep a comment to 5,000 characters"));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// The pseudonym of a rater's answers about a subject: the same in every assessment of
/// that subject (so later reports can be checked against earlier ones), and nobody's
/// without the key.
pub fn pseudonym(
    key: &crate::conversations::sealed::NoteKey,
    rater: PersonId,
    subject: PersonId,
) -> u64 {
    key.pseudonym(&format!("360 rater {} subject {}", rater.0, subject.0))
}

/// Saves (or revises) the viewer's answer while the assessment is open.
pub async fn answer(
    store: &dyn AssessmentStore,
    key: &crate::conversations::sealed::NoteKey,
    viewer: &Viewer,
    id: AssessmentId,
    input: &AnswerInput,
    today: NaiveDate,
) -> CoreResult<()> {
    let not_found = || CoreError::NotFound(format!("360 assessment {id}"));
    let a = store.assessment(id).await?.ok_or_else(not_found)?;
    let me = viewer.person_id();
    let Some(rater) = a
        .raters
        .iter()
        .find(|r| r.person.id == me && r.status == RaterStatus::Asked)
    else {
        return Err(match show(store, viewer, id).await {
            Ok(_) => CoreError::Forbidden("answer this 360: only the people asked do".into()),
            Err(e) => e,
        });
    };
    if a.state != AssessmentState::Open {
        return Err(CoreError::Conflict(
            "this 360 was shared: its answers are locked".into(),
        ));
    }
    if let Some(on) = a.in_cycle.as_ref().and_then(|c| c.opens_on)
        && !a.open_on(today)
    {
        return Err(CoreError::Conflict(format!(
            "these reviews open on {}: answer from then",
            on.format("%-d %B")
        )));
    }
    checked_answer(&a.behaviours, input).map_err(CoreError::Invalid)?;
    let stored = store::StoredAnswer {
        group: rater.group,
        pseudonym: pseudonym(key, me, a.subject.id),
        rater: a.named(rater.group).then_some(me),
        ratings: input.ratings.clone(),
        management_comment: input.management_comment.trim().to_string(),
        leadership_comment: input.leadership_comment.trim().to_string(),
    };
    let mut work = store.begin_assessment_write().await?;
    work.save_answer(id, &stored).await?;
    work.mark_answered(id, me).await?;
    // No audit entry: its time and author beside the answer's would undo the pseudonym.
    work.commit().await
}

/// Shares the report: answers lock, and the figures it shows are kept for later checks.
pub async fn share(
    store: &dyn AssessmentStore,
    viewer: &Viewer,
    id: AssessmentId,
    now: i64,
) -> CoreResult<()> {
    let view = show(store, viewer, id).await?;
    if !runs(store, viewer, view.assessment.subject.id).await? {
        return Err(CoreError::Forbidden(
            "share this 360: the subject's manager chain and people admins do".into(),
        ));
    }
    if view.assessment.state != AssessmentState::Open {
        return Err(CoreError::Conflict("this 360 was shared already".into()));
    }
    if let Some(c) = &view.assessment.in_cycle {
        return Err(CoreError::Conflict(format!(
            "these reviews are shared with the rest of {}",
            c.cycle_name
        )));
    }
    let answers = store.answers(id).await?;
    let published = store
        .published_before(view.assessment.subject.id, id)
        .await?;
    let figures = report::figures(&view.assessment, &answers, &published);
    let mut work = store.begin_assessment_write().await?;
    if !work.share_assessment(id, now).await? {
        return Err(CoreError::Conflict(
            "this 360 was shared a moment ago".into(),
        ));
    }
    work.publish(id, view.assessment.subject.id, &figures.shown_sets())
        .await?;
    work.notify_all(&[crate::notify::Notification::new(
        view.assessment.subject.id,
        crate::notify::Topic::ReviewDue,
        "Your 360 report is ready to read.".to_string(),
        format!("/assessments/{id}"),
        now,
    )])
    .await?;
    work.audit(&crate::audit::AuditEntry {
        at: now,
        actor: viewer.actor(),
        action: "assessment.share".into(),
        subject: format!("assessment {id}"),
        detail: String::new(),
    })
    .await?;
    work.commit().await
}

/// The 360s a person is asked to answer, is the subject of, or runs (as a manager).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MyAssessments {
    pub to_answer: Vec<Assessment>,
    pub about_me: Vec<Assessment>,
}

pub async fn mine(store: &dyn AssessmentStore, viewer: &Viewer) -> CoreResult<MyAssessments> {
    let me = viewer.person_id();
    let mut out = MyAssessments {
        to_answer: Vec::new(),
        about_me: Vec::new(),
    };
    for mut a in store.assessments_involving(me).await? {
        a.raters.retain(|r| r.person.id == me);
        if a.subject.id == me {
            out.about_me.push(a);
        } else if a.raters.iter().any(|r| r.status == RaterStatus::Asked) {
            out.to_answer.push(a);
        }
    }
    Ok(out)
}
