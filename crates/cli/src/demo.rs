//! `trellis demo`: a realistic organisation, served at once or exported as CSV.

use crate::config::{Config, Overrides};
use anyhow::{Context, Result, anyhow};
use clap::Args;
use std::path::PathBuf;
use std::sync::Arc;
use trellis_core::demo::{demo_levels, generate};
use trellis_core::org::export::write_people_csv;
use trellis_core::org::import::{ImportOptions, OrgSnapshot, plan_import};
use trellis_core::settings::Settings;
use trellis_core::store::prelude::*;

#[derive(Args, Debug)]
pub struct DemoArgs {
    /// How many people.
    #[arg(long, default_value_t = 250)]
    people: usize,
    /// Seed: the same seed builds the same organisation.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: String,
    /// Database URL (default: a fresh SQLite file in a temporary folder).
    #[arg(long)]
    database: Option<String>,
    /// Password of every demo account (random and printed when omitted).
    #[arg(long)]
    password: Option<String>,
    /// Write the people as an import-ready CSV to this file instead of serving.
    #[arg(long)]
    export: Option<PathBuf>,
    /// Build the demo into --database and exit instead of serving (for benchmarks).
    #[arg(long, requires = "database")]
    no_serve: bool,
}

pub async fn run(args: DemoArgs) -> Result<()> {
    if args.people < 20 {
        anyhow::bail!("--people must be at least 20 for a believable organisation");
    }
    let org = generate(args.people, args.seed);
    if let Some(path) = &args.export {
        let snapshot = org.as_snapshot();
        let out = std::fs::File::create(path)
            .with_context(|| format!("cannot create {}", path.display()))?;
        write_people_csv(&snapshot, std::io::BufWriter::new(out))?;
        eprintln!("Wrote {} people to {}.", org.people.len(), path.display());
        return Ok(());
    }
    let temp_dir;
    let database = match args.database {
        Some(d) => d,
        None => {
            let base = std::env::temp_dir().join(format!("trellis-demo-{}", std::process::id()));
            std::fs::create_dir_all(&base)?;
            temp_dir = base;
            format!("sqlite://{}", temp_dir.join("demo.db").display())
        }
    };
    let mut config = Config::load(
        None,
        &Overrides {
            database: Some(database),
            listen: Some(args.listen),
            ..Default::default()
        },
    )?;
    let store = crate::open(&config, true).await?;
    let counts = store.counts().await.map_err(|e| anyhow!("{e}"))?;
    if counts.people > 0 {
        anyhow::bail!(
            "the database {} already holds {} people; the demo needs an empty database",
            trellis_store::redact_url(&config.database),
            counts.people
        );
    }
    let mut work = store
        .begin_settings_write()
        .await
        .map_err(|e| anyhow!("{e}"))?;
    work.save_settings(&Settings {
        organisation_name: org.organisation_name.clone(),
        ..Settings::default()
    })
    .await
    .map_err(|e| anyhow!("{e}"))?;
    work.commit().await.map_err(|e| anyhow!("{e}"))?;
    for level in demo_levels() {
        store
            .upsert_level(&level)
            .await
            .map_err(|e| anyhow!("{e}"))?;
    }
    let plan = plan_import(
        org.as_import(),
        &OrgSnapshot::default(),
        ImportOptions::default(),
    );
    if !plan.is_valid() {
        return Err(anyhow!(
            "the demo organisation is not valid: {:?}",
            plan.errors.first()
        ));
    }
    store
        .apply_import(
            &plan,
            &trellis_core::org::imports::import_record(
                &plan,
                None,
                "the demo organisation",
                crate::chrono_now(),
            ),
        )
        .await
        .map_err(|e| anyhow!("{e}"))?;
    let commitments = load_capabilities(&store, &org, &mut config, args.seed).await?;
    let password = match args.password {
        Some(p) => p,
        None => trellis_core::auth::random_token().map_err(|e| anyhow!("{e}"))?[..16].to_string(),
    };
    let mut lines = Vec::new();
    for (role, index) in [
        ("admin", org.admin),
        ("manager", org.manager),
        ("member", org.member),
    ] {
        let email = &org.people[index].record.email;
        crate::create_user(&store, email, None, role == "admin", &password).await?;
        lines.push(format!(
            "account role={role} email={email} password={password}"
        ));
    }
    let banner = format!(
        "Demo organisation {:?}: {} people, {} commitments.\n{}",
        org.organisation_name,
        org.people.len(),
        commitments,
        lines.join("\n")
    );
    if args.no_serve {
        println!("{banner}");
        return Ok(());
    }
    crate::serve(Arc::new(store), &config, Some(banner)).await
}

