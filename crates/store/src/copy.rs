//! Moving a whole installation between databases (`trellis copy`), e.g. from SQLite to
//! PostgreSQL: every table, in an order that keeps references valid, verified by row counts.

use crate::bulk::{Value, insert_rows};
use crate::{Backend, SqlStore, map_err};
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};
use std::collections::HashMap;
use trellis_core::error::{CoreError, CoreResult};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Int,
    Real,
    Text,
    Bytes,
}
use Kind::{Bytes, Int, Real, Text};

struct Table {
    name: &'static str,
    columns: &'static [(&'static str, Kind)],
    /// A column referring to another row of the same table (written parents first).
    parent: Option<&'static str>,
    /// Has an identity `id` whose sequence must follow the copied ids on PostgreSQL.
    identity: bool,
}

/// Every table, parents before children. Keep in step with the migrations.
const TABLES: &[Table] = &[
    Table {
        name: "settings",
        columns: &[("key", Text), ("value", Text)],
        parent: None,
        identity: false,
    },
    Table {
        name: "teams",
        columns: &[("id", Int), ("name", Text), ("parent_id", Int)],
        parent: Some("parent_id"),
        identity: true,
    },
    Table {
        name: "job_levels",
        columns: &[
            ("id", Int),
            ("code", Text),
            ("name", Text),
            ("rank", Int),
            ("expectations", Text),
        ],
        parent: None,
        identity: true,
    },
    Table {
        name: "people",
        columns: &[
            ("id", Int),
            ("employee_id", Text),
            ("name", Text),
            ("preferred_name", Text),
            ("email", Text),
            ("title", Text),
            ("level_id", Int),
            ("team_id", Int),
            ("manager_id", Int),
            ("location", Text),
            ("time_zone", Text),
            ("start_date", Text),
            ("status", Text),
            ("search_text", Text),
        ],
        parent: Some("manager_id"),
        identity: true,
    },
    Table {
        name: "skills",
        columns: &[("id", Int), ("name", Text)],
        parent: None,
        identity: true,
    },
    Table {
        name: "person_skills",
        columns: &[
            ("person_id", Int),
            ("skill_id", Int),
            ("level", Int),
            ("wants_to_grow", Int),
        ],
        parent: None,
        identity: false,
    },
    Table {
        name: "accounts",
        columns: &[
            ("id", Int),
            ("person_id", Int),
            ("password_hash", Text),
            ("is_admin", Int),
        ],
        parent: None,
        identity: true,
    },
    Table {
        name: "sessions",
        columns: &[
            ("token_digest", Text),
            ("account_id", Int),
            ("csrf_token", Text),
            ("expires_at", Int),
        ],
        parent: None,
        identity: false,
    },
    Table {
        name: "api_tokens",
        columns: &[
            ("id", Int),
            ("account_id", Int),
            ("name", Text),
            ("token_digest", Text),
            ("created_at", Int),
            ("last_used_at", Int),
        ],
        parent: None,
        identity: true,
    },
    Table {
        name: "failed_sign_ins",
        columns: &[("email", Text), ("at", Int), ("client", Text)],
        parent: None,
        identity: false,
    },
    Table {
        name: "person_history",
        columns: &[
            ("id", Int),
            ("person_id", Int),
            ("field", Text),
            ("before_value", Text),
            ("after_value", Text),
            ("effective_on", Text),
            ("recorded_at", Int),
            ("actor_id", Int),
            ("source", Text),
        ],
        parent: None,
        identity: true,
    },
    Table {
        name: "audit_log",
        columns: &[
            ("id", Int),
            ("at", Int),
            ("actor_id", Int),
            ("action", Text),
            ("subject", Text),
            ("detail", Text),
        ],
        parent: None,
        identity: true,
    },
    Table {
        name: "jobs",
        columns: &[
            ("id", Int),
            ("kind", Text),
            ("payload", Text),
            ("run_at", Int),
            ("claimed_by", Text),
            ("claimed_until", Int),
            ("attempts", Int),
            ("done_at", Int),
            ("last_error", Text),
        ],
        parent: None,
        identity: true,
    },
    Table {
        name: "pending_imports",
        columns: &[
            ("id", Text),
            ("account_id", Int),
            ("file_name", Text),
            ("content", Bytes),
            ("deactivate_missing", Int),
            ("created_at", Int),
        ],
        parent: None,
        identity: false,
    },
    Table {
        name: "objectives",
        columns: &[
            ("id", Int),
            ("title", Text),
            ("description", Text),
            ("scope", Text),
            ("team_id", Int),
            ("owner_id", Int),
            ("parent_id", Int),
            ("period_start", Text),
            ("period_end", Text),
            ("closed", Int),
            ("created_at", Int),
        ],
        parent: Some("parent_id"),
        identity: true,
    },
    Table {
        name: "key_results",
        columns: &[
            ("id", Int),
            ("objective_id", Int),
            ("title", Text),
            ("kind", Text),
            ("start_value", Real),
            ("target_value", Real),
            ("current_value", Real),
            ("unit", Text),
            ("done", Int),
        ],
        parent: None,
        identity: true,
    },
    Table {
        name: "check_ins",
        columns: &[
            ("id", Int),
            ("key_result_id", Int),
            ("author_id", Int),
            ("at", Int),
            ("value", Real),
            ("done", Int),
            ("confidence", Text),
            ("note", Text),
        ],
        parent: None,
        identity: true,
    },
    Table {
        name: "commitments",
        columns: &[
            ("id", Int),
            ("title", Text),
            ("description", Text),
            ("owner_id", Int),
            ("requester_id", Int),
            ("objective_id", Int),
            ("due_date", Text),
            ("agreed_due_date", Text),
            ("effort_hours", Real),
            ("remaining_hours", Real),
            ("skills", Text),
            ("priority", Int),
            ("status", Text),
            ("created_at", Int),
            ("created_on", Text),
            ("completed_at", Int),
            ("completed_on", Text),
            ("accountable_id", Int),
            ("cancel_counts", Int),
        ],
        parent: None,
        identity: true,
    },
    Table {
        name: "commitment_changes",
        columns: &[
            ("id", Int),
            ("commitment_id", Int),
            ("at", Int),
            ("actor_id", Int),
            ("field", Text),
            ("before_value", Text),
            ("after_value", Text),
            ("note", Text),
            ("in_time", Int),
        ],
        parent: None,
        identity: true,
    },
    Table {
        name: "commitment_comments",
        columns: &[
            ("id", Int),
            ("commitment_id", Int),
            ("author_id", Int),
            ("at", Int),
            ("body", Text),
        ],
        parent: None,
        identity: true,
    },
    Table {
        name: "capacities",
        columns: &[("person_id", Int), ("hours_per_week", Real)],
        parent: None,
        identity: false,
    },
    Table {
        name: "absences",
        columns: &[
            ("id", Int),
            ("person_id", Int),
            ("first_day", Text),
            ("last_day", Text),
            ("note", Text),
        ],
        parent: None,
        identity: true,
    },
    Table {
        name: "opportunities",
        columns: &[
            ("id", Int),
            ("title", Text),
            ("description", Text),
            ("poster_id", Int),
            ("hours_per_week", Real),
            ("weeks", Int),
            ("needs_manager_approval", Int),
            ("status", Text),
            ("created_at", Int),
        ],
        parent: None,
        identity: true,
    },
    Table {
        name: "opportunity_skills",
        columns: &[("opportunity_id", Int), ("skill", Text), ("level", Int)],
        parent: None,
        identity: false,
    },
    Table {
        name: "placements",
        columns: &[
            ("id", Int),
            ("opportunity_id", Int),
            ("person_id", Int),
            ("status", Text),
            ("explanation", Text),
            ("proposed_by", Int),
            ("proposed_at", Int),
            ("decided_by", Int),
            ("decided_at", Int),
            ("commitment_id", Int),
            ("candidate_consent", Text),
            ("manager_approved_by", Int),
            ("manager_approved_at", Int),
        ],
        parent: None,
        identity: true,
    },
    Table {
        name: "career_plans",
        columns: &[
            ("person_id", Int),
            ("target_role", Text),
            ("target_level_id", Int),
            ("strengths", Text),
            ("growth_areas", Text),
            ("last_reviewed_on", Text),
            ("updated_at", Int),
            ("updated_by", Int),
        ],
        parent: None,
        identity: false,
    },
    Table {
        name: "career_plan_history",
        columns: &[
            ("id", Int),
            ("person_id", Int),
            ("at", Int),
            ("by_id", Int),
            ("what", Text),
            ("snapshot", Text),
        ],
        parent: None,
        identity: true,
    },
    Table {
        name: "career_support",
        columns: &[("commitment_id", Int), ("person_id", Int)],
        parent: None,
        identity: false,
    },
    Table {
        name: "plate_wishes",
        columns: &[
            ("id", Int),
            ("person_id", Int),
            ("direction", Text),
            ("what", Text),
            ("commitment_id", Int),
            ("created_at", Int),
        ],
        parent: None,
        identity: true,
    },
    Table {
        name: "mentee_goals",
        columns: &[
            ("person_id", Int),
            ("skills", Text),
            ("must_have_skill", Text),
            ("target_level_id", Int),
            ("note", Text),
            ("updated_at", Int),
        ],
        parent: None,
        identity: false,
    },
    Table {
        name: "mentor_profiles",
        columns: &[
            ("person_id", Int),
            ("strengths", Text),
            ("capacity", Int),
            ("note", Text),
            ("updated_at", Int),
        ],
        parent: None,
        identity: false,
    },
    Table {
        name: "mentoring_rounds",
        columns: &[
            ("id", Int),
            ("name", Text),
            ("goal", Text),
            ("ends_on", Text),
            ("published", Int),
            ("created_by", Int),
            ("created_at", Int),
            ("published_by", Int),
            ("published_at", Int),
            ("mentees", Int),
            ("mentors", Int),
        ],
        parent: None,
        identity: true,
    },
    Table {
        name: "mentoring_pairs",
        columns: &[
            ("round_id", Int),
            ("mentee_id", Int),
            ("mentor_id", Int),
            ("score", Int),
            ("explanation", Text),
            ("goals", Text),
        ],
        parent: None,
        identity: false,
    },
    Table {
        name: "mentorships",
        columns: &[
            ("id", Int),
            ("mentee_id", Int),
            ("mentor_id", Int),
            ("round_id", Int),
            ("goals", Text),
            ("starts_on", Text),
            ("ends_on", Text),
            ("ended_on", Text),
            ("ended_by", Int),
            ("end_note", Text),
            ("created_at", Int),
        ],
        parent: None,
        identity: true,
    },
    Table {
        name: "talent_pool",
        columns: &[
            ("id", Int),
            ("name", Text),
            ("email", Text),
            ("hourly_rate", Real),
            ("hours_per_week", Real),
            ("available_from", Text),
            ("note", Text),
            ("created_at", Int),
            ("created_by", Int),
        ],
        parent: None,
        identity: true,
    },
    Table {
        name: "talent_engagements",
        columns: &[
            ("id", Int),
            ("talent_id", Int),
            ("talent_name", Text),
            ("opportunity_id", Int),
            ("hours", Real),
            ("cost", Real),
            ("note", Text),
            ("engaged_at", Int),
            ("engaged_by", Int),
        ],
        parent: None,
        identity: true,
    },
    Table {
        name: "one_on_one_series",
        columns: &[
            ("id", Int),
            ("kind", Text),
            ("status", Text),
            ("organiser_id", Int),
            ("other_id", Int),
            ("first_date", Text),
            ("start_time", Text),
            ("minutes", Int),
            ("every_weeks", Int),
            ("time_zone", Text),
            ("recurring", Text),
            ("created_by", Int),
            ("created_at", Int),
            ("ended_at", Int),
        ],
        parent: None,
        identity: true,
    },
    Table {
        name: "one_on_one_changes",
        columns: &[
            ("series_id", Int),
            ("occurrence", Text),
            ("change", Text),
            ("moved_to", Text),
        ],
        parent: None,
        identity: false,
    },
    Table {
        name: "talking_points",
        columns: &[
            ("id", Int),
            ("series_id", Int),
            ("author_id", Int),
            ("text", Text),
            ("link", Text),
            ("created_at", Int),
            ("ticked_meeting", Text),
            ("ticked_by", Int),
            ("ticked_at", Int),
        ],
        parent: None,
        identity: true,
    },
    Table {
        name: "meeting_notes",
        columns: &[
            ("series_id", Int),
            ("occurrence", Text),
            ("text", Text),
            ("updated_by", Int),
            ("updated_at", Int),
        ],
        parent: None,
        identity: false,
    },
    // Sealed with the secret_key: the copy needs the same key to be read.
    Table {
        name: "private_notes",
        columns: &[
            ("series_id", Int),
            ("occurrence", Text),
            ("author_id", Int),
            ("sealed", Text),
            ("updated_at", Int),
        ],
        parent: None,
        identity: false,
    },
    Table {
        name: "one_on_one_actions",
        columns: &[
            ("id", Int),
            ("series_id", Int),
            ("meeting", Text),
            ("title", Text),
            ("owner_id", Int),
            ("due_date", Text),
            ("effort_hours", Real),
            ("created_by", Int),
            ("created_at", Int),
            ("commitment_id", Int),
            ("about_id", Int),
        ],
        parent: None,
        identity: true,
    },
    Table {
        name: "calendar_feeds",
        columns: &[
            ("person_id", Int),
            ("token_digest", Text),
            ("sealed_token", Text),
            ("created_at", Int),
        ],
        parent: None,
        identity: false,
    },
    Table {
        name: "opportunity_interest",
        columns: &[("opportunity_id", Int), ("person_id", Int), ("at", Int)],
        parent: None,
        identity: false,
    },
    Table {
        name: "talent_skills",
        columns: &[("talent_id", Int), ("skill", Text), ("level", Int)],
        parent: None,
        identity: false,
    },
    Table {
        name: "notifications",
        columns: &[
            ("id", Int),
            ("person_id", Int),
            ("topic", Text),
            ("text", Text),
            ("link", Text),
            ("created_at", Int),
            ("read_at", Int),
            ("delivered_at", Int),
        ],
        parent: None,
        identity: true,
    },
    Table {
        name: "mails",
        columns: &[
            ("id", Int),
            ("idempotency_key", Text),
            ("person_id", Int),
            ("to_address", Text),
            ("to_name", Text),
            ("subject", Text),
            ("body_text", Text),
            ("body_html", Text),
            ("message_id", Text),
            ("created_at", Int),
            ("sent_at", Int),
            ("failed_at", Int),
            ("attempts", Int),
            ("last_error", Text),
        ],
        parent: None,
        identity: true,
    },
    Table {
        name: "account_tokens",
        columns: &[
            ("id", Int),
            ("token_digest", Text),
            ("person_id", Int),
            ("purpose", Text),
            ("created_at", Int),
            ("created_by", Int),
            ("expires_at", Int),
            ("used_at", Int),
            ("revoked_at", Int),
        ],
        parent: None,
        identity: true,
    },
    Table {
        name: "notification_defaults",
        columns: &[("topic", Text), ("delivery", Text)],
        parent: None,
        identity: false,
    },
    Table {
        name: "notification_preferences",
        columns: &[("person_id", Int), ("topic", Text), ("delivery", Text)],
        parent: None,
        identity: false,
    },
    Table {
        name: "sso_identities",
        columns: &[
            ("issuer", Text),
            ("subject", Text),
            ("person_id", Int),
            ("email", Text),
            ("linked_at", Int),
            ("linked_by", Int),
            ("last_sign_in_at", Int),
        ],
        parent: None,
        identity: false,
    },
    Table {
        name: "sso_sign_ins",
        columns: &[
            ("state_digest", Text),
            ("browser_digest", Text),
            ("nonce", Text),
            ("pkce_verifier", Text),
            ("next_path", Text),
            ("created_at", Int),
        ],
        parent: None,
        identity: false,
    },
    Table {
        name: "sso_refusals",
        columns: &[
            ("issuer", Text),
            ("subject", Text),
            ("email", Text),
            ("name", Text),
            ("reason", Text),
            ("attempted_at", Int),
        ],
        parent: None,
        identity: false,
    },
];

