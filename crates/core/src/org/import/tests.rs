//! The import rules, file by file: parsing, matching, managers, leavers.

use super::*;

fn plan(csv: &str, snapshot: &OrgSnapshot) -> ImportPlan {
    plan_import(
        parse_people_csv(csv.as_bytes()),
        snapshot,
        ImportOptions::default(),
    )
}

fn messages(plan: &ImportPlan) -> Vec<String> {
    plan.errors
        .iter()
        .map(|i| {
            Located {
                file: "people.csv",
                issue: i,
            }
            .to_string()
        })
        .collect()
}

#[test]
fn a_manager_may_appear_after_their_reports() {
    let p = plan(
        "Email,Name,Manager Email\nb@x.org,Bea,a@x.org\na@x.org,Ada,\n",
        &OrgSnapshot::default(),
    );
    assert!(p.is_valid(), "{:?}", messages(&p));
    assert_eq!(p.creates.len(), 2);
    assert_eq!(p.creates[0].manager, ManagerTarget::New(1));
    assert_eq!(p.creates[1].manager, ManagerTarget::None);
}

#[test]
fn every_error_is_reported_with_file_line_and_column() {
    let p = plan(
        "Work Email,First Name,Last Name,Hire Date,Skills,Shoe Size\n\
         a@x.org,Ada,Lovelace,2021-13-01,rust:4,42\n\
         not-an-email,Bob,Builder,2020-01-01,sql:9,43\n\
         a@x.org,Ann,Other,,,\n",
        &OrgSnapshot::default(),
    );
    assert_eq!(
        messages(&p),
        [
            "people.csv:2: Hire Date: \"2021-13-01\" is not a date; use YYYY-MM-DD (for example 2021-03-15)",
            "people.csv:3: Work Email: \"not-an-email\" is not an e-mail address",
            "people.csv:3: Skills: \"sql:9\": the level must be 1 to 5, optionally followed by + (wants to grow)",
            "people.csv:4: Work Email: duplicate e-mail \"a@x.org\" (also on line 2)",
        ]
    );
    assert_eq!(p.ignored_columns, ["Shoe Size"]);
}

#[test]
fn missing_required_columns_are_named() {
    let p = plan("Name,Title\nAda,CTO\n", &OrgSnapshot::default());
    assert_eq!(
        messages(&p),
        [
            "people.csv:1: header: missing required column Email (also accepted: Work Email, Email Address)"
        ]
    );
}

#[test]
fn a_reporting_loop_is_refused_and_named() {
    let p = plan(
        "Email,Name,Manager Email\na@x.org,A,c@x.org\nb@x.org,B,a@x.org\nc@x.org,C,b@x.org\n",
        &OrgSnapshot::default(),
    );
    let m = messages(&p);
    assert_eq!(m.len(), 1, "{m:?}");
    assert!(
        m[0].contains("reporting loop: a@x.org (line 2) → c@x.org (line 4) → b@x.org (line 3) → a@x.org (line 2)"),
        "{m:?}"
    );
}

#[test]
fn unknown_managers_and_non_utf8_files_are_reported() {
    let p = plan(
        "Email,Name,Reports To\na@x.org,A,E99\n",
        &OrgSnapshot::default(),
    );
    assert_eq!(
        messages(&p),
        ["people.csv:2: Reports To: no person with employee id E99 in the file or in Trellis"]
    );
    let p = plan_import(
        parse_people_csv(b"Email,Name\na@x.org,Jos\xE9\n"),
        &OrgSnapshot::default(),
        ImportOptions::default(),
    );
    assert!(messages(&p)[0].starts_with("people.csv:2: file: the file is not UTF-8"));
}

