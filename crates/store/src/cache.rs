//! Caches of the reads every page makes, exact across instances and processes.
//!
//! Several instances share one PostgreSQL database, and a write on one must be visible on
//! the others at once. Every writing transaction adds one to `change_counter` as it commits
//! (migration 0005), so a cached read is used only while the counter still shows the value
//! it had before the read was made. Each request checks the counter with a query that
//! started after the request arrived — so no acknowledged write is missed — and requests
//! arriving together share one such query: under load one tiny query serves many pages,
//! where the reads themselves would cost the database a query each.
//!
//! A SQLite file has the same kind of number built in: `PRAGMA data_version`, asked on a
//! connection that never writes, moves whenever any other connection (of this process or
//! another, such as `trellis import`) commits.

use crate::map_err;
use sqlx::AnyPool;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use tokio::sync::watch;
use trellis_core::error::{CoreError, CoreResult};

/// Where a cache learns that something was written.
pub(crate) enum Changes {
    Counter(ChangeCounter),
    /// A read-only connection of its own, asked for the file's data version.
    DataVersion(Mutex<rusqlite::Connection>),
}

impl Changes {
    /// A number that moves whenever a write commits, read after this call began.
    async fn current(&self, pool: &AnyPool) -> CoreResult<i64> {
        match self {
            Changes::Counter(counter) => counter.current(pool).await,
            Changes::DataVersion(watcher) => {
                let watcher = watcher.lock().unwrap_or_else(|e| e.into_inner());
                watcher
                    .query_row("PRAGMA data_version", [], |row| row.get(0))
                    .map_err(crate::reader::read_error)
            }
        }
    }
}

/// The database's change counter, read by shared queries.
pub(crate) struct ChangeCounter {
    state: Mutex<CounterState>,
    /// Bumped whenever a check ends (or is abandoned), to wake the callers waiting for it.
    checks_ended: watch::Sender<u64>,
}

#[derive(Default)]
struct CounterState {
    /// Checks started so far; the number of the latest is its ticket.
    started: u64,
    /// The ticket of the latest check that answered, and its answer.
    answered: u64,
    value: i64,
    in_flight: bool,
}

impl ChangeCounter {
    pub fn new() -> ChangeCounter {
        ChangeCounter {
            state: Mutex::new(CounterState::default()),
            checks_ended: watch::channel(0).0,
        }
    }

    /// The counter as read by a query that started after this call began: every write
    /// acknowledged before the call is counted in it.
    pub async fn current(&self, pool: &AnyPool) -> CoreResult<i64> {
        let mut ended = self.checks_ended.subscribe();
        // A check already running may have read the counter before our caller's write:
        // only the next one will do.
        let needed = self.lock().started + 1;
        loop {
            ended.borrow_and_update();
            let ticket = {
                let mut state = self.lock();
                if state.answered >= needed {
                    return Ok(state.value);
                }
                if state.in_flight {
                    None
                } else {
                    state.in_flight = true;
                    state.started += 1;
                    Some(state.started)
                }
            };
            let Some(ticket) = ticket else {
                // Wait for the running check to end, then look again.
                if ended.changed().await.is_err() {
                    return Err(CoreError::Internal("the change counter went away".into()));
                }
                continue;
            };
            // Clears `in_flight` even when this request is dropped mid-query.
            let guard = InFlight(self);
            let read =
                sqlx::query_scalar::<_, i64>("SELECT value FROM change_counter WHERE id = 1")
                    .fetch_one(pool)
                    .await
                    .map_err(map_err);
            if let Ok(value) = read {
                let mut state = self.lock();
                if ticket > state.answered {
                    state.answered = ticket;
                    state.value = value;
                }
            }
            drop(guard);
            return read;
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, CounterState> {
        // A panic while holding this lock leaves consistent numbers behind.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

struct InFlight<'a>(&'a ChangeCounter);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.lock().in_flight = false;
        self.0.checks_ended.send_modify(|n| *n += 1);
    }
}

/// Values read at a known counter value, by key.
pub(crate) struct Tagged<K, V> {
    entries: Mutex<HashMap<K, (i64, V)>>,
    limit: usize,
}

impl<K: Hash + Eq, V: Clone> Tagged<K, V> {
    pub fn new(limit: usize) -> Self {
        Tagged {
            entries: Mutex::new(HashMap::new()),
            limit,
        }
    }

    fn get(&self, key: &K, counter: i64) -> Option<V> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        match entries.get(key) {
            Some((tag, value)) if *tag == counter => Some(value.clone()),
            _ => None,
        }
    }

    fn put(&self, key: K, counter: i64, value: V) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= self.limit && !entries.contains_key(&key) {
            entries.retain(|_, (tag, _)| *tag == counter);
            if entries.len() >= self.limit {
                entries.clear();
            }
        }
        entries.insert(key, (counter, value));
    }
}

/// The cached reads: those on every page and API call.
pub(crate) struct ReadCache {
    changes: Changes,
    pub settings: Tagged<(), trellis_core::settings::Settings>,
    pub sessions: Tagged<String, Option<crate::accounts::SessionRow>>,
    pub api_tokens: Tagged<String, Option<trellis_core::auth::Account>>,
    pub neighbourhoods: Tagged<i64, Option<trellis_core::store::Neighbourhood>>,
    pub with_reports: Tagged<i64, Option<crate::people::PersonWithReports>>,
    pub mentorships: Tagged<i64, Vec<trellis_core::growth::mentoring::Mentorship>>,
}

/// Entries per kind; a person's neighbourhood is a few kilobytes.
const LIMIT: usize = 20_000;

impl ReadCache {
    pub fn new(changes: Changes) -> ReadCache {
        ReadCache {
            changes,
            settings: Tagged::new(1),
            sessions: Tagged::new(LIMIT),
            api_tokens: Tagged::new(LIMIT),
            neighbourhoods: Tagged::new(LIMIT),
            with_reports: Tagged::new(LIMIT),
            mentorships: Tagged::new(LIMIT),
        }
    }

    /// `load`'s answer for `key`, from the cache when nothing was written since it was read.
    pub async fn read<K, V, Load, Loading>(
        &self,
        pool: &AnyPool,
        kind: &Tagged<K, V>,
        key: K,
        load: Load,
    ) -> CoreResult<V>
    where
        K: Hash + Eq,
        V: Clone,
        Load: FnOnce() -> Loading,
        Loading: std::future::Future<Output = CoreResult<V>>,
    {
        let counter = self.changes.current(pool).await?;
        if let Some(value) = kind.get(&key, counter) {
            return Ok(value);
        }
        // Read after the counter: the value holds at least every write counted in it, so
        // tagging it with this count can only make it be read again too soon, never too late.
        let value = load().await?;
        kind.put(key, counter, value.clone());
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tagged_values_answer_only_at_their_counter() {
        let kind: Tagged<i64, &str> = Tagged::new(2);
        kind.put(1, 7, "one");
        assert_eq!(kind.get(&1, 7), Some("one"));
        assert_eq!(kind.get(&1, 8), None, "a write since makes it stale");
        kind.put(2, 8, "two");
        kind.put(3, 8, "three");
        // Full: the entry from before the write went first.
        assert_eq!(kind.get(&1, 7), None);
        assert_eq!(kind.get(&2, 8), Some("two"));
        assert_eq!(kind.get(&3, 8), Some("three"));
    }
}
