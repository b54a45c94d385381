//! The talent pool: external specialists (contractors, agencies, alumni) the organisation
//! can bring in when nobody inside has the skill — name, skills and levels, hourly rate,
//! hours a week and the date they can start. Kept by people with reports and admins, who
//! are the ones sourcing work; members do not see rates. Admins import it from CSV.

use crate::access::Viewer;
use crate::csv_file::{self, Column, row_error};
use crate::error::{CoreError, CoreResult, FieldError};
use crate::growth::store::GrowthStore;
use crate::growth::stretch::Requirement;
use crate::ids::{OpportunityId, PersonId, PersonName, TalentId};
use crate::org::csv_format::{is_plausible_email, normalise_skill, parse_skills};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// An external specialist.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Talent {
    pub id: TalentId,
    pub name: String,
    pub email: Option<String>,
    pub skills: Vec<Requirement>,
    pub hourly_rate: f64,
    pub hours_per_week: f64,
    pub available_from: NaiveDate,
    pub note: String,
    /// Who added them: they and admins may remove the entry (none for older entries).
    pub created_by: Option<PersonId>,
}

/// What a person fills in (the API takes the same fields as JSON).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = TalentRequest))]
#[serde(deny_unknown_fields)]
pub struct TalentInput {
    pub name: String,
    #[serde(default)]
    pub email: Option<String>,
    /// Skills of the organisation, each with a level from 1 to 5.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub skills: Vec<Requirement>,
    /// In the organisation's currency, an hour.
    #[cfg_attr(
        feature = "openapi",
        schema(
            required = true,
            nullable = false,
            exclusive_minimum = 0,
            maximum = 10000
        )
    )]
    pub hourly_rate: Option<f64>,
    /// Hours a week they can work, more than 0 and at most 60.
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, nullable = false, exclusive_minimum = 0, maximum = 60)
    )]
    pub hours_per_week: Option<f64>,
    pub available_from: Option<NaiveDate>,
    #[serde(default)]
    pub note: String,
}

/// A checked talent, ready to write.
#[derive(Debug, Clone, PartialEq)]
pub struct NewTalent {
    pub name: String,
    pub email: Option<String>,
    pub skills: Vec<Requirement>,
    pub hourly_rate: f64,
    pub hours_per_week: f64,
    pub available_from: NaiveDate,
    pub note: String,
    pub created_at: i64,
    pub created_by: Option<PersonId>,
}

fn may_source(viewer: &Viewer) -> bool {
    viewer.may_lead_teams()
}

fn require_sourcing(viewer: &Viewer) -> CoreResult<()> {
    if may_source(viewer) {
        Ok(())
    } else {
        Err(CoreError::Forbidden(
            "see the talent pool; people with reports and admins can".into(),
        ))
    }
}

