//! The visibility policy. Every read and write in the services takes a [`Viewer`]: who is
//! asking, and whether they are a people admin. Reach in the reporting tree is decided from
//! the target's manager chain, so a manager sees down their whole tree and nobody else's.

use crate::ids::{AccountId, PersonId};
use serde::Serialize;

/// Who is asking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Viewer {
    pub account_id: AccountId,
    pub person_id: PersonId,
    pub is_admin: bool,
    /// Has at least one active direct report (the manager role is derived, never assigned).
    pub is_manager: bool,
}

/// How the viewer stands to a person they look at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    Myself,
    /// The viewer is somewhere above the person in the reporting tree.
    InMyTree,
    /// A people admin looking at someone outside their own tree.
    Admin,
    /// Anyone else: directory information only.
    Colleague,
}

impl Relation {
    /// Employee id, start date, employment status and level are private to the person,
    /// their manager chain and admins.
    pub fn sees_private_fields(self) -> bool {
        !matches!(self, Relation::Colleague)
    }
}

/// The role shown in the UI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Member,
    Manager,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Member => "member",
            Role::Manager => "manager",
            Role::Admin => "admin",
        }
    }
}

impl Viewer {
    /// How this viewer relates to `target`, given the target's manager chain (nearest first).
    pub fn relation_to(&self, target: PersonId, target_chain: &[PersonId]) -> Relation {
        if target == self.person_id {
            Relation::Myself
        } else if target_chain.contains(&self.person_id) {
            Relation::InMyTree
        } else if self.is_admin {
            Relation::Admin
        } else {
            Relation::Colleague
        }
    }

    /// The highest role the viewer holds.
    pub fn role(&self) -> Role {
        if self.is_admin {
            Role::Admin
        } else if self.is_manager {
            Role::Manager
        } else {
            Role::Member
        }
    }

    /// Org data (people, reporting lines, import, settings) is changed by admins only.
    pub fn can_administer(&self) -> bool {
        self.is_admin
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn viewer(person: i64, admin: bool) -> Viewer {
        Viewer {
            account_id: AccountId(person),
            person_id: PersonId(person),
            is_admin: admin,
            is_manager: false,
        }
    }

    #[test]
    fn managers_reach_down_the_whole_tree_and_nowhere_else() {
        let boss = viewer(1, false);
        // Person 3 reports to 2, who reports to 1.
        assert_eq!(
            boss.relation_to(PersonId(3), &[PersonId(2), PersonId(1)]),
            Relation::InMyTree
        );
        // Person 1's own manager is not in person 1's tree.
        let mid = viewer(2, false);
        assert_eq!(mid.relation_to(PersonId(1), &[]), Relation::Colleague);
        assert!(!Relation::Colleague.sees_private_fields());
        assert_eq!(
            mid.relation_to(PersonId(2), &[PersonId(1)]),
            Relation::Myself
        );
    }

    #[test]
    fn admins_see_everyone_but_keep_their_own_relation() {
        let admin = viewer(9, true);
        assert_eq!(
            admin.relation_to(PersonId(3), &[PersonId(1)]),
            Relation::Admin
        );
        assert!(Relation::Admin.sees_private_fields());
        assert_eq!(admin.role(), Role::Admin);
    }
}
