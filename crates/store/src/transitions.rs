//! New-manager transitions: commitments' owner and status histories for the delegation
//! ratio, and stretch work given.

use crate::sql::{Columns, json, json_list};
use crate::{SqlStore, map_err};
use std::collections::HashMap;
use trellis_core::error::CoreResult;
use trellis_core::ids::{CommitmentId, PersonId};
use trellis_core::transitions::delegation::{Event, WorkHistory};
use trellis_core::transitions::store::TransitionStore;

#[async_trait::async_trait]
impl TransitionStore for SqlStore {
    async fn work_histories(
        &self,
        people: &[PersonId],
        since: i64,
    ) -> CoreResult<Vec<WorkHistory>> {
        if people.is_empty() {
            return Ok(Vec::new());
        }
        let numbers = json(&people.iter().map(|p| p.0).collect::<Vec<_>>())?;
        let texts = json(&people.iter().map(|p| p.0.to_string()).collect::<Vec<_>>())?;
        let sql = format!(
            "SELECT c.id, c.title, c.effort_hours, c.created_at, c.owner_id, c.status, \
             c.completed_at FROM commitments c \
             WHERE ({owner} OR EXISTS (SELECT 1 FROM commitment_changes h \
               WHERE h.commitment_id = c.id AND h.field = 'owner' AND ({before} OR {after}))) \
             AND (c.status = 'open' OR c.completed_at >= $3 OR EXISTS (SELECT 1 FROM \
               commitment_changes s WHERE s.commitment_id = c.id AND s.field = 'status' \
               AND s.at >= $3)) ORDER BY c.id",
            owner = json_list(self.backend, "c.owner_id", "$1", true),
            before = json_list(self.backend, "h.before_value", "$2", false),
            after = json_list(self.backend, "h.after_value", "$2", false),
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(numbers)
            .bind(texts)
            .bind(since)
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)?;
        let mut out = Vec::with_capacity(rows.len());
        let mut closed: HashMap<i64, (String, i64)> = HashMap::new();
        for r in &rows {
            let id = r.int("id")?;
            let status = r.text("status")?;
            if status != "open" {
                closed.insert(
                    id,
                    (
                        status,
                        r.int_or_null("completed_at")?
                            .unwrap_or(r.int("created_at")?),
                    ),
                );
            }
            out.push(WorkHistory {
                id: CommitmentId(id),
                title: r.text("title")?,
                effort_hours: r.real("effort_hours")?,
                created_at: r.int("created_at")?,
                first_owner: PersonId(r.int("owner_id")?),
                events: Vec::new(),
            });
        }
        if out.is_empty() {
            return Ok(out);
        }
        let ids = json(&out.iter().map(|w| w.id.0).collect::<Vec<_>>())?;
        let sql = format!(
            "SELECT commitment_id, at, field, before_value, after_value FROM commitment_changes \
             WHERE field IN ('owner', 'status') AND {} ORDER BY commitment_id, at, id",
            json_list(self.backend, "commitment_id", "$1", true)
        );
        let changes = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(ids)
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)?;
        let at: HashMap<i64, usize> = out.iter().enumerate().map(|(i, w)| (w.id.0, i)).collect();
        let mut first_owner_seen: HashMap<i64, bool> = HashMap::new();
        for c in &changes {
            let Some(&i) = at.get(&c.int("commitment_id")?) else {
                continue;
            };
            let when = c.int("at")?;
            let after = c.text_or_null("after_value")?.unwrap_or_default();
            let w = &mut out[i];
            if c.text("field")? == "owner" {
                // The owner before the first hand-over is who held it from the start.
                if !first_owner_seen.insert(w.id.0, true).unwrap_or(false)
                    && let Some(Ok(first)) = c.text_or_null("before_value")?.map(|b| b.parse())
                {
                    w.first_owner = PersonId(first);
                }
                if let Ok(p) = after.parse() {
                    w.events.push((when, Event::Owner(PersonId(p))));
                }
            } else {
                w.events.push((when, Event::Open(after == "open")));
            }
        }
        // Work closed without a recorded change (loaded data) closes when it completed.
        for w in &mut out {
            if let Some((_, when)) = closed.get(&w.id.0)
                && !w.events.iter().any(|(_, e)| matches!(e, Event::Open(_)))
            {
                w.events.push((*when, Event::Open(false)));
                w.events.sort_by_key(|(t, _)| *t);
            }
        }
        Ok(out)
    }

    async fn stretch_approved_since(
        &self,
        people: &[PersonId],
        since: i64,
    ) -> CoreResult<Vec<(PersonId, u32)>> {
        if people.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT person_id, COUNT(*) AS n FROM placements WHERE status = 'approved' \
             AND decided_at >= $2 AND {} GROUP BY person_id",
            json_list(self.backend, "person_id", "$1", true)
        );
        let rows: Vec<(i64, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(json(&people.iter().map(|p| p.0).collect::<Vec<_>>())?)
            .bind(since)
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)?;
        Ok(rows
            .into_iter()
            .map(|(p, n)| (PersonId(p), n as u32))
            .collect())
    }
}