/// Checks one talent against the organisation's skills; every problem is reported.
pub fn check(
    input: &TalentInput,
    known_skills: &HashSet<String>,
    now: i64,
) -> Result<NewTalent, Vec<FieldError>> {
    let mut errors = Vec::new();
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        errors.push(FieldError::new(
            "name",
            "give a name of 1 to 200 characters",
        ));
    }
    let email = input
        .email
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(str::to_lowercase);
    if let Some(e) = &email
        && !is_plausible_email(e)
    {
        errors.push(FieldError::new(
            "email",
            format!("{e:?} is not an e-mail address"),
        ));
    }
    let mut skills: Vec<Requirement> = Vec::new();
    for r in &input.skills {
        let skill = normalise_skill(&r.skill);
        if skill.is_empty() {
            errors.push(FieldError::new("skills", "name every skill"));
        } else if !known_skills.contains(&skill) {
            let hint = closest(&skill, known_skills)
                .map(|k| format!("; did you mean {k}?"))
                .unwrap_or_default();
            errors.push(FieldError::new(
                "skills",
                format!(
                    "{skill:?} is not a skill Trellis knows (from people's skills, opportunities or this pool){hint}"
                ),
            ));
        } else if !(1..=5).contains(&r.level) {
            errors.push(FieldError::new(
                "skills",
                format!("{skill}: the level must be from 1 to 5"),
            ));
        } else if skills.iter().any(|s| s.skill == skill) {
            errors.push(FieldError::new(
                "skills",
                format!("{skill} is listed twice"),
            ));
        } else {
            skills.push(Requirement {
                skill,
                level: r.level,
            });
        }
    }
    if input.skills.is_empty() {
        errors.push(FieldError::new(
            "skills",
            "list at least one skill with its level, e.g. rust:4",
        ));
    }
    let hourly_rate = match input.hourly_rate {
        Some(r) if r.is_finite() && r > 0.0 && r <= 10_000.0 => r,
        _ => {
            errors.push(FieldError::new(
                "hourly_rate",
                "give the hourly rate as a number above 0 (at most 10,000)",
            ));
            0.0
        }
    };
    let hours_per_week = match input.hours_per_week {
        Some(h) if h.is_finite() && h > 0.0 && h <= 60.0 => h,
        _ => {
            errors.push(FieldError::new(
                "hours_per_week",
                "give the hours a week they can work, above 0 and at most 60",
            ));
            0.0
        }
    };
    let available_from = input.available_from.unwrap_or_else(|| {
        errors.push(FieldError::new(
            "available_from",
            "give the date they can start (YYYY-MM-DD)",
        ));
        NaiveDate::MIN
    });
    let note = super::checked_note(&mut errors, &input.note);
    if !errors.is_empty() {
        return Err(errors);
    }
    skills.sort_by(|a, b| b.level.cmp(&a.level).then(a.skill.cmp(&b.skill)));
    Ok(NewTalent {
        name: name.to_string(),
        email,
        skills,
        hourly_rate,
        hours_per_week,
        available_from,
        note,
        created_at: now,
        created_by: None,
    })
}

/// The known skill nearest to a mistyped one, if it is at most two edits away.
fn closest<'a>(skill: &str, known: &'a HashSet<String>) -> Option<&'a str> {
    crate::names::closest(skill, known.iter().map(String::as_str))
}

async fn known_skills(store: &dyn GrowthStore) -> CoreResult<HashSet<String>> {
    Ok(store.skill_names().await?.into_iter().collect())
}

pub async fn list(store: &dyn GrowthStore, viewer: &Viewer) -> CoreResult<Vec<Talent>> {
    require_sourcing(viewer)?;
    store.talent_pool().await
}

pub async fn add(
    store: &dyn GrowthStore,
    viewer: &Viewer,
    input: &TalentInput,
    now: i64,
) -> CoreResult<TalentId> {
    require_sourcing(viewer)?;
    let known = known_skills(store).await?;
    let mut new = check(input, &known, now).map_err(CoreError::Invalid)?;
    new.created_by = viewer.actor();
    let ids = store.add_talent(std::slice::from_ref(&new)).await?;
    ids.into_iter()
        .next()
        .ok_or_else(|| CoreError::Internal("no id for the new talent".into()))
}

/// Removes an entry: only whoever added it, and admins.
pub async fn remove(store: &dyn GrowthStore, viewer: &Viewer, id: TalentId) -> CoreResult<()> {
    require_sourcing(viewer)?;
    let talent = find(store, id).await?;
    if !may_remove(viewer, &talent) {
        return Err(CoreError::Forbidden(
            "remove someone else's entry from the talent pool; whoever added it and admins can"
                .into(),
        ));
    }
    if !store.remove_talent(id).await? {
        return Err(CoreError::NotFound(format!("talent {id}")));
    }
    Ok(())
}

/// Whether a viewer may remove an entry of the pool.
pub fn may_remove(viewer: &Viewer, talent: &Talent) -> bool {
    viewer.may_administer() || (talent.created_by.is_some() && talent.created_by == viewer.actor())
}

async fn find(store: &dyn GrowthStore, id: TalentId) -> CoreResult<Talent> {
    store
        .talent_pool()
        .await?
        .into_iter()
        .find(|t| t.id == id)
        .ok_or_else(|| CoreError::NotFound(format!("specialist {id} in the talent pool")))
}

