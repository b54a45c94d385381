//! SCIM tokens, the SCIM identity of people, groups and the provisioning pause.

use crate::sql::Columns;
use crate::unit::SqlUnit;
use crate::{SqlStore, map_err};
use sqlx::any::AnyRow;
use trellis_core::error::{CoreError, CoreResult};
use trellis_core::ids::{PersonId, TeamId};
use trellis_core::org::display_name;
use trellis_core::provisioning::groups::{GroupRecord, NewGroup};
use trellis_core::provisioning::store::{
    PauseState, ProvisioningStore, ProvisioningWrite, ScimIdentity,
};
use trellis_core::provisioning::tokens::ScimToken;
use trellis_core::provisioning::user::ScimPerson;

const TOKEN_SELECT: &str = "SELECT k.id, k.name, k.created_at, k.expires_at, k.last_used_at, \
     k.revoked_at, p.name AS by_name, p.preferred_name AS by_preferred \
     FROM scim_tokens k LEFT JOIN people p ON p.id = k.created_by";

fn token(r: &AnyRow) -> CoreResult<ScimToken> {
    Ok(ScimToken {
        id: r.int("id")?,
        name: r.text("name")?,
        created_at: r.int("created_at")?,
        created_by_name: match r.text_or_null("by_name")? {
            Some(n) => Some(display_name(&n, r.text_or_null("by_preferred")?.as_deref())),
            None => None,
        },
        expires_at: r.int_or_null("expires_at")?,
        last_used_at: r.int_or_null("last_used_at")?,
        revoked_at: r.int_or_null("revoked_at")?,
    })
}

const USER_SELECT: &str = "SELECT s.person_id, s.user_name, s.external_id, s.attributes, \
     s.created_at, s.updated_at, p.name, p.preferred_name, p.email, p.title, p.employee_id, \
     t.name AS team_name, p.manager_id, p.time_zone, p.status \
     FROM scim_users s JOIN people p ON p.id = s.person_id \
     LEFT JOIN teams t ON t.id = p.team_id";

fn scim_person(r: &AnyRow) -> CoreResult<ScimPerson> {
    let attributes = r.text("attributes")?;
    Ok(ScimPerson {
        id: PersonId(r.int("person_id")?),
        user_name: r.text("user_name")?,
        external_id: r.text_or_null("external_id")?,
        attributes: serde_json::from_str(&attributes)
            .map_err(|e| CoreError::Internal(format!("stored SCIM attributes: {e}")))?,
        created_at: r.int("created_at")?,
        updated_at: r.int("updated_at")?,
        name: r.text("name")?,
        preferred_name: r.text_or_null("preferred_name")?,
        email: r.text("email")?,
        title: r.text_or_null("title")?,
        employee_id: r.text_or_null("employee_id")?,
        team_name: r.text_or_null("team_name")?,
        manager_id: r.int_or_null("manager_id")?.map(PersonId),
        time_zone: r.text_or_null("time_zone")?,
        active: r.text("status")? == "active",
    })
}

fn group(r: &AnyRow) -> CoreResult<GroupRecord> {
    Ok(GroupRecord {
        id: r.int("id")?,
        name: r.text("name")?,
        external_id: r.text_or_null("external_id")?,
        source: r.text("source")?,
        created_at: r.int("created_at")?,
        updated_at: r.int("updated_at")?,
        members: Vec::new(),
    })
}

const GROUP_SELECT: &str =
    "SELECT id, name, external_id, source, created_at, updated_at FROM person_groups";

const MEMBER_SELECT: &str = "SELECT g.group_id, g.person_id FROM person_group_members g";

fn member(r: &AnyRow) -> CoreResult<(i64, PersonId)> {
    Ok((r.int("group_id")?, PersonId(r.int("person_id")?)))
}

/// Token uses are noted at most this often (seconds).
const USE_NOTED_EVERY: i64 = 300;

