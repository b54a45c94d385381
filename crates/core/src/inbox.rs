//! The notification centre: each person reads, opens and marks read their own
//! notifications (never anyone else's), chooses per topic how they are e-mailed — at once,
//! in a daily summary, or not at all — over the organisation's defaults, and the
//! background worker that does the e-mailing.

use crate::access::Viewer;
use crate::clock::local_date;
use crate::error::{CoreError, CoreResult};
use crate::ids::PersonId;
use crate::jobs::{Job, JobOutcome, JobRunner};
use crate::mail::{self, LEASE_SECONDS, Mailer, Recipient, Site, compose};
use crate::notify::{DIGEST_JOB, Delivery, Kept, NOTIFICATION_JOB, Preferences, Topic};
use crate::store::Store;
use async_trait::async_trait;
use std::sync::Arc;

/// A person's notifications, newest first, and how many are unread.
pub async fn mine(store: &dyn Store, viewer: &Viewer, limit: i64) -> CoreResult<(Vec<Kept>, i64)> {
    let person = viewer.person_id();
    Ok((
        store.notifications_of(person, limit.clamp(1, 500)).await?,
        store.unread_count(person).await?,
    ))
}

/// Marks one of the viewer's notifications read and gives where it leads; another
/// person's is not found.
pub async fn open(store: &dyn Store, viewer: &Viewer, id: i64, now: i64) -> CoreResult<Kept> {
    store
        .mark_read(viewer.person_id(), id, now)
        .await?
        .ok_or_else(|| CoreError::NotFound(format!("notification {id}")))
}

pub async fn read_all(store: &dyn Store, viewer: &Viewer, now: i64) -> CoreResult<u64> {
    store.mark_all_read(viewer.person_id(), now).await
}

/// The viewer's preferences over the organisation's defaults.
pub async fn preferences(store: &dyn Store, viewer: &Viewer) -> CoreResult<Preferences> {
    store.preferences(Some(viewer.person_id())).await
}

/// Sets the viewer's own choices.
pub async fn choose(
    store: &dyn Store,
    viewer: &Viewer,
    choices: &[(Topic, Delivery)],
) -> CoreResult<()> {
    for (topic, delivery) in choices {
        store
            .set_preference(Some(viewer.person_id()), *topic, *delivery)
            .await?;
    }
    Ok(())
}

/// Sets the organisation's defaults (admins); people's own choices stay.
pub async fn choose_defaults(
    store: &dyn Store,
    viewer: &Viewer,
    choices: &[(Topic, Delivery)],
    now: i64,
) -> CoreResult<()> {
    if !viewer.may_administer() {
        return Err(CoreError::Forbidden(
            "change the organisation's e-mail defaults".into(),
        ));
    }
    for (topic, delivery) in choices {
        store.set_preference(None, *topic, *delivery).await?;
    }
    store
        .audit(&crate::audit::AuditEntry {
            at: now,
            actor: viewer.actor(),
            action: "notifications.defaults".into(),
            subject: "organisation".into(),
            detail: choices
                .iter()
                .map(|(t, d)| format!("{} {}", t.as_str(), d.as_str()))
                .collect::<Vec<_>>()
                .join(", "),
        })
        .await
}

/// 07:00 on the person's next morning (in their time zone; UTC when unset), as Unix
/// seconds: when the daily summary goes.
pub fn next_morning(time_zone: Option<&str>, now: i64) -> i64 {
    let tz: chrono_tz::Tz = time_zone
        .and_then(|z| z.parse().ok())
        .unwrap_or(chrono_tz::UTC);
    let today = local_date(time_zone, now);
    let at = |day: chrono::NaiveDate| {
        day.and_hms_opt(7, 0, 0)
            .and_then(|t| t.and_local_timezone(tz).earliest())
            .map(|t| t.timestamp())
            .unwrap_or(now + 86_400)
    };
    let this_morning = at(today);
    if this_morning > now {
        this_morning
    } else {
        at(today.succ_opt().unwrap_or(today))
    }
}

/// The worker's step: claims the next due job and runs it — a mail is sent, a
/// notification is e-mailed as its person prefers (or held for their daily summary), a
/// daily summary is sent.
pub struct Runner {
    pub store: Arc<dyn Store>,
    pub mailer: Arc<dyn Mailer>,
    pub site: Site,
}

#[async_trait]
impl JobRunner for Runner {
    async fn run_next(&self, worker: &str, now: i64) -> CoreResult<Option<String>> {
        let store = self.store.as_ref();
        let Some(job) = store.claim_job(worker, now, LEASE_SECONDS).await? else {
            return Ok(None);
        };
        let done = match job.kind.as_str() {
            mail::MAIL_JOB => {
                let d = mail::send_job(store, self.mailer.as_ref(), worker, &job, now).await?;
                return Ok(Some(format!("{d:?}")));
            }
            NOTIFICATION_JOB => self.notification(&job, now).await?,
            DIGEST_JOB => self.digest(&job, now).await?,
            crate::digest::send::WEEKLY_JOB => {
                crate::digest::send::send(store, &self.site, &job.payload, now).await?
            }
            kind if crate::housekeeping::is_housekeeping(kind) => {
                crate::housekeeping::run(store, kind, now).await?
            }
            other => format!("job {} of unknown kind {other:?} finished unrun", job.id),
        };
        store
            .finish_job(job.id, worker, now, JobOutcome::Done)
            .await?;
        Ok(Some(done))
    }
}