/// Engaging a specialist for an opportunity (the API takes the same fields as JSON).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = EngagementRequest))]
#[serde(deny_unknown_fields)]
pub struct EngagementInput {
    /// An open opportunity the caller posted (admins: any).
    pub opportunity_id: i64,
    /// Hours agreed, more than 0 and at most 2,000.
    #[cfg_attr(
        feature = "openapi",
        schema(
            required = true,
            nullable = false,
            exclusive_minimum = 0,
            maximum = 2000
        )
    )]
    pub hours: Option<f64>,
    /// The cost agreed, in the organisation's currency; the hours at their rate when left
    /// out.
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 10000000))]
    pub cost: Option<f64>,
    #[serde(default)]
    pub note: String,
}

/// A specialist engaged for an opportunity.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Engagement {
    pub id: i64,
    /// `None` once the entry was removed from the pool (the record stays).
    pub talent: Option<TalentId>,
    pub talent_name: String,
    pub opportunity: OpportunityId,
    pub opportunity_title: String,
    pub hours: f64,
    pub cost: f64,
    pub note: String,
    pub engaged_at: i64,
    pub engaged_by: Option<PersonName>,
}

/// An engagement to record.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEngagement {
    pub talent: TalentId,
    pub talent_name: String,
    pub opportunity: OpportunityId,
    pub hours: f64,
    pub cost: f64,
    pub note: String,
    pub at: i64,
    pub by: Option<PersonId>,
}

/// Records that a specialist was engaged for an open opportunity — the hours, and the
/// cost (the hours at their rate unless agreed otherwise) — and marks the opportunity
/// filled, in one unit of work: the sourcing loop is closed. Its poster and admins may.
pub async fn engage(
    store: &dyn GrowthStore,
    viewer: &Viewer,
    talent: TalentId,
    input: &EngagementInput,
    now: i64,
) -> CoreResult<i64> {
    require_sourcing(viewer)?;
    let specialist = find(store, talent).await?;
    let id = OpportunityId(input.opportunity_id);
    let opportunity = store
        .opportunity(id)
        .await?
        .ok_or_else(|| CoreError::field("opportunity_id", "choose an opportunity from the list"))?;
    if !(viewer.may_administer() || opportunity.poster.id == viewer.person_id()) {
        return Err(CoreError::Forbidden(
            "engage someone for an opportunity you did not post; its poster and admins can".into(),
        ));
    }
    if opportunity.status != super::opportunities::OpportunityStatus::Open {
        return Err(CoreError::Conflict(format!(
            "\u{201c}{}\u{201d} is {} already",
            opportunity.title,
            opportunity.status.as_str()
        )));
    }
    let mut errors = Vec::new();
    let hours = match input.hours {
        Some(h) if h > 0.0 && h <= 2000.0 => h,
        _ => {
            errors.push(FieldError::new(
                "hours",
                "give the hours agreed, more than 0 and at most 2,000",
            ));
            0.0
        }
    };
    let cost = match input.cost {
        None => hours * specialist.hourly_rate,
        Some(c) if (0.0..=10_000_000.0).contains(&c) => c,
        Some(_) => {
            errors.push(FieldError::new(
                "cost",
                "give the cost agreed, from 0 to 10,000,000",
            ));
            0.0
        }
    };
    let note = super::checked_note(&mut errors, &input.note);
    if !errors.is_empty() {
        return Err(CoreError::Invalid(errors));
    }
    let mut work = store.begin_growth_write().await?;
    let engagement = work
        .record_engagement(&NewEngagement {
            talent,
            talent_name: specialist.name.clone(),
            opportunity: id,
            hours,
            cost: (cost * 100.0).round() / 100.0,
            note,
            at: now,
            by: viewer.actor(),
        })
        .await?;
    work.fill_opportunity(id).await?;
    work.audit(&crate::audit::AuditEntry {
        at: now,
        actor: viewer.actor(),
        action: "talent.engaged".into(),
        subject: format!("opportunity {id}"),
        detail: format!("{} for {hours} h", specialist.name),
    })
    .await?;
    work.commit().await?;
    Ok(engagement)
}

/// Every engagement, newest first (people with reports and admins, who see the pool).
pub async fn engagements(store: &dyn GrowthStore, viewer: &Viewer) -> CoreResult<Vec<Engagement>> {
    require_sourcing(viewer)?;
    store.talent_engagements().await
}

