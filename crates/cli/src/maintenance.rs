//! The commands that look after an installation: migrate, export, accounts, tokens,
//! copying a database, backups and restores.

use crate::*;
use trellis_core::auth::links;

/// `trellis migrate`.
pub(crate) async fn migrate(db: DatabaseArgs) -> Result<()> {
    let config = db.config()?;
    let store = open(&config, false).await?;
    let applied = store.migrate().await.map_err(|e| anyhow!("{e}"))?;
    let status = store.migration_status().await.map_err(|e| anyhow!("{e}"))?;
    if applied.is_empty() {
        println!("The database is up to date (migration {}).", status.current);
    } else {
        println!(
            "Applied migrations {:?}; the database is at migration {}.",
            applied, status.current
        );
    }
    Ok(())
}

/// `trellis export assessments` (or `360`).
pub(crate) async fn export_assessments(file: std::path::PathBuf, db: DatabaseArgs) -> Result<()> {
    let config = db.config()?;
    let store = open(&config, true).await?;
    let operator = trellis_core::access::Viewer::operator();
    let write = |out: Box<dyn std::io::Write>| {
        let store = &store;
        let operator = &operator;
        async move {
            trellis_core::assessments::export::write_csv(store, operator, out)
                .await
                .map_err(|e| anyhow!("{e}"))
        }
    };
    let n = if file.as_os_str() == "-" {
        write(Box::new(std::io::stdout().lock())).await?
    } else {
        let out = std::fs::File::create(&file)
            .with_context(|| format!("cannot create {}", file.display()))?;
        write(Box::new(std::io::BufWriter::new(out))).await?
    };
    eprintln!(
        "Exported the figures of {n} shared 360 report{}.",
        if n == 1 { "" } else { "s" }
    );
    Ok(())
}

/// `trellis export people`.
pub(crate) async fn export_people(file: std::path::PathBuf, db: DatabaseArgs) -> Result<()> {
    let config = db.config()?;
    let store = open(&config, true).await?;
    let snapshot = store.org_snapshot().await.map_err(|e| anyhow!("{e}"))?;
    if file.as_os_str() == "-" {
        write_people_csv(&snapshot, std::io::stdout().lock())?;
    } else {
        let out = std::fs::File::create(&file)
            .with_context(|| format!("cannot create {}", file.display()))?;
        write_people_csv(&snapshot, std::io::BufWriter::new(out))?;
        eprintln!(
            "Exported {} people to {}.",
            snapshot.people.len(),
            file.display()
        );
    }
    Ok(())
}

/// `trellis user create`.
pub(crate) async fn user_create(
    email: String,
    name: Option<String>,
    admin: bool,
    password: Option<String>,
    db: DatabaseArgs,
) -> Result<()> {
    let config = db.config()?;
    let store = open(&config, true).await?;
    let password = match password {
        Some(p) => p,
        None => prompt_password()?,
    };
    check_password_strength(&password).map_err(|e| anyhow!("{e}"))?;
    create_user(&store, &email, name.as_deref(), admin, &password).await?;
    println!(
        "Created {} for {email}.",
        if admin {
            "an admin account"
        } else {
            "an account"
        }
    );
    Ok(())
}

/// `trellis copy`: every table from one database to another, checked by row counts.
pub(crate) async fn copy(from: String, to: String, force: bool) -> Result<()> {
    let source = open(
        &Config {
            database: from,
            ..Config::default()
        },
        false,
    )
    .await?;
    let status = source
        .migration_status()
        .await
        .map_err(|e| anyhow!("{e}"))?;
    if status.current < status.latest {
        bail!(
            "the source database is at migration {}; run `trellis migrate` on it first",
            status.current
        );
    }
    let target = open(
        &Config {
            database: to.clone(),
            ..Config::default()
        },
        true,
    )
    .await?;
    let report = trellis_store::copy_database(&source, &target, force)
        .await
        .map_err(|e| anyhow!("{e}"))?;
    for (table, rows) in &report.tables {
        println!("{table:>16}  {rows:>9} rows");
    }
    println!(
        "Copied to {}; every table has the same number of rows as the source.",
        trellis_store::redact_url(&to)
    );
    Ok(())
}

/// `trellis backup FILE`.
/// The backup passphrase: TRELLIS_BACKUP_PASSPHRASE, or asked on the terminal (twice when
/// it seals a new backup).
fn backup_passphrase(new: bool) -> Result<String> {
    if let Ok(p) = std::env::var("TRELLIS_BACKUP_PASSPHRASE") {
        if p.chars().count() < 12 && new {
            anyhow::bail!("TRELLIS_BACKUP_PASSPHRASE is shorter than 12 characters");
        }
        return Ok(p);
    }
    let first = rpassword::prompt_password("Backup passphrase: ").context(
        "cannot read the passphrase (set TRELLIS_BACKUP_PASSPHRASE when there is no terminal)",
    )?;
    if new {
        if first.chars().count() < 12 {
            anyhow::bail!("choose a passphrase of at least 12 characters");
        }
        let second = rpassword::prompt_password("Backup passphrase again: ")
            .context("cannot read the passphrase")?;
        if first != second {
            anyhow::bail!("the two passphrases differ");
        }
    }
    Ok(first)
}

