//! Objectives, key results, check-ins, commitments with their history, capacity and
//! absences. Lists of people are passed as one JSON array parameter (`json_each` on
//! SQLite, `jsonb_array_elements_text` on PostgreSQL), so a 500-person tree is one bound
//! value rather than 500.

use crate::bulk::{Value, insert_rows};
use crate::people::{date, date_text};
use crate::{Backend, SqlStore, map_err};
use chrono::NaiveDate;
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::{Any, Arguments, AssertSqlSafe, Row};
use trellis_core::error::{CoreError, CoreResult};
use trellis_core::ids::{AbsenceId, CommitmentId, KeyResultId, ObjectiveId};
use trellis_core::org::display_name;
use trellis_core::work::metrics::{DeliveryCounts, DeliveryRecord, DeliveryState, Measure, Window};
use trellis_core::work::store::{CommitmentOrder, ObjectiveFilter, TreeMember, WorkBatch};
use trellis_core::work::{
    Absence, ChangeField, CheckIn, Comment, Commitment, CommitmentChange, CommitmentStatus,
    Confidence, KeyResult, NewChange, NewCheckIn, NewCommitment, NewKeyResult, NewObjective,
    Objective, PersonName, Scope,
};
use trellis_core::{PersonId, TeamId};

/// A value bound for sqlx and, on SQLite, for the direct reader.
trait Bindable: for<'q> sqlx::Encode<'q, Any> + sqlx::Type<Any> {
    fn direct(&self) -> rusqlite::types::Value;
}

impl Bindable for i64 {
    fn direct(&self) -> rusqlite::types::Value {
        rusqlite::types::Value::Integer(*self)
    }
}

impl Bindable for String {
    fn direct(&self) -> rusqlite::types::Value {
        rusqlite::types::Value::Text(self.clone())
    }
}

/// Collects parameters and hands out their placeholders.
struct Params {
    args: AnyArguments,
    direct: Vec<rusqlite::types::Value>,
}

impl Params {
    fn new() -> Self {
        Params {
            args: AnyArguments::default(),
            direct: Vec::new(),
        }
    }

    fn bind<T: Bindable>(&mut self, value: T) -> CoreResult<String> {
        self.direct.push(value.direct());
        self.args
            .add(value)
            .map_err(|e| CoreError::Internal(e.to_string()))?;
        Ok(format!("${}", self.direct.len()))
    }

    /// `column IN (…these people…)`.
    fn people(&mut self, backend: Backend, column: &str, ids: &[PersonId]) -> CoreResult<String> {
        let json = format!(
            "[{}]",
            ids.iter()
                .map(|i| i.0.to_string())
                .collect::<Vec<_>>()
                .join(",")
        );
        let p = self.bind(json)?;
        Ok(match backend {
            Backend::Sqlite => format!("{column} IN (SELECT value FROM json_each({p}))"),
            Backend::Postgres => {
                format!("{column} IN (SELECT jsonb_array_elements_text({p}::jsonb)::bigint)")
            }
        })
    }

    /// `column IN (…)` or nothing at all for everyone.
    fn maybe_people(
        &mut self,
        backend: Backend,
        column: &str,
        ids: Option<&[PersonId]>,
    ) -> CoreResult<String> {
        match ids {
            Some(ids) => Ok(format!(" AND {}", self.people(backend, column, ids)?)),
            None => Ok(String::new()),
        }
    }
}

fn get<T>(row: &AnyRow, column: &str) -> CoreResult<T>
where
    T: for<'r> sqlx::Decode<'r, Any> + sqlx::Type<Any>,
{
    row.try_get(column).map_err(map_err)
}

fn day(row: &AnyRow, column: &str) -> CoreResult<NaiveDate> {
    date(get(row, column)?)
        .ok_or_else(|| CoreError::Internal(format!("{column} is not a date in the database")))
}

/// A result row from either sqlx or the direct SQLite reader, so each mapping is written once.
pub(crate) trait Columns {
    fn int_or_null(&self, column: &str) -> CoreResult<Option<i64>>;
    fn real_or_null(&self, column: &str) -> CoreResult<Option<f64>>;
    fn text_or_null(&self, column: &str) -> CoreResult<Option<String>>;

    fn int(&self, column: &str) -> CoreResult<i64> {
        self.int_or_null(column)?.ok_or_else(|| missing(column))
    }
    fn real(&self, column: &str) -> CoreResult<f64> {
        self.real_or_null(column)?.ok_or_else(|| missing(column))
    }
    fn text(&self, column: &str) -> CoreResult<String> {
        self.text_or_null(column)?.ok_or_else(|| missing(column))
    }
    fn day(&self, column: &str) -> CoreResult<NaiveDate> {
        date(self.text_or_null(column)?).ok_or_else(|| missing(column))
    }
}

fn missing(column: &str) -> CoreError {
    CoreError::Internal(format!("{column} is missing or malformed in the database"))
}

