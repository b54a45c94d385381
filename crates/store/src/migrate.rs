//! Embedded migrations, one set per backend, applied in order and recorded in
//! `trellis_migrations` with the SHA-256 of the text applied. A database at a newer version
//! than this binary is refused, and so is one whose applied migration has another text now:
//! a migration is never edited once it has shipped (add a new one instead). The one
//! exception from before checksums were kept, PostgreSQL's 0005, lists the texts it shipped
//! with; 0008 repairs a database migrated with any of them.

use crate::{Backend, map_err};
use sqlx::AnyPool;
use trellis_core::error::{CoreError, CoreResult};

struct Migration {
    version: i64,
    name: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
    /// SHA-256s of earlier PostgreSQL texts that shipped before checksums were kept; a
    /// later repair migration brings their schema to today's.
    earlier_postgres: &'static [&'static str],
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "org",
        sqlite: include_str!("../migrations/sqlite/0001_org.sql"),
        postgres: include_str!("../migrations/postgres/0001_org.sql"),
        earlier_postgres: &[],
    },
    Migration {
        version: 2,
        name: "work",
        sqlite: include_str!("../migrations/sqlite/0002_work.sql"),
        postgres: include_str!("../migrations/postgres/0002_work.sql"),
        earlier_postgres: &[],
    },
    Migration {
        version: 3,
        name: "growth",
        sqlite: include_str!("../migrations/sqlite/0003_growth.sql"),
        postgres: include_str!("../migrations/postgres/0003_growth.sql"),
        earlier_postgres: &[],
    },
    Migration {
        version: 4,
        name: "mentoring",
        sqlite: include_str!("../migrations/sqlite/0004_mentoring.sql"),
        postgres: include_str!("../migrations/postgres/0004_mentoring.sql"),
        earlier_postgres: &[],
    },
    Migration {
        version: 5,
        name: "change_counter",
        sqlite: include_str!("../migrations/sqlite/0005_change_counter.sql"),
        postgres: include_str!("../migrations/postgres/0005_change_counter.sql"),
        // One counter; four areas; 16 stripes per area (repaired by 0008).
        earlier_postgres: &[
            "5abf8b8e687bcfa00c12ed4300a0912803082071e5c8a091aae886f4a73ce57e",
            "baf4c1acb6f0b8f1de90876619764c23e236e936942348a18a7a0dd05f9ec491",
            "91df332bfac96248f19866ab8f15bef7d1fcfce531aacc31dcb45adc6b7140a8",
        ],
    },
    Migration {
        version: 6,
        name: "mentorship_end",
        sqlite: include_str!("../migrations/sqlite/0006_mentorship_end.sql"),
        postgres: include_str!("../migrations/postgres/0006_mentorship_end.sql"),
        earlier_postgres: &[],
    },
    Migration {
        version: 7,
        name: "trust",
        sqlite: include_str!("../migrations/sqlite/0007_trust.sql"),
        postgres: include_str!("../migrations/postgres/0007_trust.sql"),
        earlier_postgres: &[],
    },
    Migration {
        version: 8,
        name: "repair_change_counter",
        sqlite: include_str!("../migrations/sqlite/0008_repair_change_counter.sql"),
        postgres: include_str!("../migrations/postgres/0008_repair_change_counter.sql"),
        earlier_postgres: &[],
    },
    Migration {
        version: 9,
        name: "person_history",
        sqlite: include_str!("../migrations/sqlite/0009_person_history.sql"),
        postgres: include_str!("../migrations/postgres/0009_person_history.sql"),
        earlier_postgres: &[],
    },
    Migration {
        version: 10,
        name: "placement_consent",
        sqlite: include_str!("../migrations/sqlite/0010_placement_consent.sql"),
        postgres: include_str!("../migrations/postgres/0010_placement_consent.sql"),
        earlier_postgres: &[],
    },
    Migration {
        version: 11,
        name: "notifications",
        sqlite: include_str!("../migrations/sqlite/0011_notifications.sql"),
        postgres: include_str!("../migrations/postgres/0011_notifications.sql"),
        earlier_postgres: &[],
    },
    Migration {
        version: 12,
        name: "accounts",
        sqlite: include_str!("../migrations/sqlite/0012_accounts.sql"),
        postgres: include_str!("../migrations/postgres/0012_accounts.sql"),
        earlier_postgres: &[],
    },
    Migration {
        version: 13,
        name: "notification_preferences",
        sqlite: include_str!("../migrations/sqlite/0013_notification_preferences.sql"),
        postgres: include_str!("../migrations/postgres/0013_notification_preferences.sql"),
        earlier_postgres: &[],
    },
    Migration {
        version: 14,
        name: "sso",
        sqlite: include_str!("../migrations/sqlite/0014_sso.sql"),
        postgres: include_str!("../migrations/postgres/0014_sso.sql"),
        earlier_postgres: &[],
    },
    Migration {
        version: 15,
        name: "sourcing_and_interest",
        sqlite: include_str!("../migrations/sqlite/0015_sourcing_and_interest.sql"),
        postgres: include_str!("../migrations/postgres/0015_sourcing_and_interest.sql"),
        earlier_postgres: &[],
    },
    Migration {
        version: 16,
        name: "conversations",
        sqlite: include_str!("../migrations/sqlite/0016_conversations.sql"),
        postgres: include_str!("../migrations/postgres/0016_conversations.sql"),
        earlier_postgres: &[],
    },
    Migration {
        version: 17,
        name: "reviews",
        sqlite: include_str!("../migrations/sqlite/0017_reviews.sql"),
        postgres: include_str!("../migrations/postgres/0017_reviews.sql"),
        earlier_postgres: &[],
    },
    Migration {
        version: 18,
        name: "assessments",
        sqlite: include_str!("../migrations/sqlite/0018_assessments.sql"),
        postgres: include_str!("../migrations/postgres/0018_assessments.sql"),
        earlier_postgres: &[],
    },
    Migration {
        version: 19,
        name: "review_steps",
        sqlite: include_str!("../migrations/sqlite/0019_review_steps.sql"),
        postgres: include_str!("../migrations/postgres/0019_review_steps.sql"),
        earlier_postgres: &[],
    },
    Migration {
        version: 20,
        name: "interactions",
        sqlite: include_str!("../migrations/sqlite/0020_interactions.sql"),
        postgres: include_str!("../migrations/postgres/0020_interactions.sql"),
        earlier_postgres: &[],
    },
    Migration {
        version: 21,
        name: "advice_pulse",
        sqlite: include_str!("../migrations/sqlite/0021_advice_pulse.sql"),
        postgres: include_str!("../migrations/postgres/0021_advice_pulse.sql"),
        earlier_postgres: &[],
    },
    Migration {
        version: 22,
        name: "connect",
        sqlite: include_str!("../migrations/sqlite/0022_connect.sql"),
        postgres: include_str!("../migrations/postgres/0022_connect.sql"),
        earlier_postgres: &[],
    },
    Migration {
        version: 23,
        name: "connect_slots",
        sqlite: include_str!("../migrations/sqlite/0023_connect_slots.sql"),
        postgres: include_str!("../migrations/postgres/0023_connect_slots.sql"),
        earlier_postgres: &[],
    },
    Migration {
        version: 24,
        name: "weekly_digest",
        sqlite: include_str!("../migrations/sqlite/0024_weekly_digest.sql"),
        postgres: include_str!("../migrations/postgres/0024_weekly_digest.sql"),
        earlier_postgres: &[],
    },
    Migration {
        version: 25,
        name: "development",
        sqlite: include_str!("../migrations/sqlite/0025_development.sql"),
        postgres: include_str!("../migrations/postgres/0025_development.sql"),
        earlier_postgres: &[],
    },
    Migration {
        version: 26,
        name: "decisions",
        sqlite: include_str!("../migrations/sqlite/0026_decisions.sql"),
        postgres: include_str!("../migrations/postgres/0026_decisions.sql"),
        earlier_postgres: &[],
    },
    Migration {
        version: 27,
        name: "succession",
        sqlite: include_str!("../migrations/sqlite/0027_succession.sql"),
        postgres: include_str!("../migrations/postgres/0027_succession.sql"),
        earlier_postgres: &[],
    },
    Migration {
        version: 28,
        name: "delivery_months",
        sqlite: include_str!("../migrations/sqlite/0028_delivery_months.sql"),
        postgres: include_str!("../migrations/postgres/0028_delivery_months.sql"),
        earlier_postgres: &[],
    },
    Migration {
        version: 29,
        name: "scorecard_months",
        sqlite: include_str!("../migrations/sqlite/0029_scorecard_months.sql"),
        postgres: include_str!("../migrations/postgres/0029_scorecard_months.sql"),
        earlier_postgres: &[],
    },
    Migration {
        version: 30,
        name: "owner_changes",
        sqlite: include_str!("../migrations/sqlite/0030_owner_changes.sql"),
        postgres: include_str!("../migrations/postgres/0030_owner_changes.sql"),
        earlier_postgres: &[],
    },
    Migration {
        version: 31,
        name: "due_day",
        sqlite: include_str!("../migrations/sqlite/0031_due_day.sql"),
        postgres: include_str!("../migrations/postgres/0031_due_day.sql"),
        earlier_postgres: &[],
    },
    Migration {
        version: 32,
        name: "delivery_org_months",
        sqlite: include_str!("../migrations/sqlite/0032_delivery_org_months.sql"),
        postgres: include_str!("../migrations/postgres/0032_delivery_org_months.sql"),
        earlier_postgres: &[],
    },
    Migration {
        version: 33,
        name: "provisioning",
        sqlite: include_str!("../migrations/sqlite/0033_provisioning.sql"),
        postgres: include_str!("../migrations/postgres/0033_provisioning.sql"),
        earlier_postgres: &[],
    },
    Migration {
        version: 34,
        name: "trailing_windows",
        sqlite: include_str!("../migrations/sqlite/0034_trailing_windows.sql"),
        postgres: include_str!("../migrations/postgres/0034_trailing_windows.sql"),
        earlier_postgres: &[],
    },
    Migration {
        version: 35,
        name: "jobs_by_kind",
        sqlite: include_str!("../migrations/sqlite/0035_jobs_by_kind.sql"),
        postgres: include_str!("../migrations/postgres/0035_jobs_by_kind.sql"),
        earlier_postgres: &[],
    },
    Migration {
        version: 36,
        name: "ordered_rollup_writes",
        sqlite: include_str!("../migrations/sqlite/0036_ordered_rollup_writes.sql"),
        postgres: include_str!("../migrations/postgres/0036_ordered_rollup_writes.sql"),
        earlier_postgres: &[],
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
    version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL, checksum TEXT)";

