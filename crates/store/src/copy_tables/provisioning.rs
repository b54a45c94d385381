//! The tables of SCIM provisioning and groups, after [`super::later::LATER`].

use super::Kind::{Int, Text};
use super::Table;

pub(crate) const PROVISIONING: &[Table] = &[
    Table {
        name: "scim_tokens",
        columns: &[
            ("id", Int),
            ("name", Text),
            ("token_digest", Text),
            ("created_by", Int),
            ("created_at", Int),
            ("expires_at", Int),
            ("last_used_at", Int),
            ("revoked_at", Int),
        ],
        parent: None,
        identity: true,
    },
    Table {
        name: "scim_users",
        columns: &[
            ("person_id", Int),
            ("user_name", Text),
            ("user_name_key", Text),
            ("external_id", Text),
            ("attributes", Text),
            ("created_at", Int),
            ("updated_at", Int),
        ],
        parent: None,
        identity: false,
    },
    Table {
        name: "person_groups",
        columns: &[
            ("id", Int),
            ("name", Text),
            ("name_key", Text),
            ("external_id", Text),
            ("source", Text),
            ("created_at", Int),
            ("updated_at", Int),
        ],
        parent: None,
        identity: true,
    },
    Table {
        name: "person_group_members",
        columns: &[("group_id", Int), ("person_id", Int)],
        parent: None,
        identity: false,
    },
    Table {
        name: "scim_deactivations",
        columns: &[("person_id", Int), ("at", Int)],
        parent: None,
        identity: false,
    },
    Table {
        name: "scim_pause",
        columns: &[
            ("id", Int),
            ("paused_at", Int),
            ("reason", Text),
            ("resumed_at", Int),
            ("resumed_by", Int),
        ],
        parent: None,
        identity: false,
    },
];