impl Columns for AnyRow {
    fn int_or_null(&self, column: &str) -> CoreResult<Option<i64>> {
        get(self, column)
    }
    fn real_or_null(&self, column: &str) -> CoreResult<Option<f64>> {
        get(self, column)
    }
    fn text_or_null(&self, column: &str) -> CoreResult<Option<String>> {
        get(self, column)
    }
}

fn direct_error(e: rusqlite::Error) -> CoreError {
    tracing::error!(error = %e, "database read error");
    CoreError::Internal("a database error occurred; it has been logged".into())
}

impl Columns for rusqlite::Row<'_> {
    fn int_or_null(&self, column: &str) -> CoreResult<Option<i64>> {
        self.get(column).map_err(direct_error)
    }
    fn real_or_null(&self, column: &str) -> CoreResult<Option<f64>> {
        // SQLite hands back whole sums of REAL columns as integers.
        match self.get_ref(column).map_err(direct_error)? {
            rusqlite::types::ValueRef::Null => Ok(None),
            rusqlite::types::ValueRef::Integer(i) => Ok(Some(i as f64)),
            rusqlite::types::ValueRef::Real(r) => Ok(Some(r)),
            _ => Err(missing(column)),
        }
    }
    fn text_or_null(&self, column: &str) -> CoreResult<Option<String>> {
        self.get(column).map_err(direct_error)
    }
}

/// [`fetch`] for reads narrowed to some people; a read over everyone takes long enough to
/// belong on sqlx's own connection thread rather than the caller's.
async fn fetch_for<T: Send + 'static>(
    store: &SqlStore,
    narrowed: bool,
    sql: String,
    p: Params,
    map: fn(&dyn Columns) -> CoreResult<T>,
) -> CoreResult<Vec<T>> {
    if narrowed {
        return fetch(store, sql, p, map).await;
    }
    let rows = sqlx::query_with(AssertSqlSafe(sql), p.args)
        .fetch_all(&store.pool)
        .await
        .map_err(map_err)?;
    rows.iter().map(|r| map(r)).collect()
}

/// Runs a read on the direct SQLite reader when the store has one (short, indexed reads
/// for pages), otherwise through sqlx.
async fn fetch<T: Send + 'static>(
    store: &SqlStore,
    sql: String,
    p: Params,
    map: fn(&dyn Columns) -> CoreResult<T>,
) -> CoreResult<Vec<T>> {
    if let Some(reader) = &store.reader {
        // On a blocking thread, so that a page's independent reads run side by side.
        let _slot = reader
            .slots
            .acquire()
            .await
            .map_err(|e| CoreError::Internal(e.to_string()))?;
        let reader = reader.clone();
        let direct = p.direct;
        let rows = tokio::task::spawn_blocking(move || {
            let names: Vec<String> = (1..=direct.len()).map(|i| format!("${i}")).collect();
            reader.read(|conn| {
                let mut statement = conn.prepare_cached(&sql)?;
                let named: Vec<(&str, &dyn rusqlite::ToSql)> = names
                    .iter()
                    .zip(&direct)
                    .map(|(n, v)| (n.as_str(), v as &dyn rusqlite::ToSql))
                    .collect();
                let mut rows = statement.query(named.as_slice())?;
                let mut out = Vec::new();
                while let Some(row) = rows.next()? {
                    out.push(map(row));
                }
                Ok(out)
            })
        })
        .await
        .map_err(|e| CoreError::Internal(format!("a read was interrupted: {e}")))??;
        return rows.into_iter().collect();
    }
    let rows = sqlx::query_with(AssertSqlSafe(sql), p.args)
        .fetch_all(&store.pool)
        .await
        .map_err(map_err)?;
    rows.iter().map(|r| map(r)).collect()
}

fn text_day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

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
    c.completed_at, c.completed_on, pc.person_id AS private_about, \
    COALESCE(c.accountable_id, c.owner_id) AS accountable_id, c.cancel_counts \
    FROM commitments c JOIN people o ON o.id = c.owner_id \
    LEFT JOIN people r ON r.id = c.requester_id \
    LEFT JOIN objectives ob ON ob.id = c.objective_id \
    LEFT JOIN career_support pc ON pc.commitment_id = c.id";

