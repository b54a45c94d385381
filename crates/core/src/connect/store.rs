//! What connection programmes need from a database. Part of [`crate::Store`].

use super::programmes::{Choice, NewProgramme, Programme};
use super::rounds::{ConnectMeeting, NewRound, Outcome, StoredRound};
use super::slots::WorkingHours;
use crate::error::CoreResult;
use crate::ids::{ConnectGroupId, ConnectRoundId, PersonId, ProgrammeId};
use async_trait::async_trait;

/// A unit of work on connection programmes (one transaction; dropped without committing,
/// nothing is written).
#[async_trait]
pub trait ConnectWrite: crate::unit_of_work::UnitOfWork {
    async fn create_programme(&mut self, programme: &NewProgramme) -> CoreResult<ProgrammeId>;
    /// Stops the programme's rounds; its history stays.
    async fn archive_programme(&mut self, programme: ProgrammeId, at: i64) -> CoreResult<()>;
    /// A conflict when the programme already has a round with this number (another
    /// instance ran it first).
    async fn create_connect_round(&mut self, round: &NewRound) -> CoreResult<ConnectRoundId>;
    /// Records what a group says happened.
    async fn set_outcome(
        &mut self,
        group: ConnectGroupId,
        outcome: Outcome,
        by: PersonId,
        at: i64,
    ) -> CoreResult<()>;
}

/// Storage of connection programmes, people's choices and exclusions, and rounds.
#[async_trait]
pub trait ConnectStore:
    crate::org::store::ImportStore + crate::work::store::CapacityStore + Send + Sync
{
    async fn begin_connect_write(&self) -> CoreResult<Box<dyn ConnectWrite + '_>>;
    /// Every programme, archived ones too, oldest first.
    async fn programmes(&self) -> CoreResult<Vec<Programme>>;
    async fn programme(&self, id: ProgrammeId) -> CoreResult<Option<Programme>>;
    /// Everyone's opt-outs and snoozes in the programme.
    async fn choices(&self, programme: ProgrammeId) -> CoreResult<Vec<(PersonId, Choice)>>;
    async fn set_choice(
        &self,
        programme: ProgrammeId,
        person: PersonId,
        choice: &Choice,
        at: i64,
    ) -> CoreResult<()>;
    /// Every private exclusion, as (person, excluded): read by the rounds alone.
    async fn all_exclusions(&self) -> CoreResult<Vec<(PersonId, PersonId)>>;
    /// The colleagues this person excluded.
    async fn exclusions_by(&self, person: PersonId) -> CoreResult<Vec<PersonId>>;
    async fn set_exclusion(
        &self,
        person: PersonId,
        excluded: PersonId,
        on: bool,
        at: i64,
    ) -> CoreResult<()>;
    /// The number of the programme's last round; 0 before the first.
    async fn connect_rounds_run(&self, programme: ProgrammeId) -> CoreResult<u32>;
    /// The programme's rounds with their groups, oldest first.
    async fn connect_rounds(&self, programme: ProgrammeId) -> CoreResult<Vec<StoredRound>>;
    /// Everyone's own working hours; people not listed keep the default.
    async fn all_working_hours(&self) -> CoreResult<Vec<(PersonId, WorkingHours)>>;
    async fn working_hours(&self, person: PersonId) -> CoreResult<Option<WorkingHours>>;
    /// `None` goes back to the default.
    async fn set_working_hours(
        &self,
        person: PersonId,
        hours: Option<&WorkingHours>,
        at: i64,
    ) -> CoreResult<()>;
    /// The person's groups, newest round first.
    async fn connect_meetings_of(&self, person: PersonId) -> CoreResult<Vec<ConnectMeeting>>;
    /// The group and the programme it belongs to.
    async fn connect_group(
        &self,
        group: ConnectGroupId,
    ) -> CoreResult<Option<(ProgrammeId, super::rounds::StoredGroup)>>;
}
