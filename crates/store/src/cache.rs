//! Caches of the reads every page makes, exact across instances and processes.
//!
//! Several instances share one PostgreSQL database, and a write on one must be visible on
//! the others at once. Every writing transaction adds one to the counter of each area it
//! wrote to as it commits (migration 0005), so a cached read is used only while the
//! counters of the areas it depends on still show the values they had before the read was
//! made. Each request checks the counters with a query that started after the request
//! arrived — so no acknowledged write is missed — and requests arriving together share one
//! such query: under load one tiny query serves many pages, where the reads themselves would
//! cost the database a query each.
//!
//! A SQLite file has the same kind of number built in: `PRAGMA data_version`, asked on a
//! connection that never writes, moves whenever any other connection (of this process or
//! another, such as `trellis import`) commits. It has no areas: any write counts for all.

use crate::map_err;
use sqlx::AnyPool;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use tokio::sync::watch;
use trellis_core::error::{CoreError, CoreResult};

/// The parts of the database counted apart (migration 0005 lists their tables), so that
/// busy writes — a session renewed, a commitment updated — leave the person pages cached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Area {
    Org,
    Sessions,
    Mentoring,
    Other,
}

impl Area {
    const ALL: [Area; 4] = [Area::Org, Area::Sessions, Area::Mentoring, Area::Other];

    fn name(self) -> &'static str {
        match self {
            Area::Org => "org",
            Area::Sessions => "sessions",
            Area::Mentoring => "mentoring",
            Area::Other => "other",
        }
    }
}

/// Every area's count, in the order of [`Area::ALL`].
pub(crate) type Counts = [i64; 4];

/// Where a cache learns that something was written.
pub(crate) enum Changes {
    Counter(ChangeCounter),
    /// A read-only connection of its own, asked for the file's data version.
    DataVersion(Mutex<rusqlite::Connection>),
}

impl Changes {
    /// Numbers that move whenever a write to their area commits, read after this call began.
    async fn current(&self, pool: &AnyPool) -> CoreResult<Counts> {
        match self {
            Changes::Counter(counter) => counter.current(pool).await,
            Changes::DataVersion(watcher) => {
                let watcher = watcher.lock().unwrap_or_else(|e| e.into_inner());
                let version: i64 = watcher
                    .query_row("PRAGMA data_version", [], |row| row.get(0))
                    .map_err(crate::reader::read_error)?;
                Ok([version; 4])
            }
        }
    }
}

/// The database's change counters, read by shared queries.
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
    counts: Counts,
    /// The ticket of the latest check that failed, and why.
    failed: u64,
    failure: String,
    in_flight: bool,
}

impl ChangeCounter {
    pub fn new() -> ChangeCounter {
        ChangeCounter {
            state: Mutex::new(CounterState::default()),
            checks_ended: watch::channel(0).0,
        }
    }