fn commitment_row(row: &dyn Columns) -> CoreResult<Commitment> {
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

pub async fn tree_members(store: &SqlStore, manager: PersonId) -> CoreResult<Vec<TreeMember>> {
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
    fetch(store, sql, p, |r| {
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

pub async fn active_people(store: &SqlStore) -> CoreResult<Vec<PersonName>> {
    let rows = sqlx::query(
        "SELECT id, name, preferred_name FROM people WHERE status = 'active' ORDER BY name, id",
    )
    .fetch_all(&store.pool)
    .await
    .map_err(map_err)?;
    rows.iter()
        .map(|r| {
            let name: String = get(r, "name")?;
            let preferred: Option<String> = get(r, "preferred_name")?;
            Ok(PersonName {
                id: PersonId(get(r, "id")?),
                name: display_name(&name, preferred.as_deref()),
            })
        })
        .collect()
}

pub async fn create_commitment(store: &SqlStore, c: &NewCommitment) -> CoreResult<CommitmentId> {
    insert_commitment(&store.pool, c).await
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

pub async fn commitment(store: &SqlStore, id: CommitmentId) -> CoreResult<Option<Commitment>> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "{COMMITMENT_SELECT} WHERE c.id = $1"
    )))
    .bind(id.0)
    .fetch_optional(&store.pool)
    .await
    .map_err(map_err)?;
    row.as_ref().map(commitment_any).transpose()
}

pub async fn commitment_changes(
    store: &SqlStore,
    id: CommitmentId,
) -> CoreResult<Vec<CommitmentChange>> {
    let rows = sqlx::query(
        "SELECT h.at, h.actor_id, p.name AS actor_name, p.preferred_name AS actor_preferred, \
         h.field, h.before_value, h.after_value, h.note, h.in_time \
         FROM commitment_changes h LEFT JOIN people p ON p.id = h.actor_id \
         WHERE h.commitment_id = $1 ORDER BY h.at, h.id",
    )
    .bind(id.0)
    .fetch_all(&store.pool)
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

pub async fn commitment_comments(store: &SqlStore, id: CommitmentId) -> CoreResult<Vec<Comment>> {
    let rows = sqlx::query(
        "SELECT m.at, m.body, m.author_id, p.name AS author_name, \
         p.preferred_name AS author_preferred \
         FROM commitment_comments m JOIN people p ON p.id = m.author_id \
         WHERE m.commitment_id = $1 ORDER BY m.at, m.id",
    )
    .bind(id.0)
    .fetch_all(&store.pool)
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

pub async fn update_commitment(
    store: &SqlStore,
    c: &Commitment,
    changes: &[NewChange],
    audit: Option<&trellis_core::store::AuditEntry>,
) -> CoreResult<()> {
    let mut tx = store.pool.begin().await.map_err(map_err)?;
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
    .execute(&mut *tx)
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
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
    }
    crate::accounts::audit_opt(&mut tx, audit).await?;
    tx.commit().await.map_err(map_err)
}

pub async fn add_comment(
    store: &SqlStore,
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
    .execute(&store.pool)
    .await
    .map_err(map_err)?;
    Ok(())
}

pub async fn open_commitments(
    store: &SqlStore,
    owners: &[PersonId],
    order: CommitmentOrder,
    due_until: Option<NaiveDate>,
    limit: i64,
) -> CoreResult<Vec<Commitment>> {
    let mut p = Params::new();
    let owners = p.people(store.backend, "c.owner_id", owners)?;
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
    fetch(store, sql, p, commitment_row).await
}

pub async fn closed_commitments(
    store: &SqlStore,
    owner: PersonId,
    limit: i64,
) -> CoreResult<Vec<Commitment>> {
    let sql = format!(
        "{COMMITMENT_SELECT} WHERE c.owner_id = $1 AND c.status <> 'open' \
         ORDER BY COALESCE(c.completed_at, c.created_at) DESC, c.id DESC LIMIT $2"
    );
    let rows = sqlx::query(AssertSqlSafe(sql))
        .bind(owner.0)
        .bind(limit)
        .fetch_all(&store.pool)
        .await
        .map_err(map_err)?;
    rows.iter().map(commitment_any).collect()
}

pub async fn set_priorities(store: &SqlStore, order: &[(CommitmentId, i64)]) -> CoreResult<()> {
    let mut tx = store.pool.begin().await.map_err(map_err)?;
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

/// The counting rule of `trellis_core::work::metrics::delivery`, in SQL, for the rows of
/// [`COUNTED`]: open work not yet due is left out; done work counts, on time when completed
/// on or before the agreed date; work its owner cancelled late counts as not delivered. The
/// conformance suite checks it against the core function.
const DUE_CASE: &str = "CASE WHEN status <> 'open' OR agreed_due_date < $3 THEN 1 ELSE 0 END";
/// Rows that can count: everything but work cancelled out of the record.
const COUNTED: &str = "(status <> 'cancelled' OR cancel_counts = 1)";
const ON_TIME_CASE: &str =
    "CASE WHEN status = 'done' AND completed_on <= agreed_due_date THEN 1 ELSE 0 END";

fn window_params(window: Window, today: NaiveDate) -> CoreResult<Params> {
    let mut p = Params::new();
    p.bind(text_day(window.first))?;
    p.bind(text_day(window.last))?;
    p.bind(text_day(today))?;
    Ok(p)
}

fn counts(row: &dyn Columns) -> CoreResult<DeliveryCounts> {
    Ok(DeliveryCounts {
        due: row.int("due")?.max(0) as u64,
        on_time: row.int("on_time")?.max(0) as u64,
    })
}

pub async fn delivery_by_owner(
    store: &SqlStore,
    owners: Option<&[PersonId]>,
    window: Window,
    today: NaiveDate,
) -> CoreResult<Vec<(PersonId, DeliveryCounts)>> {
    let mut p = window_params(window, today)?;
    let filter = p.maybe_people(store.backend, "accountable_id", owners)?;
    let sql = format!(
        "SELECT accountable_id, SUM({DUE_CASE}) AS due, SUM({ON_TIME_CASE}) AS on_time \
         FROM commitments WHERE agreed_due_date >= $1 AND agreed_due_date <= $2 \
         AND {COUNTED}{filter} GROUP BY accountable_id HAVING SUM({DUE_CASE}) > 0"
    );
    let map: fn(&dyn Columns) -> CoreResult<(PersonId, DeliveryCounts)> =
        |r| Ok((PersonId(r.int("accountable_id")?), counts(r)?));
    fetch_for(store, owners.is_some(), sql, p, map).await
}

/// Delivery counts of one owner in one month.
type OwnerMonth = (PersonId, String, DeliveryCounts);

pub async fn delivery_by_owner_and_month(
    store: &SqlStore,
    owners: Option<&[PersonId]>,
    window: Window,
    today: NaiveDate,
) -> CoreResult<Vec<OwnerMonth>> {
    let mut p = window_params(window, today)?;
    let filter = p.maybe_people(store.backend, "accountable_id", owners)?;
    let sql = format!(
        "SELECT accountable_id, substr(agreed_due_date, 1, 7) AS month, SUM({DUE_CASE}) AS due, \
         SUM({ON_TIME_CASE}) AS on_time FROM commitments \
         WHERE agreed_due_date >= $1 AND agreed_due_date <= $2 AND {COUNTED}{filter} \
         GROUP BY accountable_id, substr(agreed_due_date, 1, 7) HAVING SUM({DUE_CASE}) > 0 \
         ORDER BY accountable_id, month"
    );
    let map: fn(&dyn Columns) -> CoreResult<OwnerMonth> = |r| {
        Ok((
            PersonId(r.int("accountable_id")?),
            r.text("month")?,
            counts(r)?,
        ))
    };
    fetch_for(store, owners.is_some(), sql, p, map).await
}

pub async fn delivery_records(
    store: &SqlStore,
    owner: PersonId,
) -> CoreResult<Vec<DeliveryRecord>> {
    let rows = sqlx::query(
        "SELECT agreed_due_date, status, completed_on, cancel_counts FROM commitments \
         WHERE COALESCE(accountable_id, owner_id) = $1",
    )
    .bind(owner.0)
    .fetch_all(&store.pool)
    .await
    .map_err(map_err)?;
    rows.iter()
        .map(|r| {
            let status: String = get(r, "status")?;
            Ok(DeliveryRecord {
                agreed_due: day(r, "agreed_due_date")?,
                state: match status.as_str() {
                    "done" => DeliveryState::Done,
                    "cancelled" if get::<i64>(r, "cancel_counts")? != 0 => {
                        DeliveryState::CancelledLate
                    }
                    "cancelled" => DeliveryState::Cancelled,
                    _ => DeliveryState::Open,
                },
                completed_on: date(get(r, "completed_on")?),
            })
        })
        .collect()
}

pub async fn remaining_effort(
    store: &SqlStore,
    owners: Option<&[PersonId]>,
    due_until: NaiveDate,
) -> CoreResult<Vec<(PersonId, f64)>> {
    let mut p = Params::new();
    let until = p.bind(text_day(due_until))?;
    let filter = p.maybe_people(store.backend, "owner_id", owners)?;
    let sql = format!(
        "SELECT owner_id, SUM(remaining_hours) AS hours FROM commitments \
         WHERE status = 'open' AND due_date <= {until}{filter} GROUP BY owner_id"
    );
    let map: fn(&dyn Columns) -> CoreResult<(PersonId, f64)> =
        |r| Ok((PersonId(r.int("owner_id")?), r.real("hours")?));
    fetch_for(store, owners.is_some(), sql, p, map).await
}

pub async fn capacities(
    store: &SqlStore,
    owners: Option<&[PersonId]>,
) -> CoreResult<Vec<(PersonId, f64)>> {
    let mut p = Params::new();
    let filter = p.maybe_people(store.backend, "person_id", owners)?;
    let sql = format!("SELECT person_id, hours_per_week FROM capacities WHERE 1 = 1{filter}");
    let map: fn(&dyn Columns) -> CoreResult<(PersonId, f64)> =
        |r| Ok((PersonId(r.int("person_id")?), r.real("hours_per_week")?));
    fetch_for(store, owners.is_some(), sql, p, map).await
}

pub async fn set_capacity(
    store: &SqlStore,
    person: PersonId,
    hours: Option<f64>,
) -> CoreResult<()> {
    match hours {
        Some(h) => sqlx::query(
            "INSERT INTO capacities (person_id, hours_per_week) VALUES ($1, $2) \
             ON CONFLICT (person_id) DO UPDATE SET hours_per_week = excluded.hours_per_week",
        )
        .bind(person.0)
        .bind(h),
        None => sqlx::query("DELETE FROM capacities WHERE person_id = $1").bind(person.0),
    }
    .execute(&store.pool)
    .await
    .map_err(map_err)?;
    Ok(())
}

fn absence_row(row: &dyn Columns) -> CoreResult<Absence> {
    Ok(Absence {
        id: AbsenceId(row.int("id")?),
        person_id: PersonId(row.int("person_id")?),
        first_day: row.day("first_day")?,
        last_day: row.day("last_day")?,
        note: row.text("note")?,
    })
}

fn absence(row: &AnyRow) -> CoreResult<Absence> {
    absence_row(row)
}

pub async fn absences_between(
    store: &SqlStore,
    owners: Option<&[PersonId]>,
    first: NaiveDate,
    last: NaiveDate,
) -> CoreResult<Vec<Absence>> {
    let mut p = Params::new();
    let a = p.bind(text_day(first))?;
    let b = p.bind(text_day(last))?;
    let filter = p.maybe_people(store.backend, "person_id", owners)?;
    let sql = format!(
        "SELECT id, person_id, first_day, last_day, note FROM absences \
         WHERE last_day >= {a} AND first_day <= {b}{filter} ORDER BY person_id, first_day"
    );
    fetch_for(store, owners.is_some(), sql, p, absence_row).await
}

pub async fn absences_of(
    store: &SqlStore,
    person: PersonId,
    since: NaiveDate,
) -> CoreResult<Vec<Absence>> {
    let rows = sqlx::query(
        "SELECT id, person_id, first_day, last_day, note FROM absences \
         WHERE person_id = $1 AND last_day >= $2 ORDER BY first_day, id",
    )
    .bind(person.0)
    .bind(text_day(since))
    .fetch_all(&store.pool)
    .await
    .map_err(map_err)?;
    rows.iter().map(absence).collect()
}

pub async fn absence_by_id(store: &SqlStore, id: AbsenceId) -> CoreResult<Option<Absence>> {
    let row =
        sqlx::query("SELECT id, person_id, first_day, last_day, note FROM absences WHERE id = $1")
            .bind(id.0)
            .fetch_optional(&store.pool)
            .await
            .map_err(map_err)?;
    row.as_ref().map(absence).transpose()
}

pub async fn add_absence(
    store: &SqlStore,
    person: PersonId,
    first: NaiveDate,
    last: NaiveDate,
    note: &str,
) -> CoreResult<AbsenceId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO absences (person_id, first_day, last_day, note) VALUES ($1, $2, $3, $4) \
         RETURNING id",
    )
    .bind(person.0)
    .bind(text_day(first))
    .bind(text_day(last))
    .bind(note.to_string())
    .fetch_one(&store.pool)
    .await
    .map_err(map_err)?;
    Ok(AbsenceId(id))
}

pub async fn delete_absence(store: &SqlStore, id: AbsenceId) -> CoreResult<()> {
    sqlx::query("DELETE FROM absences WHERE id = $1")
        .bind(id.0)
        .execute(&store.pool)
        .await
        .map_err(map_err)?;
    Ok(())
}

pub async fn create_objective(store: &SqlStore, o: &NewObjective) -> CoreResult<ObjectiveId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO objectives (title, description, scope, team_id, owner_id, parent_id, \
         period_start, period_end, closed, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, $9) RETURNING id",
    )
    .bind(o.title.clone())
    .bind(o.description.clone())
    .bind(o.scope.as_str().to_string())
    .bind(o.team.map(|t| t.0))
    .bind(o.owner.0)
    .bind(o.parent.map(|p| p.0))
    .bind(text_day(o.period_start))
    .bind(text_day(o.period_end))
    .bind(o.created_at)
    .fetch_one(&store.pool)
    .await
    .map_err(map_err)?;
    Ok(ObjectiveId(id))
}