impl Runner {
    async fn recipient(&self, person: PersonId) -> CoreResult<Option<(Recipient, Option<String>)>> {
        Ok(self
            .store
            .person(person)
            .await?
            .filter(|p| p.is_active())
            .map(|p| {
                (
                    Recipient {
                        person: Some(p.id),
                        address: p.email.clone(),
                        name: p.display_name(),
                    },
                    p.time_zone.clone(),
                )
            }))
    }

    /// E-mails one notification at once, or schedules its person's daily summary.
    async fn notification(&self, job: &Job, now: i64) -> CoreResult<String> {
        let store = self.store.as_ref();
        let Some(note) = (match job.payload.parse() {
            Ok(id) => store.notification(id).await?,
            Err(_) => None,
        }) else {
            return Ok("notification gone".into());
        };
        if note.read_at.is_some() {
            return Ok(format!(
                "notification {} read before it was mailed",
                note.id
            ));
        }
        let Some((to, time_zone)) = self.recipient(note.note.to).await? else {
            return Ok(format!("notification {}: its person has left", note.id));
        };
        let preferences = store.preferences(Some(note.note.to)).await?;
        match preferences.delivery(note.note.topic) {
            Delivery::Never => Ok(format!("notification {}: not mailed, as chosen", note.id)),
            Delivery::Daily => {
                let at = next_morning(time_zone.as_deref(), now);
                store
                    .schedule_job(DIGEST_JOB, &note.note.to.to_string(), at)
                    .await?;
                Ok(format!("notification {}: in the summary at {at}", note.id))
            }
            Delivery::Immediately => {
                let organisation = store.settings().await?.organisation_name;
                let link = self.site.link(&note.note.link);
                let key = format!("notification {}", note.id);
                let mail = compose(
                    &to,
                    subject_of(&note.note.text),
                    format!(
                        "Hello {},\n\n{}\n\nSee it in Trellis at {organisation}:\n{link}\n",
                        to.name, note.note.text
                    ),
                    &link,
                    "Open in Trellis",
                    &self.site,
                    key,
                );
                store.queue_mail_now(&mail, now).await?;
                store.mark_delivered(&[note.id], now).await?;
                Ok(format!("notification {} mailed", note.id))
            }
        }
    }

    /// One mail with everything the person has neither read nor been mailed.
    async fn digest(&self, job: &Job, now: i64) -> CoreResult<String> {
        let store = self.store.as_ref();
        let Ok(person) = job.payload.parse().map(PersonId) else {
            return Ok("digest of nobody".into());
        };
        let Some((to, time_zone)) = self.recipient(person).await? else {
            return Ok(format!("digest of person {person}: they left"));
        };
        let preferences = store.preferences(Some(person)).await?;
        let waiting: Vec<Kept> = store
            .undelivered(person)
            .await?
            .into_iter()
            .filter(|k| preferences.delivery(k.note.topic) == Delivery::Daily)
            .collect();
        if waiting.is_empty() {
            return Ok(format!("digest of person {person}: nothing new"));
        }
        let organisation = store.settings().await?.organisation_name;
        let lines: Vec<String> = waiting
            .iter()
            .map(|k| format!("- {}\n  {}", k.note.text, self.site.link(&k.note.link)))
            .collect();
        let day = local_date(time_zone.as_deref(), now);
        let key = format!("digest {person} {day}");
        let link = self.site.link("/notifications");
        let mail = compose(
            &to,
            match waiting.len() {
                1 => format!("1 new notification in Trellis at {organisation}"),
                n => format!("{n} new notifications in Trellis at {organisation}"),
            },
            format!(
                "Hello {},\n\nSince your last summary:\n\n{}\n\nAll your notifications:\n{link}\n",
                to.name,
                lines.join("\n")
            ),
            &link,
            "Open my notifications",
            &self.site,
            key,
        );
        store.queue_mail_now(&mail, now).await?;
        let ids: Vec<i64> = waiting.iter().map(|k| k.id).collect();
        store.mark_delivered(&ids, now).await?;
        Ok(format!(
            "digest of person {person}: {} notifications",
            ids.len()
        ))
    }
}

/// A notification's text as a mail subject: its first sentence, at most 90 characters.
fn subject_of(text: &str) -> String {
    let first = text.split_inclusive(". ").next().unwrap_or(text).trim();
    if first.chars().count() <= 90 {
        first.trim_end_matches('.').to_string()
    } else {
        let cut: String = first.chars().take(87).collect();
        format!("{}…", cut.trim_end())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_goes_at_seven_in_the_morning_where_the_person_is() {
        // 2026-12-03 05:00 UTC.
        let now = 1_764_738_000;
        assert_eq!(
            next_morning(None, now),
            now + 2 * 3600,
            "07:00 UTC the same day"
        );
        // In Berlin it is 06:00: 07:00 local is 06:00 UTC.
        assert_eq!(next_morning(Some("Europe/Berlin"), now), now + 3600);
        // In New York it is midnight: 07:00 local is 12:00 UTC.
        assert_eq!(next_morning(Some("America/New_York"), now), now + 7 * 3600);
        // After seven it is tomorrow's.
        assert_eq!(next_morning(None, now + 3 * 3600), now + 26 * 3600);
    }

    #[test]
    fn a_subject_is_the_first_sentence() {
        assert_eq!(
            subject_of("Max Manager handed you \u{201c}Ship it\u{201d}, due 2026-12-10."),
            "Max Manager handed you \u{201c}Ship it\u{201d}, due 2026-12-10"
        );
        assert!(subject_of(&"word ".repeat(40)).ends_with('…'));
    }
}