#[async_trait::async_trait]
impl ProvisioningStore for SqlStore {
    async fn scim_token(&self, digest: &str) -> CoreResult<Option<ScimToken>> {
        let sql = format!("{TOKEN_SELECT} WHERE k.token_digest = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(digest.to_string())
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)?;
        row.as_ref().map(token).transpose()
    }
    async fn note_scim_token_used(&self, id: i64, now: i64) -> CoreResult<()> {
        sqlx::query(
            "UPDATE scim_tokens SET last_used_at = $2 \
             WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $3)",
        )
        .bind(id)
        .bind(now)
        .bind(now - USE_NOTED_EVERY)
        .execute(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(())
    }
    async fn scim_tokens(&self) -> CoreResult<Vec<ScimToken>> {
        let sql = format!("{TOKEN_SELECT} ORDER BY k.id DESC");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)?;
        rows.iter().map(token).collect()
    }

    async fn scim_user(&self, id: PersonId) -> CoreResult<Option<ScimPerson>> {
        let sql = format!("{USER_SELECT} WHERE s.person_id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)?;
        row.as_ref().map(scim_person).transpose()
    }
    async fn scim_user_id_by_name(&self, key: &str) -> CoreResult<Option<PersonId>> {
        let id: Option<i64> =
            sqlx::query_scalar("SELECT person_id FROM scim_users WHERE user_name_key = $1")
                .bind(key.to_string())
                .fetch_optional(&self.pool)
                .await
                .map_err(map_err)?;
        Ok(id.map(PersonId))
    }
    async fn scim_user_id_by_external_id(&self, external_id: &str) -> CoreResult<Option<PersonId>> {
        let id: Option<i64> = sqlx::query_scalar(
            "SELECT person_id FROM scim_users WHERE external_id = $1 ORDER BY person_id LIMIT 1",
        )
        .bind(external_id.to_string())
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(id.map(PersonId))
    }
    async fn scim_users_page(
        &self,
        offset: usize,
        limit: usize,
    ) -> CoreResult<(Vec<ScimPerson>, usize)> {
        let sql = format!("{USER_SELECT} ORDER BY s.person_id LIMIT $1 OFFSET $2");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(limit as i64)
            .bind(offset as i64)
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)?;
        let people = rows.iter().map(scim_person).collect::<CoreResult<_>>()?;
        Ok((people, self.scim_user_count().await?))
    }
    async fn all_scim_users(&self) -> CoreResult<Vec<ScimPerson>> {
        let sql = format!("{USER_SELECT} ORDER BY s.person_id");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)?;
        rows.iter().map(scim_person).collect()
    }
    async fn scim_user_count(&self) -> CoreResult<usize> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM scim_users")
            .fetch_one(&self.pool)
            .await
            .map_err(map_err)?;
        Ok(n as usize)
    }

    async fn group(&self, id: i64) -> CoreResult<Option<GroupRecord>> {
        let sql = format!("{GROUP_SELECT} WHERE id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)?;
        let Some(mut g) = row.as_ref().map(group).transpose()? else {
            return Ok(None);
        };
        let sql = format!("{MEMBER_SELECT} WHERE g.group_id = $1 ORDER BY g.person_id");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)?;
        for r in &rows {
            let (_, person) = member(r)?;
            g.members.push(person);
        }
        Ok(Some(g))
    }
    async fn group_id_by_name(&self, key: &str) -> CoreResult<Option<i64>> {
        sqlx::query_scalar("SELECT id FROM person_groups WHERE name_key = $1")
            .bind(key.to_string())
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)
    }
    async fn groups(&self, with_members: bool) -> CoreResult<Vec<GroupRecord>> {
        let sql = format!("{GROUP_SELECT} ORDER BY id");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)?;
        let mut groups: Vec<GroupRecord> = rows.iter().map(group).collect::<CoreResult<_>>()?;
        if with_members {
            let sql = format!("{MEMBER_SELECT} ORDER BY g.group_id, g.person_id");
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .fetch_all(&self.pool)
                .await
                .map_err(map_err)?;
            let mut by_group: std::collections::HashMap<i64, Vec<PersonId>> =
                std::collections::HashMap::new();
            for r in &rows {
                let (g, person) = member(r)?;
                by_group.entry(g).or_default().push(person);
            }
            for g in &mut groups {
                g.members = by_group.remove(&g.id).unwrap_or_default();
            }
        }
        Ok(groups)
    }

    async fn team_id_by_name(&self, name: &str) -> CoreResult<Option<TeamId>> {
        let id: Option<i64> = sqlx::query_scalar("SELECT id FROM teams WHERE name = $1")
            .bind(name.to_string())
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)?;
        Ok(id.map(TeamId))
    }
    async fn scim_pause(&self) -> CoreResult<PauseState> {
        let row: Option<(Option<i64>, String, Option<i64>)> =
            sqlx::query_as("SELECT paused_at, reason, resumed_at FROM scim_pause WHERE id = 1")
                .fetch_optional(&self.pool)
                .await
                .map_err(map_err)?;
        Ok(match row {
            Some((paused_at, reason, resumed_at)) => PauseState {
                paused_at,
                reason,
                resumed_at,
            },
            None => PauseState::default(),
        })
    }
    async fn scim_deactivations_since(&self, since: i64) -> CoreResult<i64> {
        sqlx::query_scalar("SELECT COUNT(*) FROM scim_deactivations WHERE at > $1")
            .bind(since)
            .fetch_one(&self.pool)
            .await
            .map_err(map_err)
    }
    async fn begin_provisioning_write(&self) -> CoreResult<Box<dyn ProvisioningWrite + '_>> {
        Ok(SqlUnit::begin(self).await?)
    }
}