const OBJECTIVE_SELECT: &str = "SELECT o.id, o.title, o.description, o.scope, o.team_id, \
    t.name AS team_name, o.owner_id, p.name AS owner_name, p.preferred_name AS owner_preferred, \
    o.parent_id, q.title AS parent_title, o.period_start, o.period_end, o.closed \
    FROM objectives o JOIN people p ON p.id = o.owner_id \
    LEFT JOIN teams t ON t.id = o.team_id LEFT JOIN objectives q ON q.id = o.parent_id";

const KEY_RESULT_SELECT: &str = "SELECT k.id, k.objective_id, k.title, k.kind, k.start_value, \
    k.target_value, k.current_value, k.unit, k.done, \
    (SELECT MAX(ci.at) FROM check_ins ci WHERE ci.key_result_id = k.id) AS last_at, \
    (SELECT ci.confidence FROM check_ins ci WHERE ci.key_result_id = k.id \
     ORDER BY ci.at DESC, ci.id DESC LIMIT 1) AS last_confidence \
    FROM key_results k";

fn key_result(row: &AnyRow) -> CoreResult<KeyResult> {
    let kind: String = get(row, "kind")?;
    let confidence: Option<String> = get(row, "last_confidence")?;
    Ok(KeyResult {
        id: KeyResultId(get(row, "id")?),
        objective_id: ObjectiveId(get(row, "objective_id")?),
        title: get(row, "title")?,
        measure: if kind == "done" {
            Measure::Done {
                done: get::<i64>(row, "done")? != 0,
            }
        } else {
            Measure::Numeric {
                start: get(row, "start_value")?,
                target: get(row, "target_value")?,
                current: get(row, "current_value")?,
                unit: get(row, "unit")?,
            }
        },
        last_check_in_at: get(row, "last_at")?,
        last_confidence: confidence.as_deref().and_then(Confidence::parse),
    })
}

