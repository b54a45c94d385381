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
    /// A mentoring round paired you with a mentee or a mentor.
    MentorshipStarted,
}

impl Topic {
    pub const ALL: [Topic; 6] = [
        Topic::StretchProposed,
        Topic::PlacementToApprove,
        Topic::PlacementAnswered,
        Topic::SupportPromised,
        Topic::WorkReassigned,
        Topic::MentorshipStarted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Topic::StretchProposed => "stretch_proposed",
            Topic::PlacementToApprove => "placement_to_approve",
            Topic::PlacementAnswered => "placement_answered",
            Topic::SupportPromised => "support_promised",
            Topic::WorkReassigned => "work_reassigned",
            Topic::MentorshipStarted => "mentorship_started",
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

/// Reading the outbox back.
#[async_trait]
pub trait OutboxStore: Send + Sync {
    /// A person's notifications, newest first.
    async fn notifications_of(&self, person: PersonId, limit: i64) -> CoreResult<Vec<Kept>>;
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
