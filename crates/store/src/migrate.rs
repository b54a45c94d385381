//! Embedded migrations, one set per backend, applied in order and recorded in
//! `trellis_migrations`. A database at a newer version than this binary is refused.

use crate::{Backend, map_err};
use sqlx::AnyPool;
use trellis_core::error::{CoreError, CoreResult};

struct Migration {
    version: i64,
    name: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "org",
        sqlite: include_str!("../migrations/sqlite/0001_org.sql"),
        postgres: include_str!("../migrations/postgres/0001_org.sql"),
    },
    Migration {
        version: 2,
        name: "work",
        sqlite: include_str!("../migrations/sqlite/0002_work.sql"),
        postgres: include_str!("../migrations/postgres/0002_work.sql"),
    },
    Migration {
        version: 3,
        name: "growth",
        sqlite: include_str!("../migrations/sqlite/0003_growth.sql"),
        postgres: include_str!("../migrations/postgres/0003_growth.sql"),
    },
    Migration {
        version: 4,
        name: "mentoring",
        sqlite: include_str!("../migrations/sqlite/0004_mentoring.sql"),
        postgres: include_str!("../migrations/postgres/0004_mentoring.sql"),
    },
    Migration {
        version: 5,
        name: "change_counter",
        sqlite: include_str!("../migrations/sqlite/0005_change_counter.sql"),
        postgres: include_str!("../migrations/postgres/0005_change_counter.sql"),
    },
    Migration {
        version: 6,
        name: "mentorship_end",
        sqlite: include_str!("../migrations/sqlite/0006_mentorship_end.sql"),
        postgres: include_str!("../migrations/postgres/0006_mentorship_end.sql"),
    },
    Migration {
        version: 7,
        name: "trust",
        sqlite: include_str!("../migrations/sqlite/0007_trust.sql"),
        postgres: include_str!("../migrations/postgres/0007_trust.sql"),
    },
];

/// The newest migration this binary knows.
pub fn latest_version() -> i64 {
    MIGRATIONS.last().map(|m| m.version).unwrap_or(0)
}

/// Where a database stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MigrationStatus {
    pub current: i64,
    pub latest: i64,
}

const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS trellis_migrations (
    version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)";

pub async fn status(pool: &AnyPool, _backend: Backend) -> CoreResult<MigrationStatus> {
    sqlx::query(CREATE_TABLE)
        .execute(pool)
        .await
        .map_err(map_err)?;
    let current: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM trellis_migrations")
        .fetch_one(pool)
        .await
        .map_err(map_err)?;
    Ok(MigrationStatus {
        current: current.unwrap_or(0),
        latest: latest_version(),
    })
}

pub async fn run(pool: &AnyPool, backend: Backend) -> CoreResult<Vec<i64>> {
    sqlx::query(CREATE_TABLE)
        .execute(pool)
        .await
        .map_err(map_err)?;
    let mut applied = Vec::new();
    for m in MIGRATIONS {
        let mut tx = match backend {
            Backend::Sqlite => pool.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => pool.begin().await,
        }
        .map_err(map_err)?;
        if backend == Backend::Postgres {
            // Instances starting together migrate one at a time.
            sqlx::query("SELECT pg_advisory_xact_lock(7415106)")
                .execute(&mut *tx)
                .await
                .map_err(map_err)?;
        }
        let done: Option<i64> =
            sqlx::query_scalar("SELECT version FROM trellis_migrations WHERE version = $1")
                .bind(m.version)
                .fetch_optional(&mut *tx)
                .await
                .map_err(map_err)?;
        if done.is_some() {
            continue;
        }
        let sql = match backend {
            Backend::Sqlite => m.sqlite,
            Backend::Postgres => m.postgres,
        };
        sqlx::raw_sql(sql).execute(&mut *tx).await.map_err(|e| {
            CoreError::Internal(format!("migration {} ({}) failed: {e}", m.version, m.name))
        })?;
        sqlx::query(
            "INSERT INTO trellis_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
        )
        .bind(m.version)
        .bind(m.name)
        .bind(chrono::Utc::now().timestamp())
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        tx.commit().await.map_err(map_err)?;
        tracing::info!(version = m.version, name = m.name, "migration applied");
        applied.push(m.version);
    }
    Ok(applied)
}