async fn objectives_where(
    store: &SqlStore,
    condition: &str,
    p: Params,
) -> CoreResult<Vec<Objective>> {
    let sql =
        format!("{OBJECTIVE_SELECT} WHERE {condition} ORDER BY o.period_end DESC, o.title, o.id");
    let rows = sqlx::query_with(AssertSqlSafe(sql), p.args)
        .fetch_all(&store.pool)
        .await
        .map_err(map_err)?;
    let mut objectives: Vec<Objective> = rows
        .iter()
        .map(|r| {
            let scope: String = get(r, "scope")?;
            let team_id: Option<i64> = get(r, "team_id")?;
            let team_name: Option<String> = get(r, "team_name")?;
            let parent_id: Option<i64> = get(r, "parent_id")?;
            let parent_title: Option<String> = get(r, "parent_title")?;
            Ok(Objective {
                id: ObjectiveId(get(r, "id")?),
                title: get(r, "title")?,
                description: get(r, "description")?,
                scope: Scope::parse(&scope).unwrap_or(Scope::Person),
                team: team_id.map(|t| (TeamId(t), team_name.unwrap_or_default())),
                owner: person_name(r, "owner_id", "owner_name", "owner_preferred")?
                    .ok_or_else(|| CoreError::Internal("objective without owner".into()))?,
                parent: parent_id.map(|p| (ObjectiveId(p), parent_title.unwrap_or_default())),
                period_start: day(r, "period_start")?,
                period_end: day(r, "period_end")?,
                closed: get::<i64>(r, "closed")? != 0,
                key_results: Vec::new(),
            })
        })
        .collect::<CoreResult<_>>()?;
    if objectives.is_empty() {
        return Ok(objectives);
    }
    let ids = format!(
        "[{}]",
        objectives
            .iter()
            .map(|o| o.id.0.to_string())
            .collect::<Vec<_>>()
            .join(",")
    );
    let filter = match store.backend {
        Backend::Sqlite => "k.objective_id IN (SELECT value FROM json_each($1))",
        Backend::Postgres => {
            "k.objective_id IN (SELECT jsonb_array_elements_text($1::jsonb)::bigint)"
        }
    };
    let rows = sqlx::query(AssertSqlSafe(format!(
        "{KEY_RESULT_SELECT} WHERE {filter} ORDER BY k.id"
    )))
    .bind(ids)
    .fetch_all(&store.pool)
    .await
    .map_err(map_err)?;
    let mut index = std::collections::HashMap::new();
    for (i, o) in objectives.iter().enumerate() {
        index.insert(o.id, i);
    }
    for r in &rows {
        let kr = key_result(r)?;
        if let Some(&i) = index.get(&kr.objective_id) {
            objectives[i].key_results.push(kr);
        }
    }
    Ok(objectives)
}