fn existing(id: i64, email: &str, eid: &str, manager: Option<i64>) -> ExistingPerson {
    ExistingPerson {
        id: PersonId(id),
        record: PersonRecord {
            employee_id: Some(eid.into()),
            email: email.into(),
            name: email.split('@').next().unwrap().into(),
            preferred_name: None,
            title: Some("Engineer".into()),
            team: None,
            department: None,
            location: None,
            time_zone: None,
            start_date: None,
            status: PersonStatus::Active,
            level: None,
            skills: vec![],
        },
        manager_id: manager.map(PersonId),
    }
}

#[test]
fn reimport_matches_by_employee_id_then_email_and_keeps_absent_columns() {
    let snapshot = OrgSnapshot {
        people: vec![
            existing(1, "ada@x.org", "E1", None),
            existing(2, "bob@x.org", "E2", Some(1)),
        ],
        ..OrgSnapshot::default()
    };
    // Ada changes e-mail (matched by id); Bob is matched by e-mail and unchanged.
    let p = plan(
        "Employee Id,Email,Name\nE1,ada.l@x.org,ada\nE2,bob@x.org,bob\n",
        &snapshot,
    );
    assert!(p.is_valid(), "{:?}", messages(&p));
    assert_eq!(p.unchanged, 1);
    assert_eq!(p.updates.len(), 1);
    assert_eq!(p.updates[0].id, PersonId(1));
    assert_eq!(p.updates[0].changed, ["email"]);
    assert_eq!(p.updates[0].record.title.as_deref(), Some("Engineer"));
    // Without an employee id column, Bob is found by e-mail and keeps his id and title.
    let p = plan("Email,Name\nbob@x.org,bob\n", &snapshot);
    assert_eq!((p.unchanged, p.updates.len()), (1, 0));
}

#[test]
fn a_loop_through_existing_people_is_refused() {
    let snapshot = OrgSnapshot {
        people: vec![
            existing(1, "ada@x.org", "E1", None),
            existing(2, "bob@x.org", "E2", Some(1)),
        ],
        ..OrgSnapshot::default()
    };
    let p = plan(
        "Email,Name,Manager Email\nada@x.org,ada,bob@x.org\n",
        &snapshot,
    );
    assert_eq!(
        messages(&p),
        [
            "people.csv:2: Manager Email: reporting loop: ada@x.org (line 2) → bob@x.org → ada@x.org (line 2)"
        ]
    );
}

#[test]
fn an_email_held_by_someone_outside_the_file_is_refused() {
    let snapshot = OrgSnapshot {
        people: vec![
            existing(1, "ada@x.org", "E1", None),
            existing(2, "bob@x.org", "E2", None),
        ],
        ..OrgSnapshot::default()
    };
    let p = plan("Employee Id,Email,Name\nE1,bob@x.org,ada\n", &snapshot);
    assert_eq!(
        messages(&p),
        [
            "people.csv:2: Email: bob@x.org already belongs to bob (employee id E2), who is not in this file"
        ]
    );
}

#[test]
fn deactivate_missing_marks_only_active_people_outside_the_file() {
    let mut left = existing(3, "cy@x.org", "E3", None);
    left.record.status = PersonStatus::Left;
    let snapshot = OrgSnapshot {
        people: vec![
            existing(1, "ada@x.org", "E1", None),
            existing(2, "bob@x.org", "E2", None),
            left,
        ],
        ..OrgSnapshot::default()
    };
    let p = plan_import(
        parse_people_csv(b"Email,Name\nada@x.org,ada\n"),
        &snapshot,
        ImportOptions {
            deactivate_missing: true,
            ..ImportOptions::default()
        },
    );
    let leaving: Vec<PersonId> = p.deactivations.iter().map(|d| d.id).collect();
    assert_eq!(leaving, [PersonId(2)]);
}

