//! `trellis report delivery|workload|influence`: delivery reliability, workload or the
//! influence metrics for a person, a manager's tree, a team or the whole organisation, as a
//! table, CSV or JSON.

use crate::DatabaseArgs;
use anyhow::{Result, anyhow};
use clap::{Args, ValueEnum};
use std::io::Write;
use trellis_core::work::reports::{self, Report, ReportScope, percent};
use trellis_core::{PersonId, TeamId, Viewer};

#[derive(Args, Debug)]
pub struct ReportArgs {
    /// A person's own figures.
    #[arg(long, conflicts_with_all = ["manager", "team"])]
    person: Option<i64>,
    /// Everyone in a manager's reporting tree (the manager included).
    #[arg(long, conflicts_with = "team")]
    manager: Option<i64>,
    /// The members of a team and of the teams inside it.
    #[arg(long)]
    team: Option<i64>,
    /// The delivery window ending today, like 90d or 12w.
    #[arg(long, default_value = "90d")]
    window: String,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    #[command(flatten)]
    db: DatabaseArgs,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    Table,
    Csv,
    Json,
}

/// Which figure a report leads with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Delivery,
    Workload,
}

fn window_and_scope(args: &ReportArgs) -> Result<(u32, ReportScope)> {
    let days = reports::parse_window(&args.window).ok_or_else(|| {
        anyhow!(
            "--window {:?} is not a window; write it like 90d or 12w",
            args.window
        )
    })?;
    let scope = match (args.person, args.manager, args.team) {
        (Some(p), _, _) => ReportScope::Person(PersonId(p)),
        (_, Some(m), _) => ReportScope::Tree(PersonId(m)),
        (_, _, Some(t)) => ReportScope::Team(TeamId(t)),
        _ => ReportScope::Organisation,
    };
    Ok((days, scope))
}

/// `trellis report influence`.
pub async fn run_influence(args: ReportArgs) -> Result<()> {
    let (days, scope) = window_and_scope(&args)?;
    let config = args.db.config()?;
    let store = crate::open(&config, true).await?;
    let started = std::time::Instant::now();
    let report = trellis_core::influence::report::report(
        &store,
        &Viewer::operator(),
        scope,
        days,
        crate::chrono_now(),
    )
    .await
    .map_err(|e| anyhow!("{e}"))?;
    let elapsed = started.elapsed();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match args.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &report)?;
            writeln!(out)?;
        }
        Format::Csv => {
            let mut w = trellis_core::csv_file::SafeWriter::new(&mut out);
            w.write_record([
                "email",
                "name",
                "influence_outside_line",
                "advice_sought_by",
                "reach",
                "brokerage",
                "brokerage_exact",
            ])?;
            for r in &report.rows {
                w.write_record([
                    r.email.clone(),
                    r.name.clone(),
                    r.influence_outside_line.to_string(),
                    r.advice_sought_by.to_string(),
                    format!("{:.12}", r.reach),
                    format!("{:.6}", r.brokerage),
                    r.brokerage_exact.to_string(),
                ])?;
            }
            w.flush()?;
        }
        Format::Table => {
            writeln!(
                out,
                "Influence {} to {} · {} people, {} advice ties, {} interaction ties",
                report.first_day,
                report.last_day,
                report.people,
                report.advice_ties,
                report.interaction_ties
            )?;
            writeln!(
                out,
                "{:<32} {:>9} {:>9} {:>10} {:>14}",
                "Person", "Outside", "Sought by", "Reach", "Brokerage"
            )?;
            for r in &report.rows {
                let brokerage = match r.brokerage_error {
                    Some(e) => format!("{:.1} ± {e:.1}", r.brokerage),
                    None => format!("{:.1}", r.brokerage),
                };
                let name = if r.informal_leader {
                    format!("{} *", r.name)
                } else {
                    r.name.clone()
                };
                writeln!(
                    out,
                    "{:<32} {:>9} {:>9} {:>10.6} {:>14}",
                    name, r.influence_outside_line, r.advice_sought_by, r.reach, brokerage
                )?;
            }
        }
    }
    out.flush()?;
    eprintln!(
        "{} people (* an informal leader), computed in {:.0} ms, brokerage {:.0} ms of it{}.",
        report.rows.len(),
        elapsed.as_secs_f64() * 1000.0,
        report.brokerage_seconds * 1000.0,
        match report.pivots {
            Some(p) => format!("; brokerage estimated from {p} pivots (± a 95 % half-width)"),
            None => String::new(),
        }
    );
    Ok(())
}