/// What an import found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TalentImport {
    pub added: usize,
}

/// Reads a talent-pool CSV: `Name, Email, Skills (rust:4; sql:3), Hourly Rate, Hours Per
/// Week, Available From (YYYY-MM-DD), Note`; header names match case- and
/// punctuation-insensitively. Every problem is returned, nothing is partly read.
pub fn parse_csv(
    file: &str,
    content: &[u8],
    known: &HashSet<String>,
    now: i64,
) -> Result<Vec<NewTalent>, Vec<String>> {
    let column = |name, headers, required| Column {
        name,
        headers,
        required,
    };
    let columns = [
        column("Name", &["name", "fullname"][..], true),
        column("Email", &["email", "emailaddress"], false),
        column("Skills", &["skills"], true),
        column("Hourly Rate", &["hourlyrate", "rate", "rateperhour"], true),
        column(
            "Hours Per Week",
            &["hoursperweek", "hours", "weeklyhours"],
            true,
        ),
        column(
            "Available From",
            &["availablefrom", "available", "startdate"],
            true,
        ),
        column("Note", &["note", "notes"], false),
    ];
    let rows = csv_file::read(file, content, &columns)?;
    let mut errors = Vec::new();
    let mut talents = Vec::new();
    for row in &rows {
        match read_row(file, row, known, now) {
            Ok(t) => talents.push(t),
            Err(mut row_errors) => errors.append(&mut row_errors),
        }
    }
    if errors.is_empty() {
        Ok(talents)
    } else {
        Err(errors)
    }
}

/// The column a field is read from.
fn column_of(field: &str) -> &'static str {
    match field {
        "name" => "Name",
        "email" => "Email",
        "skills" => "Skills",
        "hourly_rate" => "Hourly Rate",
        "hours_per_week" => "Hours Per Week",
        "available_from" => "Available From",
        _ => "Note",
    }
}

/// One row of the pool's CSV: the talent, or every error it has at FILE:LINE and column.
fn read_row(
    file: &str,
    row: &csv_file::Row,
    known: &HashSet<String>,
    now: i64,
) -> Result<NewTalent, Vec<String>> {
    let line = row.line;
    let get = |i: usize| row.get(i).to_string();
    let mut row_errors = Vec::new();
    let skills = match parse_skills(&get(2)) {
        Ok(list) => list
            .into_iter()
            .map(|s| Requirement {
                skill: s.skill.into_string(),
                level: s.level,
            })
            .collect(),
        Err(message) => {
            row_errors.push(row_error(file, line, "Skills", &message));
            Vec::new()
        }
    };
    let number = |raw: String, column: &str, errs: &mut Vec<String>| -> Option<f64> {
        let cleaned: String = raw
            .chars()
            .filter(|c| !c.is_whitespace() && !matches!(c, '€' | '$' | '£'))
            .collect();
        if cleaned.is_empty() {
            return None;
        }
        match cleaned.replace(',', ".").parse::<f64>() {
            Ok(v) => Some(v),
            Err(_) => {
                errs.push(row_error(
                    file,
                    line,
                    column,
                    &format!("{raw:?} is not a number"),
                ));
                Some(f64::NAN)
            }
        }
    };
    let rate = number(get(3), "Hourly Rate", &mut row_errors);
    let hours = number(get(4), "Hours Per Week", &mut row_errors);
    let available = get(5);
    let available_from = if available.is_empty() {
        None
    } else {
        match NaiveDate::parse_from_str(&available, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                row_errors.push(row_error(
                    file,
                    line,
                    "Available From",
                    &format!("{available:?} is not a date; write YYYY-MM-DD"),
                ));
                Some(NaiveDate::MIN)
            }
        }
    };
    let input = TalentInput {
        name: get(0),
        email: Some(get(1)),
        skills,
        hourly_rate: rate,
        hours_per_week: hours,
        available_from,
        note: get(6),
    };
    let already_reported: Vec<&'static str> = [
        ("Skills", !input.skills.is_empty() || get(2).is_empty()),
        ("Hourly Rate", rate.is_none_or(|r| !r.is_nan())),
        ("Hours Per Week", hours.is_none_or(|h| !h.is_nan())),
    ]
    .into_iter()
    .filter(|(_, fine)| !fine)
    .map(|(c, _)| c)
    .collect();
    match check(&input, known, now) {
        Ok(t) if row_errors.is_empty() => Ok(t),
        Ok(_) => Err(row_errors),
        Err(fields) => {
            for f in fields {
                let column = column_of(&f.field);
                if !already_reported.contains(&column) {
                    row_errors.push(row_error(file, line, column, &f.message));
                }
            }
            Err(row_errors)
        }
    }
}

