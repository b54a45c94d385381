//! The 360 export for people admins: every shared report's figures, one row per behaviour
//! and figure, exactly as the reports show them — a group below `k` is absent, a figure the
//! rule suppresses says so, and no raw answer, pseudonym or comment leaves Trellis.

use super::report::build;
use super::store::AssessmentStore;
use super::*;
use crate::csv_file::SafeWriter;

/// The export's columns.
pub const HEADER: [&str; 10] = [
    "Subject",
    "Subject Id",
    "Assessment",
    "Shared On",
    "Family",
    "Behaviour",
    "Figure",
    "Average",
    "Answers",
    "Note",
];

/// Writes the export; how many reports it holds.
pub async fn write_csv<W: std::io::Write>(
    store: &dyn AssessmentStore,
    viewer: &Viewer,
    out: W,
) -> CoreResult<usize> {
    if !viewer.may_administer() {
        return Err(CoreError::Forbidden(
            "export 360 results: people admins do".into(),
        ));
    }
    let io = |e: csv::Error| CoreError::Internal(format!("writing the export: {e}"));
    let mut w = SafeWriter::new(out);
    w.write_record(HEADER).map_err(io)?;
    let shared = store.shared_assessments().await?;
    for a in &shared {
        let answers = store.answers(a.id).await?;
        let published = store.published_before(a.subject.id, a.id).await?;
        let report = build(a.clone(), &answers, &published);
        let shared_on = a
            .shared_at
            .map(|t| crate::clock::local_date(None, t).to_string())
            .unwrap_or_default();
        let score = |s: Option<f64>| s.map(|s| format!("{s:.2}")).unwrap_or_default();
        for line in &report.lines {
            let mut rows: Vec<[String; 4]> = Vec::new();
            for (label, s) in [("Self", line.self_score), ("Manager", line.manager_score)] {
                if s.is_some() {
                    rows.push([label.into(), score(s), "1".into(), String::new()]);
                }
            }
            for f in &line.figures {
                rows.push([
                    f.label.clone(),
                    score(f.score),
                    f.answers.map(|n| n.to_string()).unwrap_or_default(),
                    f.hidden.clone().unwrap_or_default(),
                ]);
            }
            for [figure, average, n, note] in rows {
                w.write_record([
                    a.subject.name.as_str(),
                    &a.subject.id.to_string(),
                    &a.title(),
                    &shared_on,
                    match line.behaviour.family {
                        Family::Management => "Management",
                        Family::Leadership => "Leadership",
                    },
                    &line.behaviour.text,
                    &figure,
                    &average,
                    &n,
                    &note,
                ])
                .map_err(io)?;
            }
        }
        for d in &report.dropped {
            w.write_record([
                a.subject.name.as_str(),
                &a.subject.id.to_string(),
                &a.title(),
                &shared_on,
                "",
                "",
                "",
                "",
                "",
                d,
            ])
            .map_err(io)?;
        }
    }
    w.flush()
        .map_err(|e| CoreError::Internal(format!("writing the export: {e}")))?;
    Ok(shared.len())
}
