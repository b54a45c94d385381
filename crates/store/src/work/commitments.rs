//! Commitments with their history, comments and priorities, and the people of a tree.

use super::*;
use crate::people::{date, date_text};
use crate::sql::*;
use crate::{SqlStore, map_err};
use chrono::NaiveDate;
use sqlx::any::AnyRow;
use sqlx::{Any, AssertSqlSafe};
use trellis_core::PersonId;
use trellis_core::error::{CoreError, CoreResult};
use trellis_core::ids::PersonName;
use trellis_core::ids::{CommitmentId, ObjectiveId};
use trellis_core::org::display_name;
use trellis_core::work::store::{CommitmentOrder, TreeMember};
use trellis_core::work::{
    ChangeField, Comment, Commitment, CommitmentChange, CommitmentStatus, NewChange, NewCommitment,
};

pub(crate) fn person_name(
    row: &dyn Columns,
    id: &str,
    name: &str,
    preferred: &str,
) -> CoreResult<Option<PersonName>> {
    let id = row.int_or_null(id)?;
    let name = row.text_or_null(name)?;
    let preferred = row.text_or_null(preferred)?;
    Ok(match (id, name) {
        (Some(id), Some(name)) => Some(PersonName {
            id: PersonId(id),
            name: display_name(&name, preferred.as_deref()),
        }),
        _ => None,
    })
}

pub(crate) const COMMITMENT_SELECT: &str = "SELECT c.id, c.title, c.description, c.owner_id, \
    o.name AS owner_name, o.preferred_name AS owner_preferred, c.requester_id, \
    r.name AS requester_name, r.preferred_name AS requester_preferred, c.objective_id, \
    ob.title AS objective_title, c.due_date, c.agreed_due_date, c.effort_hours, \
    c.remaining_hours, c.skills, c.priority, c.status, c.created_at, c.created_on, \
    c.completed_at, c.completed_on, COALESCE(pc.person_id, oa.about_id, rf.about_id) AS private_about, \
    COALESCE(c.accountable_id, c.owner_id) AS accountable_id, c.cancel_counts \
    FROM commitments c JOIN people o ON o.id = c.owner_id \
    LEFT JOIN people r ON r.id = c.requester_id \
    LEFT JOIN objectives ob ON ob.id = c.objective_id \
    LEFT JOIN career_support pc ON pc.commitment_id = c.id \
    LEFT JOIN one_on_one_actions oa ON oa.commitment_id = c.id \
    LEFT JOIN review_follow_through rf ON rf.commitment_id = c.id";

pub(crate) fn commitment_row(row: &dyn Columns) -> CoreResult<Commitment> {
    let skills = row.text("skills")?;
    let objective_id = row.int_or_null("objective_id")?;
    let status = row.text("status")?;
    Ok(Commitment {
        id: CommitmentId(row.int("id")?),
        title: row.text("title")?,
        description: row.text("description")?,
        owner: person_name(row, "owner_id", "owner_name", "owner_preferred")?
            .ok_or_else(|| CoreError::Internal("commitment without owner".into()))?,
        requester: person_name(row, "requester_id", "requester_name", "requester_preferred")?,
        objective: match objective_id {
            Some(id) => Some((
                ObjectiveId(id),
                row.text_or_null("objective_title")?.unwrap_or_default(),
            )),
            None => None,
        },
        due_date: row.day("due_date")?,
        agreed_due_date: row.day("agreed_due_date")?,
        effort_hours: row.real("effort_hours")?,
        remaining_hours: row.real("remaining_hours")?,
        skills: skills
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        priority: row.int("priority")?,
        status: CommitmentStatus::parse(&status).unwrap_or(CommitmentStatus::Open),
        created_at: row.int("created_at")?,
        created_on: row.day("created_on")?,
        completed_at: row.int_or_null("completed_at")?,
        completed_on: date(row.text_or_null("completed_on")?),
        private_about: row.int_or_null("private_about")?.map(PersonId),
        accountable: PersonId(row.int("accountable_id")?),
        cancel_counts: row.int("cancel_counts")? != 0,
    })
}

pub(crate) fn commitment_any(row: &AnyRow) -> CoreResult<Commitment> {
    commitment_row(row)
}