/// Imports a CSV into the pool (admins): all rows, or none when any row is wrong.
pub async fn import(
    store: &dyn GrowthStore,
    viewer: &Viewer,
    file: &str,
    content: &[u8],
    now: i64,
) -> CoreResult<TalentImport> {
    if !viewer.may_administer() {
        return Err(CoreError::Forbidden(
            "import the talent pool; people admins do".into(),
        ));
    }
    let known = known_skills(store).await?;
    match parse_csv(file, content, &known, now) {
        Ok(talents) => {
            let ids = store.add_talent(&talents).await?;
            Ok(TalentImport { added: ids.len() })
        }
        Err(lines) => Err(csv_file::refused(lines)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known() -> HashSet<String> {
        ["rust", "sql", "design"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    }

    #[test]
    fn a_good_file_reads_every_row() {
        let csv = "Name,E-mail,Skills,Hourly rate,Hours per week,Available from,Notes\n\
                   Kim Park,kim@example.com,rust:5; sql:4,120,20,2026-12-01,Ex-colleague\n\
                   Lee Ray,,design:4,\u{20ac}95,10,2027-01-04,\n";
        let talents = parse_csv("pool.csv", csv.as_bytes(), &known(), 0).expect("valid");
        assert_eq!(talents.len(), 2);
        assert_eq!(
            talents[0].skills[0],
            Requirement {
                skill: "rust".into(),
                level: 5
            }
        );
        assert_eq!(talents[1].hourly_rate, 95.0);
        assert_eq!(talents[1].email, None);
    }

    #[test]
    fn bad_rates_and_unknown_skills_are_reported_by_row_and_column() {
        let csv = "Name,Skills,Hourly Rate,Hours Per Week,Available From\n\
                   Kim Park,rust:5,abc,20,2026-12-01\n\
                   Lee Ray,cobol:4,90,10,2027-01-04\n\
                   Ann Bell,sql:3,-5,10,2027-01-04\n\
                   Bo Lund,sql:3,80,10,next week\n";
        let errors = parse_csv("pool.csv", csv.as_bytes(), &known(), 0).unwrap_err();
        assert_eq!(
            errors,
            vec![
                "pool.csv:2: Hourly Rate: \"abc\" is not a number",
                "pool.csv:3: Skills: \"cobol\" is not a skill Trellis knows (from people's skills, opportunities or this pool)",
                "pool.csv:4: Hourly Rate: give the hourly rate as a number above 0 (at most 10,000)",
                "pool.csv:5: Available From: \"next week\" is not a date; write YYYY-MM-DD",
            ]
        );
    }

    #[test]
    fn a_typo_gets_the_nearest_known_skill() {
        let input = TalentInput {
            name: "Kim".into(),
            skills: vec![Requirement {
                skill: "Sqll".into(),
                level: 3,
            }],
            hourly_rate: Some(50.0),
            hours_per_week: Some(10.0),
            available_from: NaiveDate::from_ymd_opt(2027, 1, 1),
            ..TalentInput::default()
        };
        let errors = check(&input, &known(), 0).unwrap_err();
        assert_eq!(
            errors[0].message,
            "\"sqll\" is not a skill Trellis knows (from people's skills, opportunities or this pool); did you mean sql?"
        );
    }

    #[test]
    fn missing_columns_are_named() {
        let errors = parse_csv("p.csv", b"Name,Skills\nKim,rust:3\n", &known(), 0).unwrap_err();
        assert_eq!(
            errors,
            vec![
                "p.csv:1: Hourly Rate: this column is missing",
                "p.csv:1: Hours Per Week: this column is missing",
                "p.csv:1: Available From: this column is missing",
            ]
        );
    }
}