#[test]
fn people_an_identity_provider_manages_are_never_marked_as_left_by_a_file() {
    let snapshot = OrgSnapshot {
        people: vec![
            existing(1, "ada@x.org", "E1", None),
            existing(2, "bob@x.org", "E2", None),
            existing(3, "cy@x.org", "E3", None),
            existing(4, "di@x.org", "E4", None),
            existing(5, "ed@x.org", "E5", None),
        ],
        scim_managed: [PersonId(2)].into_iter().collect(),
        ..OrgSnapshot::default()
    };
    let options = ImportOptions {
        deactivate_missing: true,
        ..ImportOptions::default()
    };
    let refused = plan_import(
        parse_people_csv(b"Email,Name\nada@x.org,ada\ndi@x.org,di\ned@x.org,ed\n"),
        &snapshot,
        options,
    );
    assert_eq!(
        messages(&refused),
        [
            "people.csv:1: file: marking missing people as left is refused: 1 of them (bob@x.org) are managed by \
             your identity provider over SCIM; deactivate them there, or import without marking missing people as left"
        ]
    );
    let without = plan_import(
        parse_people_csv(b"Email,Name\nada@x.org,ada\n"),
        &snapshot,
        ImportOptions::default(),
    );
    assert!(
        without.is_valid(),
        "an import that marks nobody as left goes on"
    );
    let listed = plan_import(
        parse_people_csv(b"Email,Name\nada@x.org,ada\nbob@x.org,bob\ndi@x.org,di\ned@x.org,ed\n"),
        &snapshot,
        options,
    );
    assert!(listed.is_valid(), "{:?}", messages(&listed));
    assert_eq!(
        listed.deactivations.len(),
        1,
        "cy, whom no provider manages, leaves"
    );
}

#[test]
fn a_mass_leave_is_refused_unless_confirmed_and_the_importer_never_leaves() {
    let snapshot = OrgSnapshot {
        people: (1..=8)
            .map(|i| existing(i, &format!("p{i}@x.org"), &format!("E{i}"), None))
            .collect(),
        ..OrgSnapshot::default()
    };
    let file = b"Email,Name\np1@x.org,p1\n";
    let with = |mass_leave, importer| {
        plan_import(
            parse_people_csv(file),
            &snapshot,
            ImportOptions {
                deactivate_missing: true,
                mass_leave,
                importer,
            },
        )
    };
    let refused = with(MassLeave::Refuse, None);
    assert_eq!(
        messages(&refused),
        [
            "people.csv:1: file: this file would mark 7 of the 8 active people as having left, \
          more than a quarter; check that the file is complete, or confirm the mass leave explicitly"
        ]
    );
    assert_eq!(
        refused.deactivations[0].email, "p2@x.org",
        "the preview names who leaves"
    );
    assert!(with(MassLeave::Allow, None).is_valid());
    assert!(!with(MassLeave::AllowExactly(6), None).is_valid());
    let typed = with(MassLeave::AllowExactly(6), Some(PersonId(8)));
    assert!(typed.is_valid(), "{:?}", messages(&typed));
    assert!(typed.deactivations.iter().all(|d| d.id != PersonId(8)));
    // Two of eight is a quarter, not more: no confirmation needed.
    let small = plan_import(
        parse_people_csv(b"Email,Name\np1@x.org,p1\np2@x.org,p2\np3@x.org,p3\np4@x.org,p4\np5@x.org,p5\np6@x.org,p6\n"),
        &snapshot,
        ImportOptions { deactivate_missing: true, ..ImportOptions::default() },
    );
    assert!(small.is_valid() && small.deactivations.len() == 2);
}

#[test]
fn a_file_cut_short_is_refused_row_by_row_and_never_read_as_blank_cells() {
    let p = plan(
        "Email,Name,Title,Manager Email,Team\n\
         a@x.org,Ada,CTO,,Core\n\
         b@x.org,Bea,Engineer\n\
         c@x.org,Cy,Engineer,a@x.org,Core,extra\n\
         d@x.org,Di,Engineer,a@x.org,Core,,\n",
        &OrgSnapshot::default(),
    );
    assert_eq!(
        messages(&p),
        [
            "people.csv:3: row: row has 3 cells, the header has 5",
            "people.csv:4: row: row has 6 cells, the header has 5",
        ]
    );
    assert!(!p.is_valid());
}