pub async fn objective(store: &SqlStore, id: ObjectiveId) -> CoreResult<Option<Objective>> {
    let mut p = Params::new();
    let c = format!("o.id = {}", p.bind(id.0)?);
    Ok(objectives_where(store, &c, p).await?.into_iter().next())
}

pub async fn objectives(store: &SqlStore, f: &ObjectiveFilter) -> CoreResult<Vec<Objective>> {
    let mut p = Params::new();
    let mut conditions = vec!["1 = 1".to_string()];
    if let Some(d) = f.active_on {
        let d = p.bind(text_day(d))?;
        conditions.push(format!("o.period_start <= {d} AND o.period_end >= {d}"));
    }
    if let Some(owners) = &f.owners {
        conditions.push(p.people(store.backend, "o.owner_id", owners)?);
    }
    if let Some(parent) = f.parent {
        conditions.push(format!("o.parent_id = {}", p.bind(parent.0)?));
    }
    if let Some(scope) = f.scope {
        conditions.push(format!("o.scope = {}", p.bind(scope.as_str().to_string())?));
    }
    if !f.include_closed {
        conditions.push("o.closed = 0".into());
    }
    objectives_where(store, &conditions.join(" AND "), p).await
}

pub async fn set_objective_parent(
    store: &SqlStore,
    id: ObjectiveId,
    parent: Option<ObjectiveId>,
) -> CoreResult<()> {
    sqlx::query("UPDATE objectives SET parent_id = $1 WHERE id = $2")
        .bind(parent.map(|p| p.0))
        .bind(id.0)
        .execute(&store.pool)
        .await
        .map_err(map_err)?;
    Ok(())
}

pub async fn set_objective_closed(
    store: &SqlStore,
    id: ObjectiveId,
    closed: bool,
) -> CoreResult<()> {
    sqlx::query("UPDATE objectives SET closed = $1 WHERE id = $2")
        .bind(i64::from(closed))
        .bind(id.0)
        .execute(&store.pool)
        .await
        .map_err(map_err)?;
    Ok(())
}