pub async fn run(kind: Kind, args: ReportArgs) -> Result<()> {
    let (days, scope) = window_and_scope(&args)?;
    let config = args.db.config()?;
    let store = crate::open(&config, true).await?;
    // Whoever can run the binary against the database is its operator: they see everything.
    let operator = Viewer::operator();
    let started = std::time::Instant::now();
    let report = reports::report(&store, &operator, scope, days, crate::chrono_now())
        .await
        .map_err(|e| anyhow!("{e}"))?;
    let elapsed = started.elapsed();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match args.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &report)?;
            writeln!(out)?;
        }
        Format::Csv => write_csv(&mut out, &report)?,
        Format::Table => write_table(&mut out, kind, &report)?,
    }
    out.flush()?;
    eprintln!(
        "{} people, {} commitments due in the window, computed in {:.0} ms.",
        report.rows.len(),
        report.total_delivery.due,
        elapsed.as_secs_f64() * 1000.0
    );
    Ok(())
}

fn ratio(r: Option<f64>) -> String {
    r.map(|r| format!("{r:.3}")).unwrap_or_default()
}

fn write_csv(out: &mut impl Write, r: &Report) -> Result<()> {
    let mut w = trellis_core::csv_file::SafeWriter::new(out);
    w.write_record([
        "person_id",
        "name",
        "due",
        "on_time",
        "reliability",
        "remaining_hours",
        "capacity_hours",
        "workload",
        "overloaded",
    ])?;
    for row in &r.rows {
        w.write_record([
            row.person.id.to_string(),
            row.person.name.clone(),
            row.delivery.due.to_string(),
            row.delivery.on_time.to_string(),
            ratio(row.reliability),
            format!("{:.1}", row.workload.remaining_hours),
            format!("{:.1}", row.workload.capacity_hours),
            ratio(row.workload_ratio),
            row.overloaded.to_string(),
        ])?;
    }
    w.flush()?;
    Ok(())
}

fn write_table(out: &mut impl Write, kind: Kind, r: &Report) -> Result<()> {
    writeln!(
        out,
        "Delivery {} to {} · workload {} to {}",
        r.window.first, r.window.last, r.horizon.first, r.horizon.last
    )?;
    let mut rows: Vec<_> = r.rows.iter().collect();
    if kind == Kind::Workload {
        rows.sort_by(|a, b| {
            b.workload_ratio
                .unwrap_or(f64::INFINITY)
                .total_cmp(&a.workload_ratio.unwrap_or(f64::INFINITY))
        });
    }
    writeln!(
        out,
        "{:<32} {:>8} {:>9} {:>11} {:>10}",
        "Person", "Due", "On time", "Reliability", "Workload"
    )?;
    for row in rows {
        writeln!(
            out,
            "{:<32} {:>8} {:>9} {:>11} {:>10}{}",
            truncate(&row.person.name, 32),
            row.delivery.due,
            row.delivery.on_time,
            percent(row.reliability),
            row.workload_ratio
                .map(|w| format!("{w:.2}"))
                .unwrap_or_else(|| "no capacity".into()),
            if row.overloaded { "  overloaded" } else { "" }
        )?;
    }
    writeln!(
        out,
        "{:<32} {:>8} {:>9} {:>11} {:>10}",
        "Total",
        r.total_delivery.due,
        r.total_delivery.on_time,
        percent(r.total_reliability),
        format!("{} over", r.overloaded_people)
    )?;
    Ok(())
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        s.chars().take(n - 1).collect::<String>() + "…"
    }
}
