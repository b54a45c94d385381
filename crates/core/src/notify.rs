//! Notifications: what a capability tells a person who should know or act — proposed for
//! stretch work, asked to approve, a placement answered, support promised, work handed
//! over, a mentorship started. A use case emits them through its unit of work, so a
//! notification is kept exactly when the change it reports is; the Accounts capability
//! delivers the outbox (the home page and e-mail). The bottom layer: it imports no
//! capability.

use crate::error::CoreResult;
use crate::ids::PersonId;
use async_trait::async_trait;
use serde::Serialize;

/// The job kind that e-mails one notification as its person prefers (payload: its id).
pub const NOTIFICATION_JOB: &str = "notification";
/// The job kind that sends one person their daily summary (payload: the person's id).
pub const DIGEST_JOB: &str = "digest";

/// What a notification is about; people choose per topic how they are told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Topic {
    /// Someone proposed you for stretch work.
    StretchProposed,
    /// A placement waits for your approval as the candidate's manager.
    PlacementToApprove,
    /// A placement you proposed, or were proposed for, was approved or declined.
    PlacementAnswered,
    /// Someone promised support for your career plan.
    SupportPromised,
    /// Work was handed to you.
    WorkReassigned,
    /// Work of yours was handed to someone else.
    WorkTakenAway,
    /// Someone else moved the due date of your work.
    DueDateMoved,
    /// A mentoring round paired you with a mentee or a mentor.
    MentorshipStarted,
    /// A mentorship of yours was ended early by the other side or an admin.
    MentorshipEnded,
    /// An import of people changed the organisation (told to people admins).
    ImportApplied,
    /// Someone proposed a 1:1 series, or answered yours.
    OneOnOneProposed,
    /// A 1:1 is coming up, or one just held left something open.
    OneOnOneReminder,
    /// An action item from a 1:1 waits for you to accept it.
    ActionToAccept,
    /// Someone gave you feedback, or answered your request.
    FeedbackReceived,
    /// Someone asks for your feedback.
    FeedbackAsked,
    /// A review cycle asks something of you, or your review is shared.
    ReviewDue,
    /// The advice pulse asks whose advice you sought.
    AdvicePulse,
    /// A connection round paired you with colleagues.
    Connection,
    /// Added to a development programme, or a session is coming up.
    Development,
    /// A decision you own is due to be revisited.
    DecisionRevisit,
    /// An identity provider deactivated too many people at once and was paused (admins).
    ProvisioningPaused,
}