#[async_trait::async_trait]
impl ProvisioningWrite for SqlUnit {
    async fn put_scim_user(
        &mut self,
        id: PersonId,
        identity: &ScimIdentity,
        now: i64,
    ) -> CoreResult<()> {
        sqlx::query(
            "INSERT INTO scim_users (person_id, user_name, user_name_key, external_id, \
             attributes, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) \
             ON CONFLICT (person_id) DO UPDATE SET user_name = EXCLUDED.user_name, \
             user_name_key = EXCLUDED.user_name_key, external_id = EXCLUDED.external_id, \
             attributes = EXCLUDED.attributes, updated_at = EXCLUDED.updated_at",
        )
        .bind(id.0)
        .bind(identity.user_name.clone())
        .bind(identity.user_name.to_lowercase())
        .bind(identity.external_id.clone())
        .bind(identity.attributes.to_string())
        .bind(now)
        .execute(&mut *self.tx)
        .await
        .map_err(map_err)?;
        Ok(())
    }
    async fn remove_scim_user(&mut self, id: PersonId) -> CoreResult<()> {
        sqlx::query("DELETE FROM scim_users WHERE person_id = $1")
            .bind(id.0)
            .execute(&mut *self.tx)
            .await
            .map_err(map_err)?;
        Ok(())
    }
    async fn team_named(&mut self, name: &str) -> CoreResult<TeamId> {
        sqlx::query("INSERT INTO teams (name) VALUES ($1) ON CONFLICT (name) DO NOTHING")
            .bind(name.to_string())
            .execute(&mut *self.tx)
            .await
            .map_err(map_err)?;
        let id: i64 = sqlx::query_scalar("SELECT id FROM teams WHERE name = $1")
            .bind(name.to_string())
            .fetch_one(&mut *self.tx)
            .await
            .map_err(map_err)?;
        Ok(TeamId(id))
    }
    async fn record_scim_deactivation(&mut self, id: PersonId, now: i64) -> CoreResult<()> {
        sqlx::query("INSERT INTO scim_deactivations (person_id, at) VALUES ($1, $2)")
            .bind(id.0)
            .bind(now)
            .execute(&mut *self.tx)
            .await
            .map_err(map_err)?;
        Ok(())
    }
    async fn pause_scim(&mut self, now: i64, reason: &str) -> CoreResult<()> {
        sqlx::query(
            "INSERT INTO scim_pause (id, paused_at, reason) VALUES (1, $1, $2) \
             ON CONFLICT (id) DO UPDATE SET paused_at = EXCLUDED.paused_at, reason = EXCLUDED.reason",
        )
        .bind(now)
        .bind(reason.to_string())
        .execute(&mut *self.tx)
        .await
        .map_err(map_err)?;
        Ok(())
    }
    async fn resume_scim(&mut self, by: Option<PersonId>, now: i64) -> CoreResult<()> {
        sqlx::query(
            "INSERT INTO scim_pause (id, paused_at, reason, resumed_at, resumed_by) \
             VALUES (1, NULL, '', $1, $2) ON CONFLICT (id) DO UPDATE SET paused_at = NULL, \
             resumed_at = EXCLUDED.resumed_at, resumed_by = EXCLUDED.resumed_by",
        )
        .bind(now)
        .bind(by.map(|p| p.0))
        .execute(&mut *self.tx)
        .await
        .map_err(map_err)?;
        Ok(())
    }
    async fn create_scim_token(
        &mut self,
        name: &str,
        digest: &str,
        by: Option<PersonId>,
        expires_at: Option<i64>,
        now: i64,
    ) -> CoreResult<i64> {
        sqlx::query_scalar(
            "INSERT INTO scim_tokens (name, token_digest, created_by, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(name.to_string())
        .bind(digest.to_string())
        .bind(by.map(|p| p.0))
        .bind(now)
        .bind(expires_at)
        .fetch_one(&mut *self.tx)
        .await
        .map_err(map_err)
    }
    async fn revoke_scim_token(&mut self, id: i64, now: i64) -> CoreResult<bool> {
        let done = sqlx::query(
            "UPDATE scim_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL",
        )
        .bind(id)
        .bind(now)
        .execute(&mut *self.tx)
        .await
        .map_err(map_err)?;
        Ok(done.rows_affected() == 1)
    }
    async fn create_group(&mut self, g: &NewGroup, now: i64) -> CoreResult<i64> {
        sqlx::query_scalar(
            "INSERT INTO person_groups (name, name_key, external_id, source, created_at, \
             updated_at) VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
        )
        .bind(g.name.clone())
        .bind(g.name.to_lowercase())
        .bind(g.external_id.clone())
        .bind(g.source.to_string())
        .bind(now)
        .fetch_one(&mut *self.tx)
        .await
        .map_err(map_err)
    }
    async fn update_group(&mut self, id: i64, g: &NewGroup, now: i64) -> CoreResult<()> {
        sqlx::query(
            "UPDATE person_groups SET name = $2, name_key = $3, external_id = $4, \
             updated_at = $5 WHERE id = $1",
        )
        .bind(id)
        .bind(g.name.clone())
        .bind(g.name.to_lowercase())
        .bind(g.external_id.clone())
        .bind(now)
        .execute(&mut *self.tx)
        .await
        .map_err(map_err)?;
        Ok(())
    }
    async fn set_group_members(&mut self, id: i64, members: &[PersonId]) -> CoreResult<()> {
        sqlx::query("DELETE FROM person_group_members WHERE group_id = $1")
            .bind(id)
            .execute(&mut *self.tx)
            .await
            .map_err(map_err)?;
        let rows: Vec<Vec<crate::bulk::Value>> = members
            .iter()
            .map(|m| {
                vec![
                    crate::bulk::Value::Int(Some(id)),
                    crate::bulk::Value::Int(Some(m.0)),
                ]
            })
            .collect();
        crate::bulk::insert_rows(
            &mut self.tx,
            self.backend,
            "person_group_members",
            &["group_id", "person_id"],
            &rows,
        )
        .await
    }
    async fn delete_group(&mut self, id: i64) -> CoreResult<()> {
        sqlx::query("DELETE FROM person_group_members WHERE group_id = $1")
            .bind(id)
            .execute(&mut *self.tx)
            .await
            .map_err(map_err)?;
        sqlx::query("DELETE FROM person_groups WHERE id = $1")
            .bind(id)
            .execute(&mut *self.tx)
            .await
            .map_err(map_err)?;
        Ok(())
    }
}