#[test]
fn errors_name_the_editor_line_for_crlf_cr_bom_and_quoted_line_breaks() {
    for (end, bom) in [
        ("\n", false),
        ("\r\n", false),
        ("\r", false),
        ("\r\n", true),
    ] {
        let text = [
            "Email,Name,Title",
            "a@x.org,Ada,\"Chief",
            "Technology Officer\"",
            "",
            "oops,Bea,Engineer",
            "",
        ]
        .join(end);
        let bytes = if bom {
            [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat()
        } else {
            text.into_bytes()
        };
        let p = plan_import(
            parse_people_csv(&bytes),
            &OrgSnapshot::default(),
            ImportOptions::default(),
        );
        assert_eq!(
            messages(&p),
            ["people.csv:5: Email: \"oops\" is not an e-mail address"],
            "line end {end:?}, BOM {bom}"
        );
    }
}

#[test]
fn a_near_miss_of_a_known_skill_is_named_and_new_skills_and_levels_are_listed() {
    let mut snapshot = OrgSnapshot::default();
    snapshot.skills.insert("python".into());
    snapshot.levels.insert("L3".into());
    let p = plan(
        "Email,Name,Skills,Level,Time Zone\n\
         a@x.org,Ada,pyhton:3; kotlin:2,L9,Europe/Madrid\n\
         b@x.org,Bea,pyhton:2,L3,Europe/Madird\n",
        &snapshot,
    );
    assert_eq!(
        messages(&p),
        [
            "people.csv:3: Time Zone: \"Europe/Madird\" is not a time zone; did you mean Europe/Madrid?"
        ]
    );
    let warnings: Vec<String> = p
        .warnings
        .iter()
        .map(|w| format!("{}: {}: {}", w.line, w.column, w.message))
        .collect();
    assert_eq!(
        warnings,
        ["2: Skills: \"pyhton\" would be a new skill; did you mean python?"]
    );
    assert_eq!(p.new_skills, ["kotlin", "pyhton"]);
    assert_eq!(p.new_levels, ["L9"]);
}

#[test]
fn rows_across_blocks_keep_their_order_lines_managers_and_duplicates() {
    // More rows than three blocks: each reports to the row before it, the last repeats the
    // first e-mail, so matching, managers and errors all cross block boundaries.
    let count = 3 * ROWS_PER_BLOCK + 7;
    let mut csv = String::from("Email,Name,Manager Email\n");
    for i in 0..count {
        let manager = if i == 0 {
            String::new()
        } else {
            format!("p{}@x.org", i - 1)
        };
        csv.push_str(&format!("p{i}@x.org,Person {i},{manager}\n"));
    }
    let parsed = parse_people_csv(csv.as_bytes());
    assert_eq!(parsed.rows.len(), count);
    assert_eq!(parsed.rows[ROWS_PER_BLOCK].line, ROWS_PER_BLOCK as u64 + 2);
    assert_eq!(
        parsed.rows.iter().last().unwrap().record.name,
        format!("Person {}", count - 1)
    );
    let p = plan_import(parsed, &OrgSnapshot::default(), ImportOptions::default());
    assert!(p.is_valid(), "{:?}", messages(&p));
    assert_eq!(p.creates.len(), count);
    assert_eq!(p.creates[0].manager, ManagerTarget::None);
    assert_eq!(
        p.creates[ROWS_PER_BLOCK].manager,
        ManagerTarget::New(ROWS_PER_BLOCK - 1)
    );
    assert_eq!(p.creates[count - 1].manager, ManagerTarget::New(count - 2));
    assert_eq!(p.creates[count - 1].line, count as u64 + 1);

    csv.push_str("p0@x.org,Again,\n");
    let p = plan(&csv, &OrgSnapshot::default());
    assert_eq!(
        messages(&p),
        [format!(
            "people.csv:{}: Email: duplicate e-mail \"p0@x.org\" (also on line 2)",
            count + 2
        )]
    );
}