impl Topic {
    pub const ALL: [Topic; 21] = [
        Topic::StretchProposed,
        Topic::PlacementToApprove,
        Topic::PlacementAnswered,
        Topic::SupportPromised,
        Topic::WorkReassigned,
        Topic::WorkTakenAway,
        Topic::DueDateMoved,
        Topic::MentorshipStarted,
        Topic::MentorshipEnded,
        Topic::ImportApplied,
        Topic::OneOnOneProposed,
        Topic::OneOnOneReminder,
        Topic::ActionToAccept,
        Topic::FeedbackReceived,
        Topic::FeedbackAsked,
        Topic::ReviewDue,
        Topic::AdvicePulse,
        Topic::Connection,
        Topic::Development,
        Topic::DecisionRevisit,
        Topic::ProvisioningPaused,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Topic::StretchProposed => "stretch_proposed",
            Topic::PlacementToApprove => "placement_to_approve",
            Topic::PlacementAnswered => "placement_answered",
            Topic::SupportPromised => "support_promised",
            Topic::WorkReassigned => "work_reassigned",
            Topic::WorkTakenAway => "work_taken_away",
            Topic::DueDateMoved => "due_date_moved",
            Topic::MentorshipStarted => "mentorship_started",
            Topic::MentorshipEnded => "mentorship_ended",
            Topic::ImportApplied => "import_applied",
            Topic::OneOnOneProposed => "one_on_one_proposed",
            Topic::OneOnOneReminder => "one_on_one_reminder",
            Topic::ActionToAccept => "action_to_accept",
            Topic::FeedbackReceived => "feedback_received",
            Topic::FeedbackAsked => "feedback_asked",
            Topic::ReviewDue => "review_due",
            Topic::AdvicePulse => "advice_pulse",
            Topic::Connection => "connection",
            Topic::Development => "development",
            Topic::DecisionRevisit => "decision_revisit",
            Topic::ProvisioningPaused => "provisioning_paused",
        }
    }

    /// What a person reads in their preferences.
    pub fn label(self) -> &'static str {
        match self {
            Topic::StretchProposed => "Someone proposes me for stretch work",
            Topic::PlacementToApprove => {
                "Stretch work for someone in my team waits for my approval"
            }
            Topic::PlacementAnswered => {
                "Stretch work I proposed or was proposed for is approved or declined"
            }
            Topic::SupportPromised => "Someone promises support on my career plan",
            Topic::WorkReassigned => "Work is handed to me",
            Topic::WorkTakenAway => "Work of mine is handed to someone else",
            Topic::DueDateMoved => "Someone else moves the due date of my work",
            Topic::MentorshipStarted => "A mentoring round pairs me with someone",
            Topic::MentorshipEnded => "A mentorship of mine is ended early",
            Topic::ImportApplied => "An import of people is applied (people admins)",
            Topic::OneOnOneProposed => "Someone proposes a 1:1 series, or answers mine",
            Topic::OneOnOneReminder => "A 1:1 of mine is coming up, or left something open",
            Topic::ActionToAccept => "An action item from a 1:1 waits for me to accept it",
            Topic::FeedbackReceived => "Someone gives me feedback, or answers my request",
            Topic::FeedbackAsked => "Someone asks for my feedback",
            Topic::ReviewDue => "A review cycle asks something of me, or my review is shared",
            Topic::AdvicePulse => "The advice pulse asks whose advice I sought",
            Topic::Connection => "A connection round pairs me with colleagues",
            Topic::Development => {
                "A development programme adds me, or one of its sessions is coming up"
            }
            Topic::DecisionRevisit => "A decision I own is due to be revisited",
            Topic::ProvisioningPaused => {
                "Provisioning from the identity provider is paused (people admins)"
            }
        }
    }

    pub fn parse(text: &str) -> Option<Topic> {
        Topic::ALL.into_iter().find(|t| t.as_str() == text)
    }
}

/// One notification for one person: a sentence that says what happened, and the page
/// where they can see it or act.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notification {
    pub to: PersonId,
    pub topic: Topic,
    pub text: String,
    /// A path inside Trellis, such as `/opportunities/4`.
    pub link: String,
    pub at: i64,
}

impl Notification {
    pub fn new(to: PersonId, topic: Topic, text: String, link: String, at: i64) -> Self {
        Notification {
            to,
            topic,
            text,
            link,
            at,
        }
    }
}

/// A notification as it is kept: with its id and whether its person has read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Kept {
    pub id: i64,
    #[serde(flatten)]
    pub note: Notification,
    pub read_at: Option<i64>,
}

/// How a person is told of a topic besides the notification centre.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Delivery {
    /// An e-mail for each notification, sent at once.
    Immediately,
    /// One e-mail a day with everything not yet read.
    Daily,
    /// Only in the notification centre.
    Never,
}

impl Delivery {
    pub const ALL: [Delivery; 3] = [Delivery::Immediately, Delivery::Daily, Delivery::Never];

    pub fn as_str(self) -> &'static str {
        match self {
            Delivery::Immediately => "immediately",
            Delivery::Daily => "daily",
            Delivery::Never => "never",
        }
    }

    pub fn parse(text: &str) -> Option<Delivery> {
        Delivery::ALL.into_iter().find(|d| d.as_str() == text)
    }

    pub fn label(self) -> &'static str {
        match self {
            Delivery::Immediately => "E-mail me at once",
            Delivery::Daily => "In a daily summary",
            Delivery::Never => "Not by e-mail",
        }
    }
}

