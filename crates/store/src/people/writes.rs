//! Creating and updating people and their skills, on the pool or inside a transaction.

use super::*;
use crate::bulk::Value;
use crate::{SqlStore, map_err};
use trellis_core::PersonId;
use trellis_core::error::{CoreError, CoreResult};
use trellis_core::org::SkillLevel;
use trellis_core::org::people::PersonFields;

/// The 13 stored fields of a person, bound as `$1`…`$13` in the order of the column lists
/// below.
pub(crate) fn person_arguments(f: &PersonFields) -> CoreResult<sqlx::any::AnyArguments> {
    use sqlx::Arguments;
    let mut args = sqlx::any::AnyArguments::default();
    let search = search_text(
        &f.name,
        f.preferred_name.as_deref(),
        &f.email,
        f.title.as_deref(),
    );
    let bound = [
        args.add(f.employee_id.clone()),
        args.add(f.name.clone()),
        args.add(f.preferred_name.clone()),
        args.add(f.email.clone()),
        args.add(f.title.clone()),
        args.add(f.level_id.map(|l| l.0)),
        args.add(f.team_id.map(|t| t.0)),
        args.add(f.manager_id.map(|m| m.0)),
        args.add(f.location.clone()),
        args.add(f.time_zone.clone()),
        args.add(date_text(f.start_date)),
        args.add(f.status.as_str().to_string()),
        args.add(search),
    ];
    for result in bound {
        result.map_err(|e| CoreError::Internal(e.to_string()))?;
    }
    Ok(args)
}

/// The stored fields of a person as (column, value), in the order of `person_arguments`.
fn person_columns(f: &PersonFields) -> [(&'static str, Value); 13] {
    let text = |v: &Option<String>| Value::Text(v.clone());
    [
        ("employee_id", text(&f.employee_id)),
        ("name", Value::Text(Some(f.name.clone()))),
        ("preferred_name", text(&f.preferred_name)),
        ("email", Value::Text(Some(f.email.clone()))),
        ("title", text(&f.title)),
        ("level_id", Value::Int(f.level_id.map(|l| l.0))),
        ("team_id", Value::Int(f.team_id.map(|t| t.0))),
        ("manager_id", Value::Int(f.manager_id.map(|m| m.0))),
        ("location", text(&f.location)),
        ("time_zone", text(&f.time_zone)),
        ("start_date", Value::Text(date_text(f.start_date))),
        ("status", Value::Text(Some(f.status.as_str().to_string()))),
        (
            "search_text",
            Value::Text(Some(search_text(
                &f.name,
                f.preferred_name.as_deref(),
                &f.email,
                f.title.as_deref(),
            ))),
        ),
    ]
}

#[async_trait::async_trait]
impl trellis_core::org::store::OrgStore for SqlStore {
    async fn create_person(&self, f: &PersonFields) -> CoreResult<PersonId> {
        let mut conn = self.pool.acquire().await.map_err(map_err)?;
        create_person_in(&mut conn, f).await
    }
    async fn update_person(&self, id: PersonId, f: &PersonFields) -> CoreResult<()> {
        let mut conn = self.pool.acquire().await.map_err(map_err)?;
        update_person_in(&mut conn, id, f).await
    }
    async fn set_person_skills(&self, id: PersonId, skills: &[SkillLevel]) -> CoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(map_err)?;
        set_person_skills_in(&mut tx, id, skills).await?;
        tx.commit().await.map_err(map_err)
    }
    async fn begin_org_write(
        &self,
    ) -> CoreResult<Box<dyn trellis_core::org::store::OrgWrite + '_>> {
        Ok(crate::unit::SqlUnit::begin(self).await?)
    }
}

pub(crate) async fn create_person_in(
    conn: &mut sqlx::AnyConnection,
    f: &PersonFields,
) -> CoreResult<PersonId> {
    let id: i64 = sqlx::query_scalar_with(
        "INSERT INTO people (employee_id, name, preferred_name, email, title, level_id, team_id, \
         manager_id, location, time_zone, start_date, status, search_text) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
        person_arguments(f)?,
    )
    .fetch_one(&mut *conn)
    .await
    .map_err(map_err)?;
    Ok(PersonId(id))
}