    /// The counters as read by a query that started after this call began: every write
    /// acknowledged before the call is counted in them.
    pub async fn current(&self, pool: &AnyPool) -> CoreResult<Counts> {
        let mut ended = self.checks_ended.subscribe();
        // A check already running may have read the counters before our caller's write:
        // only the next one will do.
        let needed = self.lock().started + 1;
        loop {
            ended.borrow_and_update();
            let ticket = {
                let mut state = self.lock();
                if state.answered >= needed {
                    return Ok(state.counts);
                }
                // The check that would have answered failed: fail with it rather than queue
                // another (during an outage every waiting request would wait its turn).
                if state.failed >= needed {
                    return Err(CoreError::Unavailable(state.failure.clone()));
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
            let read = read_counts(pool).await;
            {
                let mut state = self.lock();
                match &read {
                    Ok(counts) if ticket > state.answered => {
                        state.answered = ticket;
                        state.counts = *counts;
                    }
                    Err(e) if ticket > state.failed => {
                        state.failed = ticket;
                        state.failure = match e {
                            CoreError::Unavailable(why) => why.clone(),
                            other => other.to_string(),
                        };
                    }
                    _ => {}
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

async fn read_counts(pool: &AnyPool) -> CoreResult<Counts> {
    let rows: Vec<(String, i64)> =
        sqlx::query_as("SELECT area, SUM(value)::BIGINT FROM change_counter GROUP BY area")
            .fetch_all(pool)
            .await
            .map_err(map_err)?;
    let mut counts = Counts::default();
    for (slot, area) in counts.iter_mut().zip(Area::ALL) {
        *slot = rows
            .iter()
            .find(|(name, _)| name == area.name())
            .map(|(_, value)| *value)
            .ok_or_else(|| {
                CoreError::Internal(format!("the change counter of {} is missing", area.name()))
            })?;
    }
    Ok(counts)
}

struct InFlight<'a>(&'a ChangeCounter);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.lock().in_flight = false;
        self.0.checks_ended.send_modify(|n| *n += 1);
    }
}

/// Values read at known counts of the areas they come from, by key.
pub(crate) struct Tagged<K, V> {
    entries: Mutex<HashMap<K, (Counts, V)>>,
    depends_on: &'static [Area],
    limit: usize,
}

impl<K: Hash + Eq, V: Clone> Tagged<K, V> {
    pub fn new(depends_on: &'static [Area], limit: usize) -> Self {
        Tagged {
            entries: Mutex::new(HashMap::new()),
            depends_on,
            limit,
        }
    }

    fn fresh(&self, tag: &Counts, counts: &Counts) -> bool {
        self.depends_on
            .iter()
            .all(|&area| tag[area as usize] == counts[area as usize])
    }

    fn get(&self, key: &K, counts: &Counts) -> Option<V> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        match entries.get(key) {
            Some((tag, value)) if self.fresh(tag, counts) => Some(value.clone()),
            _ => None,
        }
    }

    /// Changes a cached value in place, keeping its tag: for a write the counters leave out.
    pub fn update<Q>(&self, key: &Q, change: impl FnOnce(&mut V))
    where
        K: std::borrow::Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, value)) = entries.get_mut(key) {
            change(value);
        }
    }

    fn put(&self, key: K, counts: Counts, value: V) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= self.limit && !entries.contains_key(&key) {
            entries.retain(|_, (tag, _)| self.fresh(tag, &counts));
            if entries.len() >= self.limit {
                // Still full of current values: drop every other one (the map's order
                // has nothing to do with use, so this is a random half).
                let mut keep = false;
                entries.retain(|_, _| {
                    keep = !keep;
                    keep
                });
            }
        }
        entries.insert(key, (counts, value));
    }
}

/// The cached reads: those on every page and API call.
pub(crate) struct ReadCache {
    changes: Changes,
    pub settings: Tagged<(), trellis_core::settings::Settings>,
    pub sessions: Tagged<String, Option<crate::accounts::SessionRow>>,
    pub api_tokens: Tagged<String, Option<trellis_core::auth::Account>>,
    pub neighbourhoods: Tagged<i64, Option<trellis_core::org::store::Neighbourhood>>,
    pub with_reports: Tagged<i64, Option<crate::people::PersonWithReports>>,
    pub mentorships: Tagged<i64, Vec<trellis_core::mentoring::Mentorship>>,
    /// Everyone who is or was in a mentorship: most person pages need not ask for theirs.
    pub in_mentorships: Tagged<(), std::sync::Arc<std::collections::HashSet<i64>>>,
}

/// Entries per kind; a person's neighbourhood is a few kilobytes, so the person pages
/// cache holds tens of megabytes at most.
const LIMIT: usize = 10_000;

impl ReadCache {
    pub fn new(changes: Changes) -> ReadCache {
        use Area::*;
        // What each read joins: an account's name and report count come from people.
        ReadCache {
            changes,
            settings: Tagged::new(&[Org], 1),
            sessions: Tagged::new(&[Sessions, Org], LIMIT),
            api_tokens: Tagged::new(&[Sessions, Org], LIMIT),
            neighbourhoods: Tagged::new(&[Org], LIMIT),
            with_reports: Tagged::new(&[Org], LIMIT),
            mentorships: Tagged::new(&[Mentoring, Org], LIMIT),
            in_mentorships: Tagged::new(&[Mentoring], 1),
        }
    }