/// Every capability's demo data, in order, on the organisation just imported; gives the
/// commitments written. The demo's `secret_key` is fixed here so the 360 pseudonyms it
/// writes match the server's.
async fn load_capabilities(
    store: &trellis_store::SqlStore,
    org: &trellis_core::demo::DemoOrg,
    config: &mut Config,
    seed: u64,
) -> Result<usize> {
    let commitments = trellis_core::work::demo::load(store, org, crate::chrono_now(), seed)
        .await
        .map_err(|e| anyhow!("{e}"))?;
    trellis_core::growth::demo::load(store, org, crate::chrono_now())
        .await
        .map_err(|e| anyhow!("{e}"))?;
    trellis_core::mentoring::demo::load(store, org, crate::chrono_now())
        .await
        .map_err(|e| anyhow!("{e}"))?;
    trellis_core::conversations::demo::load(store, org, crate::chrono_now())
        .await
        .map_err(|e| anyhow!("{e}"))?;
    trellis_core::reviews::demo::load(store, crate::chrono_now())
        .await
        .map_err(|e| anyhow!("{e}"))?;
    // One key for this run, so the demo's 360 pseudonyms match the server's.
    let key_hex = config
        .secret_key
        .clone()
        .unwrap_or_else(trellis_core::conversations::sealed::NoteKey::generate_hex);
    config.secret_key = Some(key_hex.clone());
    let key = trellis_core::conversations::sealed::NoteKey::from_hex(&key_hex)
        .map_err(|e| anyhow!("{e}"))?;
    let demo_manager = store
        .person_id_by_email(&org.people[org.manager].record.email)
        .await
        .map_err(|e| anyhow!("{e}"))?
        .ok_or_else(|| anyhow!("the demo manager is missing"))?;
    trellis_core::assessments::demo::load(store, &key, demo_manager, crate::chrono_now())
        .await
        .map_err(|e| anyhow!("{e}"))?;
    trellis_core::influence::demo::load(store, org, crate::chrono_now())
        .await
        .map_err(|e| anyhow!("{e}"))?;
    trellis_core::connect::demo::load(store, org, crate::chrono_now())
        .await
        .map_err(|e| anyhow!("{e}"))?;
    trellis_core::development::demo::load(store, org, crate::chrono_now())
        .await
        .map_err(|e| anyhow!("{e}"))?;
    trellis_core::decisions::demo::load(store, org, crate::chrono_now())
        .await
        .map_err(|e| anyhow!("{e}"))?;
    trellis_core::succession::demo::load(store, org, crate::chrono_now())
        .await
        .map_err(|e| anyhow!("{e}"))?;
    trellis_core::transitions::demo::load(store, org, crate::chrono_now())
        .await
        .map_err(|e| anyhow!("{e}"))?;
    // Last: the scorecards' past months are computed from everything above.
    trellis_core::scorecards::history::load_demo(store, crate::chrono_now())
        .await
        .map_err(|e| anyhow!("{e}"))?;
    // And today's, as the worker would record them at start: scorecards and dashboards
    // compare with them from the first page.
    trellis_core::scorecards::history::record_if_stale(store, crate::chrono_now())
        .await
        .map_err(|e| anyhow!("{e}"))?;
    Ok(commitments)
}