/// Writes only the columns whose values differ from `before`: an unchanged column leaves
/// its indexes alone, which keeps a one-field change short under SQLite's write lock.
pub(crate) async fn update_changed_in(
    conn: &mut sqlx::AnyConnection,
    id: PersonId,
    before: &PersonFields,
    after: &PersonFields,
) -> CoreResult<()> {
    use sqlx::Arguments;
    let old = person_columns(before);
    let mut sets = Vec::new();
    let mut args = sqlx::any::AnyArguments::default();
    for (k, (column, value)) in person_columns(after).into_iter().enumerate() {
        if value == old[k].1 {
            continue;
        }
        sets.push(format!("{column} = ${}", sets.len() + 1));
        let added = match value {
            Value::Int(x) => args.add(x),
            Value::Real(x) => args.add(x),
            Value::Text(x) => args.add(x),
            Value::Bytes(x) => args.add(x),
        };
        added.map_err(|e| CoreError::Internal(e.to_string()))?;
    }
    if sets.is_empty() {
        // Nothing to write; the person must still exist.
        let found: Option<i64> = sqlx::query_scalar("SELECT id FROM people WHERE id = $1")
            .bind(id.0)
            .fetch_optional(&mut *conn)
            .await
            .map_err(map_err)?;
        return found
            .map(|_| ())
            .ok_or_else(|| CoreError::NotFound(format!("person {id}")));
    }
    args.add(id.0)
        .map_err(|e| CoreError::Internal(e.to_string()))?;
    let sql = format!(
        "UPDATE people SET {} WHERE id = ${}",
        sets.join(", "),
        sets.len() + 1
    );
    let result = sqlx::query_with(sqlx::AssertSqlSafe(sql), args)
        .execute(&mut *conn)
        .await
        .map_err(map_err)?;
    if result.rows_affected() == 0 {
        return Err(CoreError::NotFound(format!("person {id}")));
    }
    Ok(())
}

pub(crate) async fn update_person_in(
    conn: &mut sqlx::AnyConnection,
    id: PersonId,
    f: &PersonFields,
) -> CoreResult<()> {
    use sqlx::Arguments;
    let mut args = person_arguments(f)?;
    args.add(id.0)
        .map_err(|e| CoreError::Internal(e.to_string()))?;
    let result = sqlx::query_with(
        "UPDATE people SET employee_id = $1, name = $2, preferred_name = $3, email = $4, title = $5, \
         level_id = $6, team_id = $7, manager_id = $8, location = $9, time_zone = $10, \
         start_date = $11, status = $12, search_text = $13 WHERE id = $14",
        args,
    )
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    if result.rows_affected() == 0 {
        return Err(CoreError::NotFound(format!("person {id}")));
    }
    Ok(())
}

pub(crate) async fn set_person_skills_in(
    conn: &mut sqlx::AnyConnection,
    id: PersonId,
    skills: &[SkillLevel],
) -> CoreResult<()> {
    sqlx::query("DELETE FROM person_skills WHERE person_id = $1")
        .bind(id.0)
        .execute(&mut *conn)
        .await
        .map_err(map_err)?;
    for s in skills {
        sqlx::query("INSERT INTO skills (name) VALUES ($1) ON CONFLICT (name) DO NOTHING")
            .bind(s.skill.to_string())
            .execute(&mut *conn)
            .await
            .map_err(map_err)?;
        sqlx::query(
            "INSERT INTO person_skills (person_id, skill_id, level, wants_to_grow) \
             SELECT $1, id, $2, $3 FROM skills WHERE name = $4",
        )
        .bind(id.0)
        .bind(s.level as i64)
        .bind(s.wants_to_grow as i64)
        .bind(s.skill.to_string())
        .execute(&mut *conn)
        .await
        .map_err(map_err)?;
    }
    Ok(())
}