impl Migration {
    fn text(&self, backend: Backend) -> &'static str {
        match backend {
            Backend::Sqlite => self.sqlite,
            Backend::Postgres => self.postgres,
        }
    }

    fn checksum(&self, backend: Backend) -> String {
        use sha2::Digest;
        sha2::Sha256::digest(self.text(backend).as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// Whether `recorded` is this migration's text, today's or one it is known to have had.
    fn accepts(&self, recorded: &str, backend: Backend) -> bool {
        recorded == self.checksum(backend)
            || (backend == Backend::Postgres && self.earlier_postgres.contains(&recorded))
    }
}

/// Creates the bookkeeping table, and adds the checksum column to one made before it.
async fn prepare(pool: &AnyPool) -> CoreResult<()> {
    sqlx::query(CREATE_TABLE)
        .execute(pool)
        .await
        .map_err(map_err)?;
    if sqlx::query("SELECT checksum FROM trellis_migrations WHERE 1 = 0")
        .execute(pool)
        .await
        .is_err()
    {
        sqlx::query("ALTER TABLE trellis_migrations ADD COLUMN checksum TEXT")
            .execute(pool)
            .await
            .map_err(map_err)?;
    }
    Ok(())
}

/// Refuses a database whose applied migrations have other texts than this binary's.
async fn verify(pool: &AnyPool, backend: Backend) -> CoreResult<()> {
    let applied: Vec<(i64, Option<String>)> =
        sqlx::query_as("SELECT version, checksum FROM trellis_migrations ORDER BY version")
            .fetch_all(pool)
            .await
            .map_err(map_err)?;
    for (version, recorded) in applied {
        let (Some(m), Some(recorded)) =
            (MIGRATIONS.iter().find(|m| m.version == version), recorded)
        else {
            continue;
        };
        if !m.accepts(&recorded, backend) {
            return Err(CoreError::Internal(format!(
                "migration {version} ({}) applied to this database differs from the one in this \
                 Trellis (checksum {recorded} there, {} here): its schema may not be what this \
                 version expects; restore a backup or ask for a repair migration",
                m.name,
                m.checksum(backend)
            )));
        }
    }
    Ok(())
}

pub async fn status(pool: &AnyPool, backend: Backend) -> CoreResult<MigrationStatus> {
    prepare(pool).await?;
    verify(pool, backend).await?;
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
    prepare(pool).await?;
    verify(pool, backend).await?;
    // Migrations applied before checksums were kept: their text is taken as today's.
    for m in MIGRATIONS {
        sqlx::query(
            "UPDATE trellis_migrations SET checksum = $1 WHERE version = $2 AND checksum IS NULL",
        )
        .bind(m.checksum(backend))
        .bind(m.version)
        .execute(pool)
        .await
        .map_err(map_err)?;
    }
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
            // Rolled back here, not on drop: a dropped transaction is only rolled back when
            // its connection is next used, and until then it holds the advisory lock that
            // the next migration, on another connection of the pool, waits for.
            tx.rollback().await.map_err(map_err)?;
            continue;
        }
        let sql = m.text(backend);
        sqlx::raw_sql(sql).execute(&mut *tx).await.map_err(|e| {
            CoreError::Internal(format!("migration {} ({}) failed: {e}", m.version, m.name))
        })?;
        sqlx::query(
            "INSERT INTO trellis_migrations (version, name, applied_at, checksum) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(m.version)
        .bind(m.name)
        .bind(chrono::Utc::now().timestamp())
        .bind(m.checksum(backend))
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        tx.commit().await.map_err(map_err)?;
        tracing::info!(version = m.version, name = m.name, "migration applied");
        applied.push(m.version);
    }
    Ok(applied)
}