#[async_trait::async_trait]
impl trellis_core::work::store::CommitmentStore for SqlStore {
    async fn tree_members(&self, manager: PersonId) -> CoreResult<Vec<TreeMember>> {
        let mut p = Params::new();
        let manager = p.bind(manager.0)?;
        // The depth guard stops a runaway query should the data ever hold a loop.
        let sql = format!(
            "WITH RECURSIVE tree(id, depth) AS ( \
               SELECT id, 0 FROM people WHERE id = {manager} \
               UNION ALL \
               SELECT p.id, t.depth + 1 FROM people p JOIN tree t ON p.manager_id = t.id \
               WHERE p.status = 'active' AND t.depth < 200) \
             SELECT p.id, p.name, p.preferred_name, p.title, p.manager_id, p.time_zone, t.depth \
             FROM tree t JOIN people p ON p.id = t.id ORDER BY t.depth, p.name, p.id"
        );
        fetch(self, sql, p, |r| {
            let name = r.text("name")?;
            let preferred = r.text_or_null("preferred_name")?;
            Ok(TreeMember {
                id: PersonId(r.int("id")?),
                name: display_name(&name, preferred.as_deref()),
                title: r.text_or_null("title")?,
                manager_id: r.int_or_null("manager_id")?.map(PersonId),
                time_zone: r.text_or_null("time_zone")?,
                depth: r.int("depth")? as u32,
            })
        })
        .await
    }
    async fn create_commitment(&self, c: &NewCommitment) -> CoreResult<CommitmentId> {
        insert_commitment(&self.pool, c).await
    }
    async fn commitment(&self, id: CommitmentId) -> CoreResult<Option<Commitment>> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "{COMMITMENT_SELECT} WHERE c.id = $1"
        )))
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?;
        row.as_ref().map(commitment_any).transpose()
    }
    async fn commitment_changes(&self, id: CommitmentId) -> CoreResult<Vec<CommitmentChange>> {
        let rows = sqlx::query(
            "SELECT h.at, h.actor_id, p.name AS actor_name, p.preferred_name AS actor_preferred, \
             h.field, h.before_value, h.after_value, h.note, h.in_time \
             FROM commitment_changes h LEFT JOIN people p ON p.id = h.actor_id \
             WHERE h.commitment_id = $1 ORDER BY h.at, h.id",
        )
        .bind(id.0)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        rows.iter()
            .map(|r| {
                let field: String = get(r, "field")?;
                Ok(CommitmentChange {
                    at: get(r, "at")?,
                    actor: person_name(r, "actor_id", "actor_name", "actor_preferred")?,
                    field: ChangeField::parse(&field).unwrap_or(ChangeField::Status),
                    before: get(r, "before_value")?,
                    after: get(r, "after_value")?,
                    note: get(r, "note")?,
                    in_time: get::<Option<i64>>(r, "in_time")?.map(|v| v != 0),
                })
            })
            .collect()
    }
    async fn commitment_comments(&self, id: CommitmentId) -> CoreResult<Vec<Comment>> {
        let rows = sqlx::query(
            "SELECT m.at, m.body, m.author_id, p.name AS author_name, \
             p.preferred_name AS author_preferred \
             FROM commitment_comments m JOIN people p ON p.id = m.author_id \
             WHERE m.commitment_id = $1 ORDER BY m.at, m.id",
        )
        .bind(id.0)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        rows.iter()
            .map(|r| {
                Ok(Comment {
                    at: get(r, "at")?,
                    author: person_name(r, "author_id", "author_name", "author_preferred")?
                        .ok_or_else(|| CoreError::Internal("comment without author".into()))?,
                    body: get(r, "body")?,
                })
            })
            .collect()
    }
    async fn add_comment(
        &self,
        id: CommitmentId,
        author: PersonId,
        at: i64,
        body: &str,
    ) -> CoreResult<()> {
        sqlx::query(
            "INSERT INTO commitment_comments (commitment_id, author_id, at, body) VALUES ($1, $2, $3, $4)",
        )
        .bind(id.0)
        .bind(author.0)
        .bind(at)
        .bind(body.to_string())
        .execute(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(())
    }
    async fn open_commitments(
        &self,
        owners: &[PersonId],
        order: CommitmentOrder,
        due_until: Option<NaiveDate>,
        limit: i64,
    ) -> CoreResult<Vec<Commitment>> {
        let mut p = Params::new();
        let owners = p.people(self.backend, "c.owner_id", owners)?;
        let due = match due_until {
            // The agreed date is never later than the date in force: this also finds work whose
            // date was moved after it had passed.
            Some(d) => format!(" AND c.agreed_due_date <= {}", p.bind(text_day(d))?),
            None => String::new(),
        };
        let limit = p.bind(limit)?;
        let order = match order {
            CommitmentOrder::Priority => "c.priority, c.id",
            CommitmentOrder::DueDate => "c.agreed_due_date, c.due_date, c.priority, c.id",
        };
        let sql = format!(
            "{COMMITMENT_SELECT} WHERE c.status = 'open' AND {owners}{due} ORDER BY {order} LIMIT {limit}"
        );
        fetch(self, sql, p, commitment_row).await
    }
    async fn overdue_by_owner(
        &self,
        owners: &[PersonId],
        today: NaiveDate,
    ) -> CoreResult<Vec<(PersonId, i64)>> {
        let mut p = Params::new();
        let owners = p.people(self.backend, "c.owner_id", owners)?;
        let today = p.bind(text_day(today))?;
        let sql = format!(
            "SELECT c.owner_id, COUNT(*) AS n FROM commitments c WHERE c.status = 'open' \
             AND {owners} AND c.agreed_due_date < {today} GROUP BY c.owner_id"
        );
        fetch(self, sql, p, |r| {
            Ok((PersonId(r.int("owner_id")?), r.int("n")?))
        })
        .await
    }
    async fn active_people(&self) -> CoreResult<Vec<PersonName>> {
        // Sorted here, on both backends alike: SQLite would sort through the name index, a
        // lookup per person, and PostgreSQL's collation sort of everyone spills to disk.
        // The order is that of the bytes, as SQLite's BINARY collation has it.
        let sql = "SELECT id, name, preferred_name FROM people WHERE status = 'active'";
        let mut people = crate::sql::fetch(self, sql.into(), crate::sql::Params::new(), |r| {
            Ok((
                r.text("name")?,
                PersonId(r.int("id")?),
                r.text_or_null("preferred_name")?,
            ))
        })
        .await?;
        people.sort_unstable_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
        Ok(people
            .into_iter()
            .map(|(name, id, preferred)| PersonName {
                id,
                name: display_name(&name, preferred.as_deref()),
            })
            .collect())
    }
    async fn closed_commitments(&self, owner: PersonId, limit: i64) -> CoreResult<Vec<Commitment>> {
        let sql = format!(
            "{COMMITMENT_SELECT} WHERE c.owner_id = $1 AND c.status <> 'open' \
             ORDER BY COALESCE(c.completed_at, c.created_at) DESC, c.id DESC LIMIT $2"
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(owner.0)
            .bind(limit)
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)?;
        rows.iter().map(commitment_any).collect()
    }
    async fn set_priorities(&self, order: &[(CommitmentId, i64)]) -> CoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(map_err)?;
        for (id, priority) in order {
            sqlx::query("UPDATE commitments SET priority = $1 WHERE id = $2")
                .bind(*priority)
                .bind(id.0)
                .execute(&mut *tx)
                .await
                .map_err(map_err)?;
        }
        tx.commit().await.map_err(map_err)
    }
}