fn measure_values(m: &Measure) -> (&'static str, f64, f64, f64, String, i64) {
    match m {
        Measure::Numeric {
            start,
            target,
            current,
            unit,
        } => ("numeric", *start, *target, *current, unit.clone(), 0),
        Measure::Done { done } => ("done", 0.0, 1.0, 0.0, String::new(), i64::from(*done)),
    }
}

pub async fn add_key_result(
    store: &SqlStore,
    objective: ObjectiveId,
    kr: &NewKeyResult,
) -> CoreResult<KeyResultId> {
    let (kind, start, target, current, unit, done) = measure_values(&kr.measure);
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO key_results (objective_id, title, kind, start_value, target_value, \
         current_value, unit, done) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(objective.0)
    .bind(kr.title.clone())
    .bind(kind.to_string())
    .bind(start)
    .bind(target)
    .bind(current)
    .bind(unit)
    .bind(done)
    .fetch_one(&store.pool)
    .await
    .map_err(map_err)?;
    Ok(KeyResultId(id))
}

pub async fn key_result_by_id(store: &SqlStore, id: KeyResultId) -> CoreResult<Option<KeyResult>> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "{KEY_RESULT_SELECT} WHERE k.id = $1"
    )))
    .bind(id.0)
    .fetch_optional(&store.pool)
    .await
    .map_err(map_err)?;
    row.as_ref().map(key_result).transpose()
}

