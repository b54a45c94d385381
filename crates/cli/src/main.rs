//! `trellis`: serve, demo, migrate, import, export, user and token management.

mod backups;
mod config;
mod connect;
mod demo;
mod imports;
mod maintenance;
mod report;
mod serve;

pub(crate) use serve::serve;

// Import and export allocate millions of small strings; glibc's allocator spends a fifth
// of a 100,000-person import on them, mimalloc a fraction of that.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay` (the enum keeps its numbering across versions; the
/// Rust bindings name the options either side of it, 14 and 16, but not this one).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Freed pages go back to the system at once instead of after 10 ms: an import frees and
/// allocates hundreds of megabytes in phases, and with the delay the phases' peaks add up.
/// Measured no slower on the import benchmark.
fn purge_freed_memory_at_once() {
    // SAFETY: sets an allocator option; no pointers, valid at any time.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0) }
}

/// Hands mimalloc's freed pages back to the system at once (it keeps them for a while).
fn give_memory_back() {
    // SAFETY: mi_collect takes no pointers and may be called from any thread at any time.
    unsafe { libmimalloc_sys::mi_collect(true) }
}

use anyhow::{Context, Result, anyhow, bail};
use clap::{Args, Parser, Subcommand};
use config::{Config, Overrides};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use trellis_core::auth::{check_password_strength, hash_password, random_token, token_digest};
use trellis_core::org::export::write_people_csv;
use trellis_core::org::import::{ImportOptions, Located, MassLeave, parse_people_csv, plan_import};
use trellis_core::org::people::PersonFields;
use trellis_core::store::prelude::*;
use trellis_store::{SqlStore, StoreOptions};

#[derive(Parser)]
#[command(
    name = "trellis",
    version,
    about = "Trellis: the people platform for management and leadership"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Where the database is; shared by every command.
#[derive(Args, Clone, Debug)]
pub(crate) struct DatabaseArgs {
    /// sqlite://PATH or postgres://USER:PASSWORD@HOST:PORT/DB
    #[arg(long, env = "TRELLIS_DATABASE")]
    database: Option<String>,
    /// A TOML configuration file.
    #[arg(long, env = "TRELLIS_CONFIG")]
    config: Option<PathBuf>,
}

impl DatabaseArgs {
    fn config(&self) -> Result<Config> {
        self.config_with_mail(MailArgs::default())
    }