pub(crate) async fn backup(file: PathBuf, encrypt: bool, db: DatabaseArgs) -> Result<()> {
    let passphrase = if encrypt {
        Some(backup_passphrase(true)?)
    } else {
        None
    };
    let config = db.config()?;
    let store = open(&config, false).await?;
    let started = std::time::Instant::now();
    let header = trellis_store::backup(&store, &file, passphrase.as_deref())
        .await
        .map_err(|e| anyhow!("{e}"))?;
    println!(
        "Backed up {} people and {} commitments ({} tables, migration {}) into {}: {:.1} MB in {:.1} s.",
        header.rows("people"),
        header.rows("commitments"),
        header.tables.len(),
        header.migration,
        file.display(),
        header.payload_bytes as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );
    if encrypt {
        println!(
            "It is encrypted: keep the passphrase safe, without it the backup cannot be restored."
        );
    }
    println!(
        "Keep the secret_key from the configuration apart from it: private notes inside stay sealed with it."
    );
    Ok(())
}

/// `trellis restore FILE --to URL`.
pub(crate) async fn restore(file: PathBuf, to: String, force: bool) -> Result<()> {
    // A file that is not a backup is refused before the target is even opened.
    let header = trellis_store::read_header(&file).map_err(|e| anyhow!("{e}"))?;
    let passphrase = match header.encryption {
        Some(_) => Some(backup_passphrase(false)?),
        None => None,
    };
    let target = open(
        &Config {
            database: to.clone(),
            ..Config::default()
        },
        true,
    )
    .await?;
    let started = std::time::Instant::now();
    let restored = trellis_store::restore(&file, &target, force, passphrase.as_deref())
        .await
        .map_err(|e| anyhow!("{e}"))?;
    println!(
        "Restored the backup taken {} from {} (migration {}) into {} in {:.1} s: {} people, {} commitments; \
         every table has the rows the backup recorded.",
        header.taken_at,
        header.source,
        header.migration,
        trellis_store::redact_url(&to),
        started.elapsed().as_secs_f64(),
        restored.copied.rows("people"),
        restored.copied.rows("commitments"),
    );
    Ok(())
}

/// `trellis token create`: prints a new API token for an account.
/// Queues invitations; the running Trellis's worker sends them.
pub(crate) async fn user_invite(
    emails: Vec<String>,
    all_without_account: bool,
    mail: crate::MailArgs,
    db: DatabaseArgs,
) -> Result<()> {
    let config = db.config_with_mail(mail)?;
    let store = open(&config, true).await?;
    let viewer = trellis_core::Viewer::operator();
    let site = config.site();
    let now = chrono_now();
    let invited = if all_without_account {
        links::invite_all_without_account(&store, &viewer, &site, now).await
    } else {
        let mut people = Vec::new();
        for email in &emails {
            let email = email.trim().to_lowercase();
            let id = store
                .person_id_by_email(&email)
                .await
                .map_err(|e| anyhow!("{e}"))?
                .ok_or_else(|| anyhow!("nobody has the e-mail {email}: import them first"))?;
            people.push(id);
        }
        links::invite(&store, &viewer, &people, &site, now).await
    }
    .map_err(|e| anyhow!("{e}"))?;
    println!(
        "Queued {} invitation{} (links to {}/welcome/…, valid 7 days).",
        invited.sent.len(),
        if invited.sent.len() == 1 { "" } else { "s" },
        site.public_url
    );
    for (person, why) in &invited.skipped {
        println!("  passed over person {person}: {why}");
    }
    if let Err(problem) = config.mailer() {
        println!(
            "Note: {problem}; the mail waits in the queue until a Trellis with mail set up runs."
        );
    }
    Ok(())
}

/// Prints a one-time link to choose a new password.
pub(crate) async fn user_reset_password(
    email: String,
    mail: crate::MailArgs,
    db: DatabaseArgs,
) -> Result<()> {
    let config = db.config_with_mail(mail)?;
    let store = open(&config, true).await?;
    let link = links::reset_link_for_operator(&store, &email, &config.site(), chrono_now())
        .await
        .map_err(|e| anyhow!("{e}"))?;
    println!("{link}");
    eprintln!("The link works once, for one hour: open it to choose a new password.");
    Ok(())
}

pub(crate) async fn token_create(email: String, name: String, db: DatabaseArgs) -> Result<()> {
    let config = db.config()?;
    let store = open(&config, true).await?;
    let account = store
        .account_by_email(&email)
        .await
        .map_err(|e| anyhow!("{e}"))?
        .ok_or_else(|| {
            anyhow!("there is no active account for {email}; create one with `trellis user create`")
        })?;
    let token = random_token().map_err(|e| anyhow!("{e}"))?;
    store
        .create_api_token(account.id, &name, &token_digest(&token), chrono_now())
        .await
        .map_err(|e| anyhow!("{e}"))?;
    println!("{token}");
    Ok(())
}

pub(crate) async fn scim_token_create(
    name: String,
    valid_days: Option<i64>,
    db: DatabaseArgs,
) -> Result<()> {
    let config = db.config()?;
    let store = open(&config, true).await?;
    let issued = trellis_core::provisioning::tokens::create(
        &store,
        &trellis_core::Viewer::operator(),
        &name,
        valid_days,
        chrono_now(),
    )
    .await
    .map_err(|e| anyhow!("{e}"))?;
    println!("{}", issued.secret);
    eprintln!(
        "Give the identity provider this token and the SCIM base URL (public_url + /scim/v2); it is shown only once. Revoke it under Admin → Provisioning."
    );
    Ok(())
}
