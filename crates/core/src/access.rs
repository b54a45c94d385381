//! Access: who is asking (a [`Viewer`]) and how far they reach to the person a request is
//! about (a [`Reach`]). Only this module constructs either from their parts, and services
//! ask them named questions (`plate_visible`, `may_manage`, `may_administer`, …) instead of
//! reading roles and relations themselves, so a rule is written once and a caller cannot
//! hand a service a relation it made up.
//!
//! Reach in the reporting tree is decided from the target's manager chain: a manager
//! reaches down their whole tree and nobody else's; a people admin reaches everyone.

use crate::ids::{AccountId, PersonId};
use serde::Serialize;

/// Who is asking: a signed-in person, or the operator of the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Viewer {
    account_id: AccountId,
    person_id: PersonId,
    admin: bool,
    /// Has at least one active direct report (the manager role is derived, never assigned).
    manager: bool,
}

/// How a viewer stands to one person. Made only by [`Viewer::reach`], from the person's
/// manager chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reach {
    relation: Relation,
}

impl Serialize for Reach {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Relation {
    Myself,
    /// The viewer is somewhere above the person in the reporting tree.
    InMyTree,
    /// A people admin looking at someone outside their own tree.
    Admin,
    /// Anyone else: directory information only.
    Colleague,
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
    /// A signed-in person: their account, whether it is a people admin's, and how many
    /// active direct reports they have.
    pub fn signed_in(
        account_id: AccountId,
        person_id: PersonId,
        admin: bool,
        report_count: i64,
    ) -> Viewer {
        Viewer {
            account_id,
            person_id,
            admin,
            manager: report_count > 0,
        }
    }

    /// Whoever runs the binary against the database: they could read it directly, so they
    /// see everything, as an admin who is nobody in the organisation.
    pub fn operator() -> Viewer {
        Viewer {
            account_id: AccountId(0),
            person_id: PersonId(0),
            admin: true,
            manager: false,
        }
    }

    pub fn person_id(&self) -> PersonId {
        self.person_id
    }

    pub fn account_id(&self) -> AccountId {
        self.account_id
    }

    /// The person acting, for audit lines and "sent by": none for the operator.
    pub fn actor(&self) -> Option<PersonId> {
        (self.person_id != PersonId(0)).then_some(self.person_id)
    }

    /// How far this viewer reaches to `target`, given the target's manager chain (nearest
    /// first).
    pub fn reach(&self, target: PersonId, target_chain: &[PersonId]) -> Reach {
        let relation = if target == self.person_id {
            Relation::Myself
        } else if target_chain.contains(&self.person_id) {
            Relation::InMyTree
        } else if self.admin {
            Relation::Admin
        } else {
            Relation::Colleague
        };
        Reach { relation }
    }

    /// The highest role the viewer holds.
    pub fn role(&self) -> Role {
        if self.admin {
            Role::Admin
        } else if self.manager {
            Role::Manager
        } else {
            Role::Member
        }
    }

    /// Org data (people, reporting lines, imports, the career ladder, settings, matching
    /// rounds, company objectives, other people's talent-pool entries) is changed by
    /// people admins only; they also read across the whole organisation.
    pub fn may_administer(&self) -> bool {
        self.admin
    }

    /// Has reports of their own: a manager in the organisation's words.
    pub fn has_reports(&self) -> bool {
        self.manager
    }

    /// Managers and admins post stretch work, set team objectives, and read the talent
    /// pool and sourcing options (with rates).
    pub fn may_lead_teams(&self) -> bool {
        self.admin || self.manager
    }
}

impl Reach {
    /// The viewer is the person.
    pub fn is_self(self) -> bool {
        self.relation == Relation::Myself
    }

    /// The viewer is above the person in the reporting tree.
    pub fn is_above(self) -> bool {
        self.relation == Relation::InMyTree
    }

    /// Employee id, start date, employment status and level — and whether someone who left
    /// is visible at all — are for the person, their manager chain and admins.
    pub fn sees_private_fields(self) -> bool {
        self.relation != Relation::Colleague
    }

    /// A plate, a career plan, plate wishes and the person's work reports follow the same
    /// rule as private fields.
    pub fn plate_visible(self) -> bool {
        self.sees_private_fields()
    }

    /// The person themself, their manager chain or an admin: may change the person's
    /// objectives and work, and act on their plate.
    pub fn acts_for(self) -> bool {
        self.relation != Relation::Colleague
    }

    /// The viewer is the person or above them: the person is in the viewer's own tree
    /// (an admin's reach beyond their tree does not count).
    pub fn in_own_tree(self) -> bool {
        matches!(self.relation, Relation::Myself | Relation::InMyTree)
    }

