//! Team pages: a team with its members and the teams inside it.

use super::{PersonCard, Team};
use crate::access::Viewer;
use crate::error::{CoreError, CoreResult};
use crate::ids::TeamId;
use crate::org::store::OrgStore;

/// A team as its page and the API show it.
#[derive(Debug, Clone)]
pub struct TeamView {
    pub team: Team,
    /// Active members, by name.
    pub members: Vec<PersonCard>,
    pub sub_teams: Vec<Team>,
}

/// Loads a team; team membership is directory information, visible to everyone signed in.
pub async fn show(store: &dyn OrgStore, _viewer: &Viewer, id: TeamId) -> CoreResult<TeamView> {
    let team = store
        .team(id)
        .await?
        .ok_or_else(|| CoreError::NotFound(format!("team {id}")))?;
    let members = store.team_members(team.id).await?;
    let sub_teams = store.sub_teams(team.id).await?;
    Ok(TeamView {
        team,
        members,
        sub_teams,
    })
}
