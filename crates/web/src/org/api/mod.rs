//! `/api/v1` for the organisation.

pub mod imports;
pub mod org;
pub mod people;

crate::api::operations!(
    people::list_people,
    people::show_person,
    people::create_person,
    people::update_person,
    people::person_history,
    org::list_org_roots,
    org::show_org_subtree,
    org::list_teams,
    org::show_team,
    org::list_levels,
    org::save_level,
    org::import_levels,
    imports::import_people,
);