/// How each topic reaches one person: their own choice, the organisation's default, or
/// at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preferences {
    pub defaults: Vec<(Topic, Delivery)>,
    pub own: Vec<(Topic, Delivery)>,
}

impl Preferences {
    pub fn delivery(&self, topic: Topic) -> Delivery {
        let find =
            |list: &[(Topic, Delivery)]| list.iter().find(|(t, _)| *t == topic).map(|(_, d)| *d);
        find(&self.own)
            .or_else(|| find(&self.defaults))
            .unwrap_or(Delivery::Immediately)
    }

    /// The organisation's default for a topic.
    pub fn default_for(&self, topic: Topic) -> Delivery {
        self.defaults
            .iter()
            .find(|(t, _)| *t == topic)
            .map_or(Delivery::Immediately, |(_, d)| *d)
    }
}

/// Reading the outbox back, marking it read, and the preferences of its delivery. Every
/// method that reads or changes a notification takes its person: nobody reaches another's.
#[async_trait]
pub trait OutboxStore: Send + Sync {
    /// A person's notifications, newest first.
    async fn notifications_of(&self, person: PersonId, limit: i64) -> CoreResult<Vec<Kept>>;
    async fn unread_count(&self, person: PersonId) -> CoreResult<i64>;
    /// Marks one of the person's notifications read; `None` when it is not theirs.
    async fn mark_read(&self, person: PersonId, id: i64, now: i64) -> CoreResult<Option<Kept>>;
    async fn mark_all_read(&self, person: PersonId, now: i64) -> CoreResult<u64>;
    async fn preferences(&self, person: Option<PersonId>) -> CoreResult<Preferences>;
    /// Sets a person's preference, or with `None` the organisation's default.
    async fn set_preference(
        &self,
        person: Option<PersonId>,
        topic: Topic,
        delivery: Delivery,
    ) -> CoreResult<()>;
    /// One notification by id, for the worker that e-mails it.
    async fn notification(&self, id: i64) -> CoreResult<Option<Kept>>;
    /// The person's notifications neither read nor e-mailed yet, oldest first.
    async fn undelivered(&self, person: PersonId) -> CoreResult<Vec<Kept>>;
    async fn mark_delivered(&self, ids: &[i64], now: i64) -> CoreResult<()>;
}

/// Where a unit of work puts the notifications it emits: kept in its transaction.
#[async_trait]
pub trait Outbox: Send {
    async fn notify(&mut self, note: &Notification) -> CoreResult<()>;
}

/// Notifications for several people at once, nobody twice and never the person who acted:
/// they know already.
pub fn to_each(
    people: impl IntoIterator<Item = PersonId>,
    actor: Option<PersonId>,
    note: impl Fn(PersonId) -> Notification,
) -> Vec<Notification> {
    let mut seen = std::collections::HashSet::new();
    people
        .into_iter()
        .filter(|p| Some(*p) != actor && seen.insert(*p))
        .map(note)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topics_read_back_from_their_names() {
        for topic in Topic::ALL {
            assert_eq!(Topic::parse(topic.as_str()), Some(topic));
        }
        assert_eq!(Topic::parse("birthday"), None);
    }

    #[test]
    fn nobody_is_told_twice_and_the_actor_is_not_told() {
        let notes = to_each(
            [PersonId(1), PersonId(2), PersonId(1), PersonId(3)],
            Some(PersonId(3)),
            |p| Notification::new(p, Topic::MentorshipStarted, "x".into(), "/".into(), 0),
        );
        let to: Vec<PersonId> = notes.iter().map(|n| n.to).collect();
        assert_eq!(to, vec![PersonId(1), PersonId(2)]);
    }
}