fn read(row: &AnyRow, columns: &[(&str, Kind)]) -> CoreResult<Vec<Value>> {
    columns
        .iter()
        .map(|(name, kind)| {
            Ok(match kind {
                Int => Value::Int(row.try_get(*name).map_err(map_err)?),
                Real => Value::Real(row.try_get(*name).map_err(map_err)?),
                Text => Value::Text(row.try_get(*name).map_err(map_err)?),
                Bytes => Value::Bytes(row.try_get(*name).map_err(map_err)?),
            })
        })
        .collect()
}

/// Rows copied per table, checked against the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyReport {
    pub tables: Vec<(String, i64)>,
}

async fn count(store: &SqlStore, table: &str) -> CoreResult<i64> {
    sqlx::query_scalar(AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
        .fetch_one(&store.pool)
        .await
        .map_err(map_err)
}

/// Rows ordered so that a row's parent (same table) comes before it.
fn parents_first(rows: Vec<Vec<Value>>, id_index: usize, parent_index: usize) -> Vec<Vec<Value>> {
    let id_of = |r: &Vec<Value>, i: usize| match &r[i] {
        Value::Int(v) => *v,
        _ => None,
    };
    let mut children: HashMap<i64, Vec<usize>> = HashMap::new();
    let mut order: Vec<usize> = Vec::with_capacity(rows.len());
    let ids: std::collections::HashSet<i64> =
        rows.iter().filter_map(|r| id_of(r, id_index)).collect();
    for (i, r) in rows.iter().enumerate() {
        match id_of(r, parent_index) {
            Some(p) if ids.contains(&p) => children.entry(p).or_default().push(i),
            _ => order.push(i),
        }
    }
    let mut next = 0;
    while next < order.len() {
        if let Some(id) = id_of(&rows[order[next]], id_index)
            && let Some(c) = children.remove(&id)
        {
            order.extend(c);
        }
        next += 1;
    }
    // Rows caught in a loop (impossible through Trellis) still get copied, last.
    let mut placed = vec![false; rows.len()];
    for &i in &order {
        placed[i] = true;
    }
    order.extend((0..rows.len()).filter(|i| !placed[*i]));
    let mut rows: Vec<Option<Vec<Value>>> = rows.into_iter().map(Some).collect();
    order.into_iter().filter_map(|i| rows[i].take()).collect()
}

/// The tables and columns `trellis copy` moves, so a test can hold them against the schema.
pub(crate) fn copied_columns() -> Vec<(&'static str, Vec<&'static str>)> {
    TABLES
        .iter()
        .map(|t| (t.name, t.columns.iter().map(|(c, _)| *c).collect()))
        .collect()
}

/// Copies every table of `from` into `to`. `to` must be empty unless `force` is set, in
/// which case its data is replaced. All of it happens in one transaction on `to`.
pub async fn copy_database(from: &SqlStore, to: &SqlStore, force: bool) -> CoreResult<CopyReport> {
    let mut occupied = Vec::new();
    for t in TABLES {
        let n = count(to, t.name).await?;
        if n > 0 {
            occupied.push(format!("{} ({n} rows)", t.name));
        }
    }
    if !occupied.is_empty() && !force {
        return Err(CoreError::Conflict(format!(
            "the target database is not empty: {}; use --force to replace its data",
            occupied.join(", ")
        )));
    }
    let mut tx = match to.backend {
        Backend::Sqlite => to.pool.begin_with("BEGIN IMMEDIATE").await,
        Backend::Postgres => to.pool.begin().await,
    }
    .map_err(map_err)?;
    for t in TABLES.iter().rev() {
        sqlx::query(AssertSqlSafe(format!("DELETE FROM {}", t.name)))
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
    }
    for t in TABLES {
        let names: Vec<&str> = t.columns.iter().map(|(n, _)| *n).collect();
        let list = names.join(", ");
        let rows = sqlx::query(AssertSqlSafe(format!("SELECT {list} FROM {}", t.name)))
            .fetch_all(&from.pool)
            .await
            .map_err(map_err)?;
        let mut values: Vec<Vec<Value>> = rows
            .iter()
            .map(|r| read(r, t.columns))
            .collect::<CoreResult<_>>()?;
        if let Some(parent) = t.parent {
            let parent_index = names.iter().position(|n| *n == parent).unwrap_or(0);
            values = parents_first(values, 0, parent_index);
        }
        insert_rows(&mut tx, to.backend, t.name, &names, &values).await?;
        if t.identity && to.backend == Backend::Postgres {
            // Later inserts must not collide with the copied ids.
            sqlx::query(AssertSqlSafe(format!(
                "SELECT setval(pg_get_serial_sequence('{0}', 'id'), COALESCE((SELECT MAX(id) FROM {0}), 0) + 1, false)",
                t.name
            )))
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        }
    }
    tx.commit().await.map_err(map_err)?;
    let mut report = CopyReport { tables: Vec::new() };
    let mut mismatches = Vec::new();
    for t in TABLES {
        let (source, target) = (count(from, t.name).await?, count(to, t.name).await?);
        if source != target {
            mismatches.push(format!(
                "{}: {source} rows in the source, {target} in the target",
                t.name
            ));
        }
        report.tables.push((t.name.to_string(), target));
    }
    if !mismatches.is_empty() {
        return Err(CoreError::Internal(format!(
            "the copy does not match the source ({}); was the source written to during the copy?",
            mismatches.join("; ")
        )));
    }
    Ok(report)
}
