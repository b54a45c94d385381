//! The steps of applying an import, in the order `apply_on` takes them.

use super::*;

/// Drops the secondary indexes (and, on PostgreSQL, foreign keys) an import that more
/// than doubles the organisation rebuilds once at the end, instead of row by row.
pub(super) async fn drop_bulk_indexes(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    backend: Backend,
) -> CoreResult<()> {
    for (name, _) in BULK_INDEXES {
        sqlx::query(AssertSqlSafe(format!("DROP INDEX IF EXISTS {name}")))
            .execute(&mut **tx)
            .await
            .map_err(map_err)?;
    }
    if backend == Backend::Postgres {
        for (table, name, _) in BULK_FOREIGN_KEYS {
            sqlx::query(AssertSqlSafe(format!(
                "ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {name}"
            )))
            .execute(&mut **tx)
            .await
            .map_err(map_err)?;
        }
    }
    Ok(())
}

/// Builds again what `drop_bulk_indexes` dropped.
pub(super) async fn create_bulk_indexes(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    backend: Backend,
) -> CoreResult<()> {
    for (_, create) in BULK_INDEXES {
        sqlx::query(create)
            .execute(&mut **tx)
            .await
            .map_err(map_err)?;
    }
    if backend == Backend::Postgres {
        for (table, name, definition) in BULK_FOREIGN_KEYS {
            sqlx::query(AssertSqlSafe(format!(
                "ALTER TABLE {table} ADD CONSTRAINT {name} {definition}"
            )))
            .execute(&mut **tx)
            .await
            .map_err(map_err)?;
        }
    }
    Ok(())
}

/// Changed people, each with its reporting line.
pub(super) async fn write_updates(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    plan: &ImportPlan,
    teams: &HashMap<String, i64>,
    levels: &HashMap<String, i64>,
    created_ids: &[i64],
) -> CoreResult<()> {
    // Changed people: e-mails may swap between rows, so free them first.
    for u in plan.updates.iter().filter(|u| u.changed.contains(&"email")) {
        sqlx::query("UPDATE people SET email = $1 WHERE id = $2")
            .bind(format!("import-{}@invalid", u.id.0))
            .bind(u.id.0)
            .execute(&mut **tx)
            .await
            .map_err(map_err)?;
    }
    for u in &plan.updates {
        let mut args = AnyArguments::default();
        bind_person(&mut args, &u.record, teams, levels)?;
        add(&mut args, resolve(u.manager, created_ids))?;
        add(&mut args, u.id.0)?;
        sqlx::query_with(
            "UPDATE people SET employee_id = $1, name = $2, preferred_name = $3, email = $4, \
             title = $5, level_id = $6, team_id = $7, location = $8, time_zone = $9, \
             start_date = $10, status = $11, search_text = $12, manager_id = $13 WHERE id = $14",
            args,
        )
        .execute(&mut **tx)
        .await
        .map_err(map_err)?;
    }

    Ok(())
}

/// The id a reporting line points at: someone already there, or someone this import creates.
pub(super) fn resolve(target: ManagerTarget, created_ids: &[i64]) -> Option<i64> {
    match target {
        ManagerTarget::None => None,
        ManagerTarget::Existing(id) => Some(id.0),
        ManagerTarget::New(i) => Some(created_ids[i]),
    }
}

/// Reference data first: levels, teams (with their parents) and skills the file names.
pub(super) async fn write_reference_data(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    plan: &ImportPlan,
) -> CoreResult<()> {
    for code in &plan.new_levels {
        sqlx::query(
            "INSERT INTO job_levels (code, name, rank, expectations) VALUES ($1, $1, 100, '') \
             ON CONFLICT (code) DO NOTHING",
        )
        .bind(code.clone())
        .execute(&mut **tx)
        .await
        .map_err(map_err)?;
    }
    for (team, _) in &plan.teams {
        sqlx::query("INSERT INTO teams (name) VALUES ($1) ON CONFLICT (name) DO NOTHING")
            .bind(team.clone())
            .execute(&mut **tx)
            .await
            .map_err(map_err)?;
    }
    for (team, parent) in &plan.teams {
        if let Some(parent) = parent {
            sqlx::query(
                "UPDATE teams SET parent_id = (SELECT id FROM teams WHERE name = $1) WHERE name = $2",
            )
            .bind(parent.clone())
            .bind(team.clone())
            .execute(&mut **tx)
            .await
            .map_err(map_err)?;
        }
    }
    for skill in &plan.new_skills {
        sqlx::query("INSERT INTO skills (name) VALUES ($1) ON CONFLICT (name) DO NOTHING")
            .bind(skill.clone())
            .execute(&mut **tx)
            .await
            .map_err(map_err)?;
    }
    Ok(())
}

/// The skills of everyone created, and of everyone whose skills changed, replaced.
pub(super) async fn write_skills(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    backend: Backend,
    plan: &ImportPlan,
    created_ids: &[i64],
    skills: &HashMap<String, i64>,
    skills_batch: usize,
) -> CoreResult<()> {
    let updated_ids: Vec<i64> = plan.updates.iter().map(|u| u.id.0).collect();
    let skill_changes: HashSet<i64> = plan
        .updates
        .iter()
        .filter(|u| u.changed.contains(&"skills"))
        .map(|u| u.id.0)
        .collect();
    for chunk in updated_ids
        .iter()
        .filter(|id| skill_changes.contains(id))
        .copied()
        .collect::<Vec<_>>()
        .chunks(PAIR_BATCH)
    {
        let sql = format!(
            "DELETE FROM person_skills WHERE person_id IN ({})",
            placeholders(backend, 1, chunk.len())
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for id in chunk {
            q = q.bind(*id);
        }
        q.execute(&mut **tx).await.map_err(map_err)?;
    }
    let skill_rows: Vec<(i64, i64, i64, i64)> = plan
        .creates
        .iter()
        .enumerate()
        .flat_map(|(i, c)| {
            let id = created_ids[i];
            c.record.skills.iter().map(move |s| (id, s))
        })
        .chain(
            plan.updates
                .iter()
                .filter(|u| skill_changes.contains(&u.id.0))
                .flat_map(|u| u.record.skills.iter().map(move |s| (u.id.0, s))),
        )
        .map(|(person, s)| {
            (
                person,
                skills.get(s.skill.as_str()).copied().unwrap_or_default(),
                s.level as i64,
                s.wants_to_grow as i64,
            )
        })
        .collect();
    for chunk in skill_rows.chunks(skills_batch) {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| format!("({})", placeholders(backend, i * 4 + 1, 4)))
            .collect();
        let sql = format!(
            "INSERT INTO person_skills (person_id, skill_id, level, wants_to_grow) VALUES {}",
            values.join(", ")
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for (p, s, l, g) in chunk {
            q = q.bind(*p).bind(*s).bind(*l).bind(*g);
        }
        q.execute(&mut **tx).await.map_err(map_err)?;
    }
    Ok(())
}

/// People missing from the file, when asked, leave.
pub(super) async fn write_deactivations(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    backend: Backend,
    plan: &ImportPlan,
) -> CoreResult<()> {
    for chunk in plan.deactivations.chunks(PAIR_BATCH) {
        let sql = format!(
            "UPDATE people SET status = 'left' WHERE id IN ({})",
            placeholders(backend, 1, chunk.len())
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for leave in chunk {
            q = q.bind(leave.id.0);
        }
        q.execute(&mut **tx).await.map_err(map_err)?;
    }
    Ok(())
}