/// Writes a new commitment with the next priority, on a pool or inside a transaction.
pub(crate) async fn insert_commitment<'e>(
    executor: impl sqlx::Executor<'e, Database = Any>,
    c: &NewCommitment,
) -> CoreResult<CommitmentId> {
    let due = text_day(c.due_date);
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO commitments (title, description, owner_id, requester_id, objective_id, \
         due_date, agreed_due_date, effort_hours, remaining_hours, skills, priority, status, \
         created_at, created_on, accountable_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $7, $8, \
         (SELECT COALESCE(MAX(priority), 0) + 1 FROM commitments), 'open', $9, $10, $3) RETURNING id",
    )
    .bind(c.title.clone())
    .bind(c.description.clone())
    .bind(c.owner.0)
    .bind(c.requester.map(|r| r.0))
    .bind(c.objective.map(|o| o.0))
    .bind(due)
    .bind(c.effort_hours)
    .bind(c.skills.join(","))
    .bind(c.created_at)
    .bind(text_day(c.created_on))
    .fetch_one(executor)
    .await
    .map_err(map_err)?;
    Ok(CommitmentId(id))
}

pub(crate) async fn update_commitment_in(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    c: &Commitment,
    changes: &[NewChange],
) -> CoreResult<()> {
    let result = sqlx::query(
        "UPDATE commitments SET title = $1, description = $2, owner_id = $3, objective_id = $4, \
         due_date = $5, agreed_due_date = $6, effort_hours = $7, remaining_hours = $8, \
         skills = $9, status = $10, completed_at = $11, completed_on = $12, \
         accountable_id = $13, cancel_counts = $14 WHERE id = $15",
    )
    .bind(c.title.clone())
    .bind(c.description.clone())
    .bind(c.owner.id.0)
    .bind(c.objective.as_ref().map(|o| o.0.0))
    .bind(text_day(c.due_date))
    .bind(text_day(c.agreed_due_date))
    .bind(c.effort_hours)
    .bind(c.remaining_hours)
    .bind(c.skills.join(","))
    .bind(c.status.as_str().to_string())
    .bind(c.completed_at)
    .bind(date_text(c.completed_on))
    .bind(c.accountable.0)
    .bind(i64::from(c.cancel_counts))
    .bind(c.id.0)
    .execute(&mut **tx)
    .await
    .map_err(map_err)?;
    if result.rows_affected() == 0 {
        return Err(CoreError::NotFound(format!("commitment {}", c.id)));
    }
    for ch in changes {
        sqlx::query(
            "INSERT INTO commitment_changes (commitment_id, at, actor_id, field, before_value, \
             after_value, note, in_time) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(c.id.0)
        .bind(ch.at)
        .bind(ch.actor.0)
        .bind(ch.field.as_str().to_string())
        .bind(ch.before.clone())
        .bind(ch.after.clone())
        .bind(ch.note.clone())
        .bind(ch.in_time.map(i64::from))
        .execute(&mut **tx)
        .await
        .map_err(map_err)?;
    }
    Ok(())
}

/// Work's steps of a unit of work.
#[async_trait::async_trait]
impl trellis_core::work::store::WorkWrite for crate::unit::SqlUnit {
    async fn create_commitment(&mut self, c: &NewCommitment) -> CoreResult<CommitmentId> {
        insert_commitment(&mut *self.tx, c).await
    }
    async fn update_commitment(&mut self, c: &Commitment, changes: &[NewChange]) -> CoreResult<()> {
        update_commitment_in(&mut self.tx, c, changes).await
    }
}