    /// The configuration with the mail settings given on the command line.
    fn config_with_mail(&self, mail: MailArgs) -> Result<Config> {
        Config::load(
            self.config.as_deref(),
            &Overrides {
                database: self.database.clone(),
                smtp_url: mail.smtp_url,
                mail_from: mail.mail_from,
                public_url: mail.public_url,
                ..Default::default()
            },
        )
    }
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web UI and the API.
    Serve {
        #[command(flatten)]
        db: DatabaseArgs,
        /// Address to listen on.
        #[arg(long, env = "TRELLIS_LISTEN")]
        listen: Option<String>,
        /// Mark cookies Secure (set when Trellis is reached over HTTPS).
        #[arg(long, env = "TRELLIS_SECURE_COOKIES")]
        secure_cookies: Option<bool>,
        /// Database connections per instance.
        #[arg(long, env = "TRELLIS_MAX_CONNECTIONS")]
        max_connections: Option<u32>,
        /// Reverse proxies whose X-Forwarded-For header is believed (comma-separated IPs).
        #[arg(long, env = "TRELLIS_TRUSTED_PROXIES")]
        trusted_proxies: Option<String>,
        /// Largest CSV upload through the web, in MB (default 64).
        #[arg(long, env = "TRELLIS_MAX_UPLOAD_MB")]
        max_upload_mb: Option<u32>,
        #[command(flatten)]
        mail: MailArgs,
        #[command(flatten)]
        sso: SsoArgs,
        #[command(flatten)]
        backups: Box<backups::BackupArgs>,
    },
    /// Build a realistic demo organisation and serve it.
    Demo(demo::DemoArgs),
    /// Create the database or bring it up to date.
    Migrate {
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// Import data.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Export data.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Manage sign-in accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage personal API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Delivery reliability and workload reports.
    #[command(subcommand)]
    Report(ReportCommand),
    /// Connection rounds: everyone meets everyone else over time.
    #[command(subcommand)]
    Connect(ConnectCommand),
    /// Copy a whole installation to another database (for example SQLite to PostgreSQL).
    Copy {
        /// The database to copy from.
        #[arg(long)]
        from: String,
        /// The database to copy into; it must be empty unless --force is given.
        #[arg(long)]
        to: String,
        /// Replace whatever the target database holds.
        #[arg(long)]
        force: bool,
    },
    /// Writes a snapshot of the whole installation into one file while Trellis keeps
    /// running: a SQLite database behind a header with its migration level, rows per
    /// table and checksum. Restores into SQLite or PostgreSQL.
    Backup {
        /// The file to write (replaced when it exists; only its owner may read it).
        file: PathBuf,
        /// Seal the backup with a passphrase (from TRELLIS_BACKUP_PASSPHRASE, or asked
        /// twice): it cannot be restored without it.
        #[arg(long)]
        encrypt: bool,
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// Loads a backup into a database of either kind, after checking the file whole. An
    /// encrypted backup asks for its passphrase (or reads TRELLIS_BACKUP_PASSPHRASE).
    Restore {
        /// A file written by `trellis backup`.
        file: PathBuf,
        /// The database to load it into: sqlite://PATH or postgres://USER:PASSWORD@HOST/DB.
        /// It must be empty unless --force is given.
        #[arg(long)]
        to: String,
        /// Replace whatever the target database holds.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Subcommand)]
enum ConnectCommand {
    /// What the next rounds would do, without saving them: per round the groups, new
    /// pairs, repeats and the coverage after it (pairs met ÷ allowed pairs).
    Preview(connect::PreviewArgs),
}

#[derive(Subcommand)]
enum ReportCommand {
    /// Commitments delivered by their agreed date, per person and in total.
    Delivery(report::ReportArgs),
    /// Open work against capacity, most loaded first.
    Workload(report::ReportArgs),
    /// Influence outside the line, everyone who sought a person's advice, reach (PageRank
    /// of the advice graph) and brokerage (betweenness of the interaction graph).
    Influence(report::ReportArgs),
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Import people from an HRIS CSV export.
    People {
        file: PathBuf,
        /// Check the file and show what would change, without writing.
        #[arg(long)]
        dry_run: bool,
        /// Mark active people who are not in the file as having left.
        #[arg(long)]
        deactivate_missing: bool,
        /// Go ahead when more than a quarter of the active people would be marked as left.
        #[arg(long, requires = "deactivate_missing")]
        allow_mass_leave: bool,
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// Add or update career-ladder levels from CSV: Code, Name, Rank (0–1000, higher is
    /// more senior), Expectations. Levels the file does not name are kept.
    Levels {
        file: PathBuf,
        /// Check the file and say what would change, without writing.
        #[arg(long)]
        dry_run: bool,
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// Add interactions from CSV (metadata exported from chat or mail systems): From, To
    /// (e-mail or employee id), Date (YYYY-MM-DD), Kind (advice: From sought To's advice;
    /// meeting, message or work). All rows or none; re-importing adds nothing.
    Interactions {
        file: PathBuf,
        /// Check the file and say what would be added, without writing.
        #[arg(long)]
        dry_run: bool,
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// Add external specialists to the talent pool from CSV: Name, Email, Skills
    /// (rust:4; sql:3), Hourly Rate, Hours Per Week, Available From (YYYY-MM-DD), Note.
    Talent {
        file: PathBuf,
        /// Check the file without writing.
        #[arg(long)]
        dry_run: bool,
        #[command(flatten)]
        db: DatabaseArgs,
    },
}

#[derive(Subcommand)]
enum ExportCommand {
    /// Export people as CSV in the import format (`-` for standard output).
    People {
        file: PathBuf,
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// Export every shared 360's figures as CSV, as the reports show them (`-` for
    /// standard output): groups below the anonymity threshold absent, no raw answers.
    #[command(alias = "360")]
    Assessments {
        file: PathBuf,
        #[command(flatten)]
        db: DatabaseArgs,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a sign-in account (and the person, when they are not in Trellis yet).
    Create {
        #[arg(long)]
        email: String,
        /// Full name; needed when the person does not exist yet.
        #[arg(long)]
        name: Option<String>,
        /// Make the account a people admin.
        #[arg(long)]
        admin: bool,
        /// The password; prompted for when omitted.
        #[arg(long, env = "TRELLIS_PASSWORD", hide_env_values = true)]
        password: Option<String>,
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// Invite people by e-mail to choose a password (the running Trellis sends the mail).
    Invite {
        /// One person's e-mail (give it again for more people).
        #[arg(long, required_unless_present = "all_without_account")]
        email: Vec<String>,
        /// Everyone active who cannot sign in yet.
        #[arg(long, conflicts_with = "email")]
        all_without_account: bool,
        #[command(flatten)]
        mail: MailArgs,
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// Print a one-time link (valid one hour) to choose a new password: works even when
    /// mail or single sign-on does not.
    ResetPassword {
        #[arg(long)]
        email: String,
        #[command(flatten)]
        mail: MailArgs,
        #[command(flatten)]
        db: DatabaseArgs,
    },
}

/// Where mail goes and where its links point.
#[derive(Args, Default)]
pub(crate) struct MailArgs {
    /// smtp://USER:PASSWORD@HOST:PORT (add ?tls=required for STARTTLS) or smtps://…
    #[arg(long, env = "TRELLIS_SMTP_URL", hide_env_values = true)]
    smtp_url: Option<String>,
    /// The sender, such as "Trellis <people@example.org>".
    #[arg(long, env = "TRELLIS_MAIL_FROM")]
    mail_from: Option<String>,
    /// The address people open Trellis at, such as https://people.example.org.
    #[arg(long, env = "TRELLIS_PUBLIC_URL")]
    public_url: Option<String>,
}

/// Single sign-on with an OpenID provider.
#[derive(Args, Default)]
pub(crate) struct SsoArgs {
    /// The provider's issuer URL, such as https://login.example.org (turns single sign-on on).
    #[arg(long, env = "TRELLIS_OIDC_ISSUER")]
    oidc_issuer: Option<String>,
    /// The client id the provider gave Trellis.
    #[arg(long, env = "TRELLIS_OIDC_CLIENT_ID")]
    oidc_client_id: Option<String>,
    /// The client secret (prefer the environment or the file to a flag).
    #[arg(long, env = "TRELLIS_OIDC_CLIENT_SECRET", hide_env_values = true)]
    oidc_client_secret: Option<String>,
    /// What the button says after "Sign in with" (default: the issuer's host).
    #[arg(long, env = "TRELLIS_OIDC_NAME")]
    oidc_name: Option<String>,
    /// E-mail domains the provider is trusted to have verified, comma-separated (Entra ID
    /// sends no email_verified claim).
    #[arg(long, env = "TRELLIS_OIDC_TRUSTED_DOMAINS")]
    oidc_trusted_domains: Option<String>,
    /// Let people sign in with a Trellis password (default true; false: single sign-on only).
    #[arg(long, env = "TRELLIS_LOCAL_PASSWORDS")]
    local_passwords: Option<bool>,
    /// The key that seals private 1:1 notes, 64 hexadecimal digits (generated into the
    /// configuration file when missing).
    #[arg(long, env = "TRELLIS_SECRET_KEY", hide_env_values = true)]
    secret_key: Option<String>,
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create a personal API token for an account (`--email`), or a provisioning token for an
    /// identity provider (`--scim`), and print it (it is shown only once).
    Create {
        /// The account whose personal API token this is.
        #[arg(long, required_unless_present = "scim", conflicts_with = "scim")]
        email: Option<String>,
        /// A SCIM provisioning token: it acts as the identity provider and reaches only
        /// /scim/v2 (see Admin → Provisioning).
        #[arg(long)]
        scim: bool,
        /// What the token is for (for a SCIM token, the identity provider's name).
        #[arg(long, default_value = "cli")]
        name: String,
        /// Days a SCIM token is valid (default: until revoked).
        #[arg(long, requires = "scim")]
        valid_days: Option<i64>,
        #[command(flatten)]
        db: DatabaseArgs,
    },
}

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("TRELLIS_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,trellis=info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    // Only for the commands that load a whole organisation: elsewhere, and in the server,
    // pages handed back at once are faulted in (and zeroed) again by the next read.
    if matches!(
        cli.command,
        Command::Import(_)
            | Command::Demo(_)
            | Command::Copy { .. }
            | Command::Backup { .. }
            | Command::Restore { .. }
    ) {
        purge_freed_memory_at_once();
    }
    trellis_web::set_memory_release(give_memory_back);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

pub(crate) async fn open(config: &Config, migrate: bool) -> Result<SqlStore> {
    let mut options = StoreOptions::new(config.database.clone());
    options.max_connections = config.max_connections;
    options.migrate = migrate;
    SqlStore::connect(&options)
        .await
        .map_err(|e| anyhow!("{e}"))
}

async fn run(cli: Cli) -> Result<std::process::ExitCode> {
    use std::process::ExitCode;
    match cli.command {
        Command::Serve {
            db,
            listen,
            secure_cookies,
            max_connections,
            trusted_proxies,
            max_upload_mb,
            mail,
            sso,
            backups,
        } => {
            let config = Config::load(
                db.config.as_deref(),
                &Overrides {
                    database: db.database,
                    listen,
                    secure_cookies,
                    max_connections,
                    trusted_proxies: trusted_proxies.map(|t| vec![t]),
                    max_upload_mb,
                    smtp_url: mail.smtp_url,
                    mail_from: mail.mail_from,
                    public_url: mail.public_url,
                    oidc_issuer: sso.oidc_issuer,
                    oidc_client_id: sso.oidc_client_id,
                    oidc_client_secret: sso.oidc_client_secret,
                    oidc_name: sso.oidc_name,
                    oidc_trusted_domains: sso.oidc_trusted_domains.map(|d| vec![d]),
                    local_passwords: sso.local_passwords,
                    secret_key: sso.secret_key,
                    backup_dir: backups.backup_dir,
                    backup_every: backups.backup_every,
                    backup_keep: backups.backup_keep,
                },
            )?;
            let mut config = config;
            config::ensure_secret_key(&mut config, db.config.as_deref())?;
            let store = open(&config, true).await?;
            serve(Arc::new(store), &config, None).await?;
        }
        Command::Demo(args) => demo::run(args).await?,
        Command::Migrate { db } => maintenance::migrate(db).await?,
        Command::Import(ImportCommand::People {
            file,
            dry_run,
            deactivate_missing,
            allow_mass_leave,
            db,
        }) => {
            let config = db.config()?;
            let store = open(&config, true).await?;
            let options = ImportOptions {
                deactivate_missing,
                mass_leave: if allow_mass_leave {
                    MassLeave::Allow
                } else {
                    MassLeave::Refuse
                },
                importer: None,
            };
            let ok = import_people(&store, &file, dry_run, options).await?;
            if !ok {
                return Ok(ExitCode::FAILURE);
            }
        }
        Command::Import(ImportCommand::Levels { file, dry_run, db }) => {
            let config = db.config()?;
            let store = open(&config, true).await?;
            if !imports::import_levels(&store, &file, dry_run).await? {
                return Ok(ExitCode::FAILURE);
            }
        }
        Command::Import(ImportCommand::Interactions { file, dry_run, db }) => {
            let config = db.config()?;
            let store = open(&config, true).await?;
            if !imports::import_interactions(&store, &file, dry_run).await? {
                return Ok(ExitCode::FAILURE);
            }
        }
        Command::Import(ImportCommand::Talent { file, dry_run, db }) => {
            let config = db.config()?;
            let store = open(&config, true).await?;
            if !imports::import_talent(&store, &file, dry_run).await? {
                return Ok(ExitCode::FAILURE);
            }
        }
        Command::Export(ExportCommand::People { file, db }) => {
            maintenance::export_people(file, db).await?
        }
        Command::Export(ExportCommand::Assessments { file, db }) => {
            maintenance::export_assessments(file, db).await?
        }
        Command::User(UserCommand::Create {
            email,
            name,
            admin,
            password,
            db,
        }) => maintenance::user_create(email, name, admin, password, db).await?,
        Command::User(UserCommand::Invite {
            email,
            all_without_account,
            mail,
            db,
        }) => maintenance::user_invite(email, all_without_account, mail, db).await?,
        Command::User(UserCommand::ResetPassword { email, mail, db }) => {
            maintenance::user_reset_password(email, mail, db).await?
        }
        Command::Connect(ConnectCommand::Preview(args)) => connect::run_preview(args).await?,
        Command::Report(ReportCommand::Influence(args)) => report::run_influence(args).await?,
        Command::Report(ReportCommand::Delivery(args)) => {
            report::run(report::Kind::Delivery, args).await?
        }
        Command::Report(ReportCommand::Workload(args)) => {
            report::run(report::Kind::Workload, args).await?
        }
        Command::Copy { from, to, force } => maintenance::copy(from, to, force).await?,
        Command::Backup { file, encrypt, db } => maintenance::backup(file, encrypt, db).await?,
        Command::Restore { file, to, force } => maintenance::restore(file, to, force).await?,
        Command::Token(TokenCommand::Create {
            email,
            scim,
            name,
            valid_days,
            db,
        }) => match (scim, email) {
            (true, _) => maintenance::scim_token_create(name, valid_days, db).await?,
            (false, Some(email)) => maintenance::token_create(email, name, db).await?,
            (false, None) => unreachable!("clap requires --email without --scim"),
        },
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn chrono_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn prompt_password() -> Result<String> {
    let first = rpassword::prompt_password("Password: ").context("cannot read the password")?;
    let second =
        rpassword::prompt_password("Password again: ").context("cannot read the password")?;
    if first != second {
        bail!("the two passwords differ");
    }
    Ok(first)
}

/// Creates the person when missing, then their account.
pub(crate) async fn create_user(
    store: &SqlStore,
    email: &str,
    name: Option<&str>,
    admin: bool,
    password: &str,
) -> Result<()> {
    let email = email.trim().to_lowercase();
    let person = match store
        .person_id_by_email(&email)
        .await
        .map_err(|e| anyhow!("{e}"))?
    {
        Some(id) => id,
        None => {
            let name = name.ok_or_else(|| {
                anyhow!(
                    "{email} is not in Trellis yet: give --name to add them, or import people first"
                )
            })?;
            if !trellis_core::org::csv_format::is_plausible_email(&email) {
                bail!("{email:?} is not an e-mail address");
            }
            let fields = PersonFields {
                employee_id: None,
                name: name.trim().to_string(),
                preferred_name: None,
                email: email.clone(),
                title: None,
                level_id: None,
                team_id: None,
                manager_id: None,
                location: None,
                time_zone: None,
                start_date: None,
                status: Default::default(),
            };
            store
                .create_person(&fields)
                .await
                .map_err(|e| anyhow!("{e}"))?
        }
    };
    let hash = hash_password(password).map_err(|e| anyhow!("{e}"))?;
    store
        .create_account(person, &hash, admin)
        .await
        .map_err(|e| anyhow!("{email}: {e}"))?;
    Ok(())
}

fn read_with_progress(path: &Path) -> Result<Vec<u8>> {
    let mut file =
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    if size as usize > trellis_core::org::import::MAX_IMPORT_BYTES {
        bail!(
            "{}: the file is {} MB; Trellis imports files of up to {} MB — split it into several files",
            path.display(),
            size / (1024 * 1024),
            trellis_core::org::import::MAX_IMPORT_BYTES / (1024 * 1024)
        );
    }
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(size),
        indicatif::ProgressDrawTarget::stderr(),
    );
    // Only large files on a terminal get a bar; pipes and CI logs stay clean.
    if size < 4 * 1024 * 1024 {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg} [{bar:30}] {bytes}/{total_bytes}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar.set_message("Reading");
    let mut content = Vec::with_capacity(size as usize);
    let mut chunk = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut chunk)?;
        if n == 0 {
            break;
        }
        content.extend_from_slice(&chunk[..n]);
        bar.inc(n as u64);
    }
    bar.finish_and_clear();
    Ok(content)
}

/// Imports a file; prints every error as FILE:LINE: column: message. Returns false on errors.
pub(crate) async fn import_people(
    store: &SqlStore,
    file: &Path,
    dry_run: bool,
    options: ImportOptions,
) -> Result<bool> {
    let started = std::time::Instant::now();
    let content = read_with_progress(file)?;
    tracing::debug!(ms = started.elapsed().as_millis() as u64, "read");
    let spinner = indicatif::ProgressBar::new_spinner();
    if content.len() < 4 * 1024 * 1024 {
        spinner.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    spinner.enable_steady_tick(std::time::Duration::from_millis(120));
    spinner.set_message("Checking rows");
    let parsed = parse_people_csv(&content);
    drop(content);
    // The allocator would keep the file's memory for the rest of the import.
    give_memory_back();
    tracing::debug!(ms = started.elapsed().as_millis() as u64, "parsed");
    let snapshot = if parsed.refused_outright() {
        trellis_core::org::import::OrgSnapshot::default()
    } else {
        store.org_snapshot().await.map_err(|e| anyhow!("{e}"))?
    };
    tracing::debug!(ms = started.elapsed().as_millis() as u64, "snapshot loaded");
    let plan = plan_import(parsed, &snapshot, options);
    drop(snapshot);
    give_memory_back();
    tracing::debug!(ms = started.elapsed().as_millis() as u64, "planned");
    let name = file.display().to_string();
    if !plan.is_valid() {
        spinner.finish_and_clear();
        for issue in &plan.errors {
            eprintln!("{}", Located { file: &name, issue });
        }
        if plan.is_mass_leave() {
            print_leavers(&plan);
            eprintln!("Add --allow-mass-leave to mark them as left.");
        }
        if plan.errors_not_shown > 0 {
            eprintln!("… and {} more errors", plan.errors_not_shown);
        }
        eprintln!(
            "{} errors; nothing was written.",
            plan.errors.len() + plan.errors_not_shown
        );
        return Ok(false);
    }
    for w in &plan.warnings {
        eprintln!(
            "warning: {}",
            Located {
                file: &name,
                issue: w
            }
        );
    }
    if !plan.ignored_columns.is_empty() {
        eprintln!("Ignored columns: {}", plan.ignored_columns.join(", "));
    }
    if !plan.deactivations.is_empty() {
        print_leavers(&plan);
    }
    let verb = if dry_run { "Would add" } else { "Added" };
    if !dry_run {
        spinner.set_message(format!(
            "Writing {} people",
            plan.creates.len() + plan.updates.len()
        ));
        let now = chrono_now();
        let mut record = trellis_core::org::imports::import_record(&plan, None, &name, now);
        let admins = store.people_admins().await.map_err(|e| anyhow!("{e}"))?;
        record.notices =
            trellis_core::org::imports::import_notices(&plan, &admins, None, &name, now);
        store
            .apply_import(&plan, &record)
            .await
            .map_err(|e| anyhow!("{e}"))?;
        tracing::debug!(ms = started.elapsed().as_millis() as u64, "written");
    }
    spinner.finish_and_clear();
    println!(
        "{verb} {}, {} {}, {} unchanged, {} {} as left.{}",
        plan.creates.len(),
        if dry_run { "would update" } else { "updated" },
        plan.updates.len(),
        plan.unchanged,
        if dry_run { "would mark" } else { "marked" },
        plan.deactivations.len(),
        if dry_run {
            " Nothing was written (dry run)."
        } else {
            ""
        }
    );
    Ok(true)
}

/// Names who would be marked as left (the first 50).
fn print_leavers(plan: &trellis_core::org::import::ImportPlan) {
    eprintln!("To mark as left:");
    for d in plan.deactivations.iter().take(50) {
        eprintln!("  {} <{}>", d.name, d.email);
    }
    if plan.deactivations.len() > 50 {
        eprintln!("  … and {} more", plan.deactivations.len() - 50);
    }
}
