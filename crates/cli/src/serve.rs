//! `trellis serve`: the web server with its mail worker and single sign-on, until Ctrl-C
//! or SIGTERM.

use crate::config::Config;
use anyhow::{Context, Result};
use std::sync::Arc;
use trellis_store::SqlStore;

/// The key that seals private notes: the configured one; a key of this run only when none
/// is configured (the demo: its notes go with its temporary database).
fn note_key(config: &Config) -> Result<trellis_core::conversations::sealed::NoteKey> {
    use trellis_core::conversations::sealed::NoteKey;
    let hex = config
        .secret_key
        .clone()
        .unwrap_or_else(NoteKey::generate_hex);
    NoteKey::from_hex(&hex).map_err(anyhow::Error::msg)
}

type Worker = (
    tokio::sync::watch::Sender<bool>,
    Vec<tokio::task::JoinHandle<()>>,
);

/// Starts the background worker, taking scheduled backups too when a folder is set.
async fn start_worker<R: trellis_core::jobs::JobRunner + 'static>(
    store: &Arc<SqlStore>,
    schedule: Option<crate::backups::Schedule>,
    runner: R,
    options: trellis_mail::WorkerOptions,
) -> Result<Worker> {
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let tasks = match schedule {
        Some(schedule) => {
            let now = trellis_web::now();
            trellis_core::backups::start(store.as_ref(), now).await?;
            tracing::info!(
                "scheduled backups into {}, every {} minutes, keeping {}",
                schedule.dir.display(),
                schedule.every / 60,
                schedule.keep
            );
            let every = schedule.every;
            let taker = crate::backups::Taker {
                store: store.clone(),
                schedule,
                passphrase: std::env::var("TRELLIS_BACKUP_PASSPHRASE").ok(),
            };
            let runner =
                trellis_core::backups::Runner::new(store.clone(), Arc::new(taker), every, runner);
            trellis_mail::spawn_worker(Arc::new(runner), options, stopped)
        }
        None => trellis_mail::spawn_worker(Arc::new(runner), options, stopped),
    };
    Ok((stop, tasks))
}

/// Serves until Ctrl-C or SIGTERM. `ready` receives the bound address (for the demo).
pub(crate) async fn serve(
    store: Arc<SqlStore>,
    config: &Config,
    banner: Option<String>,
) -> Result<()> {
    let listener = tokio::net::TcpListener::bind(&config.listen)
        .await
        .with_context(|| {
            format!(
                "cannot listen on {} (is another program using it?)",
                config.listen
            )
        })?;
    let address = listener.local_addr()?;
    let sso = single_sign_on(config).await;
    let schedule = crate::backups::schedule(
        config.backup_dir.as_deref(),
        config.backup_every.as_deref(),
        config.backup_keep,
    )?;
    // Mail that cannot be sent is a warning, not a reason to stop: it queues until the
    // settings are fixed, and Admin → E-mail says why.
    let (mail_problem, worker) = match config.mailer() {
        Ok(mailer) => {
            if let Err(e) = mailer.check().await {
                tracing::warn!("the SMTP server does not answer yet ({e}); mail will be retried");
            }
            let runner = trellis_core::inbox::Runner {
                store: store.clone(),
                mailer: Arc::new(mailer),
                site: config.site(),
            };
            let options = trellis_mail::WorkerOptions::default();
            (
                None,
                Some(start_worker(&store, schedule, runner, options).await?),
            )
        }
        Err(problem) => {
            tracing::warn!("mail is not sent: {problem}");
            // Without mail, a worker still keeps the 1:1 series in step with the org.
            let runner = trellis_core::housekeeping::Runner {
                store: store.clone(),
            };
            let options = trellis_mail::WorkerOptions {
                senders: 1,
                ..trellis_mail::WorkerOptions::default()
            };
            (
                Some(problem),
                Some(start_worker(&store, schedule, runner, options).await?),
            )
        }
    };
    // Catch up on reporting lines changed while no server ran (`trellis import`), and start
    // the hourly 1:1 reminders unless another instance already has.
    {
        use trellis_core::conversations::{reminders::REMINDER_JOB, sync::SYNC_JOB};
        use trellis_core::jobs::JobStore;
        let now = trellis_web::now();
        store.schedule_job(SYNC_JOB, "", now).await?;
        if !store.has_pending_job(REMINDER_JOB).await? {
            store.schedule_job(REMINDER_JOB, "", now).await?;
        }
    }
    let state = trellis_web::AppState::new(
        store.clone(),
        trellis_web::WebConfig {
            secure_cookies: config.secure_cookies,
            trusted_proxies: config.trusted_proxies.clone(),
            max_upload_bytes: config.max_upload_mb as usize * 1024 * 1024,
            site: config.site(),
            mail_problem,
            // Without a working provider, passwords keep working: nobody is locked out.
            local_passwords: config.local_passwords || sso.provider.is_none(),
            sso: sso.provider,
            trusted_domains: sso.trusted_domains,
            sso_problem: sso.problem,
            note_key: note_key(config)?,
        },
    );
    let app = trellis_web::router(state);
    println!(
        "Trellis is running at http://{address}/ ({} database)",
        store.backend_kind().name()
    );
    if let Some(b) = banner {
        println!("{b}");
    }
    // The peer address is kept for sign-in throttling by client.
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
    .context("the server stopped")?;
    if let Some((stop, tasks)) = worker {
        // A mail being sent is finished; its job is settled before the pool closes.
        let _ = stop.send(true);
        for task in tasks {
            let _ = task.await;
        }
    }
    store.close().await;
    Ok(())
}

/// Single sign-on as Trellis starts with it.
#[derive(Default)]
struct SingleSignOn {
    provider: Option<Arc<trellis_sso::Provider>>,
    trusted_domains: trellis_core::auth::sso::TrustedDomains,
    /// Why it is off although it is configured.
    problem: Option<String>,
}

/// The OpenID provider, asked for its metadata once. Settings that cannot work are one
/// line, and Trellis serves with password sign-in; a provider that does not answer yet is
/// one warning line, and each sign-in asks it again.
async fn single_sign_on(config: &Config) -> SingleSignOn {
    let (provider, trusted_domains) = match config.sso_provider() {
        Ok(Some(found)) => found,
        Ok(None) => return SingleSignOn::default(),
        Err(problem) => {
            tracing::error!(
                "single sign-on is off: {problem}; people sign in with Trellis passwords until it is fixed"
            );
            return SingleSignOn {
                problem: Some(problem),
                ..Default::default()
            };
        }
    };
    match provider.discover().await {
        Ok(()) => tracing::info!(
            issuer = provider.issuer(),
            redirect_uri = provider.redirect_uri(),
            "single sign-on is on"
        ),
        Err(e) => tracing::warn!(
            "single sign-on: {e} (issuer {}); sign-in will ask it again",
            provider.issuer()
        ),
    }
    SingleSignOn {
        provider: Some(Arc::new(provider)),
        trusted_domains,
        problem: None,
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
}