    /// `load`'s answer for `key`, from the cache when nothing it depends on was written since.
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
        // A read-only request checks once and reads as of then.
        let counts = match request_view().and_then(|v| Counts::try_from(v.as_slice()).ok()) {
            Some(counts) => counts,
            None => {
                let counts = self.changes.current(pool).await?;
                keep_request_view(&counts);
                counts
            }
        };
        if let Some(value) = kind.get(&key, &counts) {
            return Ok(value);
        }
        // Read after the counts: the value holds at least every write counted in them, so
        // tagging it with these counts can only make it be read again too soon, never too late.
        let value = load().await?;
        kind.put(key, counts, value.clone());
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn requests_waiting_on_a_failed_check_fail_with_it() {
        sqlx::any::install_default_drivers();
        // Nothing listens on port 1: every check fails at once.
        let pool = sqlx::any::AnyPoolOptions::new()
            .acquire_timeout(std::time::Duration::from_millis(300))
            .connect_lazy("postgres://nobody:none@127.0.0.1:1/none")
            .unwrap();
        let counter = std::sync::Arc::new(ChangeCounter::new());
        let mut requests = Vec::new();
        for _ in 0..32 {
            let (counter, pool) = (counter.clone(), pool.clone());
            requests.push(tokio::spawn(async move { counter.current(&pool).await }));
        }
        for r in requests {
            assert!(matches!(r.await.unwrap(), Err(CoreError::Unavailable(_))));
        }
        // Not one check per request, queued behind each other.
        let started = counter.lock().started;
        assert!(started <= 3, "{started} checks for 32 requests");
    }

    #[test]
    fn tagged_values_answer_only_while_their_areas_are_unwritten() {
        let kind: Tagged<i64, &str> = Tagged::new(&[Area::Org, Area::Sessions], 2);
        kind.put(1, [7, 1, 1, 1], "one");
        assert_eq!(kind.get(&1, &[7, 1, 1, 1]), Some("one"));
        assert_eq!(
            kind.get(&1, &[7, 1, 5, 9]),
            Some("one"),
            "writes elsewhere change nothing"
        );
        assert_eq!(
            kind.get(&1, &[8, 1, 1, 1]),
            None,
            "a write since makes it stale"
        );
        assert_eq!(kind.get(&1, &[7, 2, 1, 1]), None);
        kind.put(2, [8, 1, 1, 1], "two");
        kind.put(3, [8, 1, 1, 1], "three");
        // Full: the entry from before the write went first.
        assert_eq!(kind.get(&1, &[7, 1, 1, 1]), None);
        assert_eq!(kind.get(&2, &[8, 1, 1, 1]), Some("two"));
        assert_eq!(kind.get(&3, &[8, 1, 1, 1]), Some("three"));
        // Full of current values: half go, and the new one is in.
        kind.put(4, [8, 1, 1, 1], "four");
        let kept = [2, 3]
            .iter()
            .filter(|k| kind.get(k, &[8, 1, 1, 1]).is_some())
            .count();
        assert_eq!(kept, 1);
        assert_eq!(kind.get(&4, &[8, 1, 1, 1]), Some("four"));
    }
}

tokio::task_local! {
    /// The database's change counts that the cached reads of this request were checked
    /// against; taken at the request's first cached read.
    static READ_VIEW: std::cell::RefCell<Option<Vec<i64>>>;
}

/// Runs a request that only reads (GET) against one view of the database: a store that
/// caches reads asks the database whether anything changed once, at the first cached read,
/// and the rest of the request reads as of then. Requests that write must not use this,
/// so that they read back their own writes.
pub(crate) async fn in_one_view<F: std::future::Future>(request: F) -> F::Output {
    READ_VIEW
        .scope(std::cell::RefCell::new(None), request)
        .await
}

/// The change counts this request already read, when it runs in one view.
fn request_view() -> Option<Vec<i64>> {
    READ_VIEW.try_with(|v| v.borrow().clone()).ok().flatten()
}

/// Keeps the change counts just read for the rest of this request (when it runs in one view).
fn keep_request_view(counts: &[i64]) {
    let _ = READ_VIEW.try_with(|v| *v.borrow_mut() = Some(counts.to_vec()));
}

#[cfg(test)]
mod view_tests {
    use super::*;

    #[tokio::test]
    async fn a_view_lasts_one_request() {
        keep_request_view(&[1, 2]);
        assert_eq!(request_view(), None, "outside a request nothing is kept");
        let seen = in_one_view(async {
            assert_eq!(request_view(), None);
            keep_request_view(&[3, 4]);
            request_view()
        })
        .await;
        assert_eq!(seen, Some(vec![3, 4]));
        assert_eq!(in_one_view(async { request_view() }).await, None);
    }
}