    /// The relation in the API's words: `myself`, `in_my_tree`, `admin` or `colleague`.
    pub fn as_str(self) -> &'static str {
        match self.relation {
            Relation::Myself => "myself",
            Relation::InMyTree => "in_my_tree",
            Relation::Admin => "admin",
            Relation::Colleague => "colleague",
        }
    }

    /// The person's manager chain or an admin: approves their placements, promises career
    /// support, takes their late work out of the record.
    pub fn may_manage(self) -> bool {
        matches!(self.relation, Relation::InMyTree | Relation::Admin)
    }
}

/// The anonymity rule (PRODUCT.md principle 3): an aggregate of answers or people is shown
/// only when it covers at least `k` of them. A `k` below 1 is taken as 1.
pub fn aggregate_visible(n: usize, k: u32) -> bool {
    n >= k.max(1) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    fn viewer(person: i64, admin: bool, reports: i64) -> Viewer {
        Viewer::signed_in(AccountId(person), PersonId(person), admin, reports)
    }

    #[test]
    fn managers_reach_down_the_whole_tree_and_nowhere_else() {
        let boss = viewer(1, false, 1);
        // Person 3 reports to 2, who reports to 1.
        assert!(
            boss.reach(PersonId(3), &[PersonId(2), PersonId(1)])
                .is_above()
        );
        // Person 1's own manager is not in person 1's tree.
        let mid = viewer(2, false, 1);
        assert!(!mid.reach(PersonId(1), &[]).sees_private_fields());
        assert!(mid.reach(PersonId(2), &[PersonId(1)]).is_self());
    }

    /// Every role against every relation, for every check: the whole policy in one table.
    #[test]
    fn each_role_reaches_each_relation_as_the_policy_says() {
        // Person 5 reports to 4, who reports to 3.
        let chain = [PersonId(4), PersonId(3)];
        let member = viewer(9, false, 0);
        let manager = viewer(3, false, 2);
        let admin = viewer(8, true, 0);
        let admin_above = viewer(4, true, 1);
        type Check = fn(Reach) -> bool;
        let checks: [(&str, Check); 7] = [
            ("self", Reach::is_self),
            ("above", Reach::is_above),
            ("own tree", Reach::in_own_tree),
            ("private fields", Reach::sees_private_fields),
            ("plate", Reach::plate_visible),
            ("act for", Reach::acts_for),
            ("manage", Reach::may_manage),
        ];
        #[rustfmt::skip]
        let table: [(&str, &Viewer, PersonId, [bool; 7]); 8] = [
            //                                       self   above  own    private plate  act    manage
            ("member, themself",       &member,      PersonId(9), [true , false, true , true , true , true , false]),
            ("member, a colleague",    &member,      PersonId(5), [false, false, false, false, false, false, false]),
            ("manager, themself",      &manager,     PersonId(3), [true , false, true , true , true , true , false]),
            ("manager, in their tree", &manager,     PersonId(5), [false, true , true , true , true , true , true]),
            ("manager, another tree",  &manager,     PersonId(7), [false, false, false, false, false, false, false]),
            ("admin, themself",        &admin,       PersonId(8), [true , false, true , true , true , true , false]),
            ("admin, anyone",          &admin,       PersonId(5), [false, false, false, true , true , true , true]),
            ("admin above them",       &admin_above, PersonId(5), [false, true , true , true , true , true , true]),
        ];
        for (case, who, target, expected) in table {
            let target_chain: &[PersonId] = if target == PersonId(5) { &chain } else { &[] };
            let reach = who.reach(target, target_chain);
            for ((check, holds), want) in checks.iter().zip(expected) {
                assert_eq!(holds(reach), want, "{case}: {check}");
            }
        }
        // What a viewer may do whoever it is about.
        #[rustfmt::skip]
        let roles: [(&Viewer, Role, bool, bool, bool); 3] = [
            //                      administer reports lead teams
            (&member,  Role::Member,  false, false, false),
            (&manager, Role::Manager, false, true,  true ),
            (&admin,   Role::Admin,   true,  false, true ),
        ];
        for (who, role, administer, reports, lead) in roles {
            assert_eq!(who.role(), role);
            assert_eq!(who.may_administer(), administer, "{role:?}: administer");
            assert_eq!(who.has_reports(), reports, "{role:?}: reports");
            assert_eq!(who.may_lead_teams(), lead, "{role:?}: lead teams");
        }
        let operator = Viewer::operator();
        assert!(operator.may_administer());
        assert!(operator.reach(PersonId(5), &chain).may_manage());
    }

    #[test]
    fn aggregates_show_from_k_people() {
        assert!(
            !aggregate_visible(2, 3),
            "two raters of a group of three stay hidden"
        );
        assert!(aggregate_visible(3, 3));
        assert!(aggregate_visible(1, 0), "k is at least 1");
        assert!(!aggregate_visible(0, 0));
    }
}
