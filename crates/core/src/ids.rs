//! Identifier newtypes, so a team id can never be passed where a person id is expected.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(
    /// A person in the organisation (with or without a sign-in account).
    PersonId
);
id_type!(
    /// A team or department.
    TeamId
);
id_type!(
    /// A level on the career ladder.
    LevelId
);
id_type!(
    /// A sign-in account, always tied to one person.
    AccountId
);
id_type!(
    /// An objective (company, team or person level).
    ObjectiveId
);
id_type!(
    /// A key result of an objective.
    KeyResultId
);
id_type!(
    /// A commitment: a piece of work someone agreed to deliver by a date.
    CommitmentId
);
id_type!(
    /// A recorded absence (days off).
    AbsenceId
);
id_type!(
    /// A piece of stretch work looking for an owner.
    OpportunityId
);
id_type!(
    /// An accepted suggestion: a person proposed for an opportunity.
    PlacementId
);
id_type!(
    /// A wish in the plate conversation.
    WishId
);
id_type!(
    /// A mentor-matching round run by an admin.
    RoundId
);
id_type!(
    /// A mentor and a mentee working together for a while.
    MentorshipId
);
id_type!(
    /// An external specialist in the talent pool.
    TalentId
);

/// A person by id and display name: how every capability refers to someone it shows.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonName {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub id: PersonId,
    pub name: String,
}
id_type!(
    /// A 1:1 series between two people.
    SeriesId
);
id_type!(
    /// A talking point on a 1:1 agenda.
    PointId
);
id_type!(
    /// An action item agreed in a 1:1.
    ActionId
);
id_type!(
    /// Feedback one person gave another.
    FeedbackId
);
id_type!(
    /// A request for feedback sent to named people.
    RequestId
);
id_type!(
    /// A review cycle.
    CycleId
);
id_type!(
    /// One person's review in a cycle.
    ReviewId
);
id_type!(
    /// A connection programme.
    ProgrammeId
);
id_type!(
    /// One round of a connection programme.
    ConnectRoundId
);
id_type!(
    /// A pair or trio of a connection round.
    ConnectGroupId
);
id_type!(
    /// A development programme (a cohort with sessions).
    CohortId
);
id_type!(
    /// One session of a development programme.
    SessionId
);
id_type!(
    /// A recorded decision with its revisit date.
    DecisionId
);
id_type!(
    /// A key role with its succession plan.
    KeyRoleId
);