pub async fn record_check_in(store: &SqlStore, c: &NewCheckIn) -> CoreResult<()> {
    let mut tx = store.pool.begin().await.map_err(map_err)?;
    sqlx::query(
        "INSERT INTO check_ins (key_result_id, author_id, at, value, done, confidence, note) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(c.key_result_id.0)
    .bind(c.author.0)
    .bind(c.at)
    .bind(c.value)
    .bind(i64::from(c.done))
    .bind(c.confidence.as_str().to_string())
    .bind(c.note.clone())
    .execute(&mut *tx)
    .await
    .map_err(map_err)?;
    sqlx::query(
        "UPDATE key_results SET current_value = COALESCE($1, current_value), \
         done = CASE WHEN kind = 'done' THEN $2 ELSE done END WHERE id = $3",
    )
    .bind(c.value)
    .bind(i64::from(c.done))
    .bind(c.key_result_id.0)
    .execute(&mut *tx)
    .await
    .map_err(map_err)?;
    tx.commit().await.map_err(map_err)
}

pub async fn check_ins(
    store: &SqlStore,
    objective: ObjectiveId,
    limit: i64,
) -> CoreResult<Vec<CheckIn>> {
    let rows = sqlx::query(
        "SELECT ci.key_result_id, ci.author_id, p.name AS author_name, \
         p.preferred_name AS author_preferred, ci.at, ci.value, ci.done, ci.confidence, ci.note \
         FROM check_ins ci JOIN key_results k ON k.id = ci.key_result_id \
         JOIN people p ON p.id = ci.author_id \
         WHERE k.objective_id = $1 ORDER BY ci.at DESC, ci.id DESC LIMIT $2",
    )
    .bind(objective.0)
    .bind(limit)
    .fetch_all(&store.pool)
    .await
    .map_err(map_err)?;
    rows.iter()
        .map(|r| {
            let confidence: String = get(r, "confidence")?;
            Ok(CheckIn {
                key_result_id: KeyResultId(get(r, "key_result_id")?),
                author: person_name(r, "author_id", "author_name", "author_preferred")?
                    .ok_or_else(|| CoreError::Internal("check-in without author".into()))?,
                at: get(r, "at")?,
                value: get(r, "value")?,
                done: get::<i64>(r, "done")? != 0,
                confidence: Confidence::parse(&confidence).unwrap_or(Confidence::Unsure),
                note: get(r, "note")?,
            })
        })
        .collect()
}

fn int(v: i64) -> Value {
    Value::Int(Some(v))
}
fn text(v: impl Into<String>) -> Value {
    Value::Text(Some(v.into()))
}

pub async fn insert_work(store: &SqlStore, b: &WorkBatch) -> CoreResult<()> {
    let mut tx = match store.backend {
        Backend::Sqlite => store.pool.begin_with("BEGIN IMMEDIATE").await,
        Backend::Postgres => store.pool.begin().await,
    }
    .map_err(map_err)?;
    let backend = store.backend;
    let rows: Vec<Vec<Value>> = b
        .objectives
        .iter()
        .map(|(id, o)| {
            vec![
                int(id.0),
                text(o.title.clone()),
                text(o.description.clone()),
                text(o.scope.as_str()),
                Value::Int(o.team.map(|t| t.0)),
                int(o.owner.0),
                Value::Int(o.parent.map(|p| p.0)),
                text(text_day(o.period_start)),
                text(text_day(o.period_end)),
                int(0),
                int(o.created_at),
            ]
        })
        .collect();
    // Parents come first in the batch, so the self-reference holds row by row.
    insert_rows(
        &mut tx,
        backend,
        "objectives",
        &[
            "id",
            "title",
            "description",
            "scope",
            "team_id",
            "owner_id",
            "parent_id",
            "period_start",
            "period_end",
            "closed",
            "created_at",
        ],
        &rows,
    )
    .await?;
    let rows: Vec<Vec<Value>> = b
        .key_results
        .iter()
        .map(|(id, objective, kr)| {
            let (kind, start, target, current, unit, done) = measure_values(&kr.measure);
            vec![
                int(id.0),
                int(objective.0),
                text(kr.title.clone()),
                text(kind),
                Value::Real(Some(start)),
                Value::Real(Some(target)),
                Value::Real(Some(current)),
                text(unit),
                int(done),
            ]
        })
        .collect();
    insert_rows(
        &mut tx,
        backend,
        "key_results",
        &[
            "id",
            "objective_id",
            "title",
            "kind",
            "start_value",
            "target_value",
            "current_value",
            "unit",
            "done",
        ],
        &rows,
    )
    .await?;
    let rows: Vec<Vec<Value>> = b
        .check_ins
        .iter()
        .map(|c| {
            vec![
                int(c.key_result_id.0),
                int(c.author.0),
                int(c.at),
                Value::Real(c.value),
                int(i64::from(c.done)),
                text(c.confidence.as_str()),
                text(c.note.clone()),
            ]
        })
        .collect();
    insert_rows(
        &mut tx,
        backend,
        "check_ins",
        &[
            "key_result_id",
            "author_id",
            "at",
            "value",
            "done",
            "confidence",
            "note",
        ],
        &rows,
    )
    .await?;
    const BATCH: usize = 50_000;
    for chunk in b.commitments.chunks(BATCH) {
        let rows: Vec<Vec<Value>> = chunk
            .iter()
            .map(|c| {
                vec![
                    int(c.id.0),
                    text(c.new.title.clone()),
                    text(c.new.description.clone()),
                    int(c.new.owner.0),
                    Value::Int(c.new.requester.map(|r| r.0)),
                    Value::Int(c.new.objective.map(|o| o.0)),
                    text(text_day(c.due_date)),
                    text(text_day(c.agreed_due_date)),
                    Value::Real(Some(c.new.effort_hours)),
                    Value::Real(Some(c.remaining_hours)),
                    text(c.new.skills.join(",")),
                    int(c.priority),
                    text(c.status.as_str()),
                    int(c.new.created_at),
                    text(text_day(c.new.created_on)),
                    Value::Int(c.completed_at),
                    Value::Text(date_text(c.completed_on)),
                    int(c.new.owner.0),
                ]
            })
            .collect();
        insert_rows(
            &mut tx,
            backend,
            "commitments",
            &[
                "id",
                "title",
                "description",
                "owner_id",
                "requester_id",
                "objective_id",
                "due_date",
                "agreed_due_date",
                "effort_hours",
                "remaining_hours",
                "skills",
                "priority",
                "status",
                "created_at",
                "created_on",
                "completed_at",
                "completed_on",
                "accountable_id",
            ],
            &rows,
        )
        .await?;
    }
    for chunk in b.changes.chunks(BATCH) {
        let rows: Vec<Vec<Value>> = chunk
            .iter()
            .map(|(id, ch)| {
                vec![
                    int(id.0),
                    int(ch.at),
                    int(ch.actor.0),
                    text(ch.field.as_str()),
                    Value::Text(ch.before.clone()),
                    Value::Text(ch.after.clone()),
                    text(ch.note.clone()),
                    Value::Int(ch.in_time.map(i64::from)),
                ]
            })
            .collect();
        insert_rows(
            &mut tx,
            backend,
            "commitment_changes",
            &[
                "commitment_id",
                "at",
                "actor_id",
                "field",
                "before_value",
                "after_value",
                "note",
                "in_time",
            ],
            &rows,
        )
        .await?;
    }
    let rows: Vec<Vec<Value>> = b
        .absences
        .iter()
        .map(|(p, a, z, note)| {
            vec![
                int(p.0),
                text(text_day(*a)),
                text(text_day(*z)),
                text(note.clone()),
            ]
        })
        .collect();
    insert_rows(
        &mut tx,
        backend,
        "absences",
        &["person_id", "first_day", "last_day", "note"],
        &rows,
    )
    .await?;
    let rows: Vec<Vec<Value>> = b
        .capacities
        .iter()
        .map(|(p, h)| vec![int(p.0), Value::Real(Some(*h))])
        .collect();
    insert_rows(
        &mut tx,
        backend,
        "capacities",
        &["person_id", "hours_per_week"],
        &rows,
    )
    .await?;
    if backend == Backend::Postgres {
        // Later inserts must not collide with the ids chosen here.
        for table in ["objectives", "key_results", "commitments"] {
            sqlx::query(AssertSqlSafe(format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
                 COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
            )))
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        }
    }
    tx.commit().await.map_err(map_err)
}
