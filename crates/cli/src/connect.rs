//! `trellis connect preview`: the next rounds of a connection programme, without saving.

use crate::DatabaseArgs;
use anyhow::{Result, anyhow};
use clap::{Args, ValueEnum};
use std::io::Write;
use trellis_core::Viewer;
use trellis_core::connect::preview::{Preview, preview_department};
use trellis_core::connect::{Shape, check_group_size, format_coverage};

#[derive(Args, Debug)]
pub struct PreviewArgs {
    /// A programme's next rounds from its history (its people, opt-outs and private
    /// exclusions as they are now, nobody away).
    #[arg(
        long,
        required_unless_present = "department",
        conflicts_with = "department"
    )]
    programme: Option<i64>,
    /// Everyone active in this department, as a new pairs programme of theirs would run
    /// (meeting across teams, the odd one out joining a pair).
    #[arg(long)]
    department: Option<String>,
    /// How many rounds to plan.
    #[arg(long)]
    rounds: u32,
    /// 2 for pairs, 3 for trios (a department preview; a programme has its own).
    #[arg(long, default_value_t = 2, conflicts_with = "programme")]
    group_size: i64,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    #[command(flatten)]
    db: DatabaseArgs,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    Table,
    Csv,
}

pub async fn run_preview(args: PreviewArgs) -> Result<()> {
    let group_size =
        check_group_size(args.group_size).map_err(|e| anyhow!("--group-size: {}", message(e)))?;
    let config = args.db.config()?;
    let store = crate::open(&config, true).await?;
    let shape = Shape {
        group_size,
        ..Shape::pairs()
    };
    let preview = match (args.programme, &args.department) {
        (Some(id), _) => {
            trellis_core::connect::rounds::preview_programme(
                &store,
                &Viewer::operator(),
                trellis_core::ids::ProgrammeId(id),
                args.rounds,
                crate::chrono_now(),
            )
            .await
        }
        (None, department) => {
            preview_department(
                &store,
                &Viewer::operator(),
                department.as_deref().unwrap_or_default(),
                args.rounds,
                shape,
            )
            .await
        }
    }
    .map_err(|e| anyhow!("{}", message(e)))?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match args.format {
        Format::Csv => write_csv(&mut out, &preview)?,
        Format::Table => write_table(&mut out, &preview)?,
    }
    out.flush()?;
    Ok(())
}

/// A validation error as one line: the field's own sentence.
fn message(error: trellis_core::CoreError) -> String {
    match error {
        trellis_core::CoreError::Invalid(fields) => fields
            .into_iter()
            .map(|f| f.message)
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    }
}

fn write_csv(out: &mut impl Write, preview: &Preview) -> Result<()> {
    let mut w = trellis_core::csv_file::SafeWriter::new(out);
    w.write_record(["round", "groups", "new_pairs", "repeats", "coverage"])?;
    for r in &preview.rounds {
        w.write_record([
            r.round.to_string(),
            r.groups.to_string(),
            r.new_pairs.to_string(),
            r.repeats.to_string(),
            format_coverage(r.coverage),
        ])?;
    }
    w.flush()?;
    Ok(())
}

fn write_table(out: &mut impl Write, preview: &Preview) -> Result<()> {
    writeln!(
        out,
        "{}: {} people, nothing saved",
        preview.audience, preview.people
    )?;
    writeln!(
        out,
        "{:>5}  {:>6}  {:>9}  {:>7}  {:>8}",
        "round", "groups", "new_pairs", "repeats", "coverage"
    )?;
    for r in &preview.rounds {
        writeln!(
            out,
            "{:>5}  {:>6}  {:>9}  {:>7}  {:>8}",
            r.round,
            r.groups,
            r.new_pairs,
            r.repeats,
            format_coverage(r.coverage)
        )?;
    }
    match preview.full_coverage_round {
        Some(round) => writeln!(out, "Everyone has met everyone by round {round}.")?,
        None => writeln!(
            out,
            "Not everyone has met everyone after these {} rounds.",
            preview.rounds.len()
        )?,
    }
    Ok(())
}
