//! The demo tells the truth: read as a person would, its sentences come from the same code
//! as live data, its dates are neither in the future nor before people started, and its
//! names do not repeat themselves.

use crate::common::demo_app;

async fn rows(app: &crate::common::TestApp, sql: &str) -> Vec<(String, String)> {
    sqlx::query_as(sqlx::AssertSqlSafe(sql.to_string()))
        .fetch_all(app.store.pool())
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_reads_true() {
    let (app, emails) = demo_app().await;
    let today = chrono::Utc::now().date_naive().to_string();

    // A placement explains itself in the words suggestions use, about that person.
    let placements = rows(
        &app,
        "SELECT p.name, pl.explanation FROM placements pl JOIN people p ON p.id = pl.person_id",
    )
    .await;
    assert!(!placements.is_empty(), "the demo proposes someone");
    for (name, why) in &placements {
        let surname = name.split_whitespace().last().unwrap();
        let subject = why.split_whitespace().take(3).collect::<Vec<_>>().join(" ");
        assert!(subject.contains(surname), "about {name}: {why}");
        assert!(!why.contains("coaching skills and free time"), "{why}");
    }

    // Nothing was created in the future.
    let future = rows(
        &app,
        &format!("SELECT title, created_on FROM commitments WHERE created_on > '{today}' LIMIT 5"),
    )
    .await;
    assert!(
        future.is_empty(),
        "commitments created after today: {future:?}"
    );

    // No career plan changed before its person started.
    let early = rows(
        &app,
        "SELECT p.name, p.start_date FROM career_plan_history h JOIN people p ON p.id = h.person_id \
         WHERE p.start_date IS NOT NULL AND date(h.at, 'unixepoch') < p.start_date LIMIT 5",
    )
    .await;
    assert!(
        early.is_empty(),
        "plan history before the start date: {early:?}"
    );

    // No "Senior Senior" next step, and no team without anyone in it.
    let doubled = rows(
        &app,
        "SELECT p.name, c.target_role FROM career_plans c JOIN people p ON p.id = c.person_id \
         WHERE c.target_role LIKE '%Senior Senior%' OR c.target_role LIKE '%Lead Lead%' LIMIT 5",
    )
    .await;
    assert!(doubled.is_empty(), "{doubled:?}");
    let empty_teams = rows(
        &app,
        "SELECT t.name, '' FROM teams t WHERE NOT EXISTS (SELECT 1 FROM people p \
         WHERE p.team_id = t.id OR p.team_id IN (SELECT c.id FROM teams c WHERE c.parent_id = t.id))",
    )
    .await;
    assert!(empty_teams.is_empty(), "teams with nobody: {empty_teams:?}");
    let numbered = rows(
        &app,
        "SELECT name, '' FROM teams WHERE name GLOB '* [0-9]*' OR name GLOB '*[0-9]'",
    )
    .await;
    assert!(numbered.is_empty(), "made-up team names: {numbered:?}");

    // Counts are whole: "Milestones delivered 2.2" is not something anyone writes.
    let fractional: Vec<(String, f64)> = sqlx::query_as(
        "SELECT k.title, c.value FROM check_ins c JOIN key_results k ON k.id = c.key_result_id \
         WHERE k.title IN ('Milestones delivered', 'Practice sessions completed') \
         AND c.value <> ROUND(c.value)",
    )
    .fetch_all(app.store.pool())
    .await
    .unwrap();
    assert!(fractional.is_empty(), "{fractional:?}");

    // 1:1s: series start after both people did; points and feedback are not from the
    // future; the demo has held, skipped and moved meetings, carried-over points and
    // pairs that have not met in a month.
    let early = rows(
        &app,
        "SELECT s.id || '', s.first_date FROM one_on_one_series s JOIN people o ON o.id = s.organiser_id \
         JOIN people t ON t.id = s.other_id WHERE s.first_date < o.start_date OR s.first_date < t.start_date LIMIT 5",
    )
    .await;
    assert!(early.is_empty(), "1:1s before people started: {early:?}");
    let now = chrono::Utc::now().timestamp();
    let future: Vec<(i64,)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT id FROM talking_points WHERE created_at > {now} UNION ALL SELECT id FROM feedback WHERE created_at > {now}"
    )))
    .fetch_all(app.store.pool())
    .await
    .unwrap();
    assert!(
        future.is_empty(),
        "points or feedback from the future: {future:?}"
    );
    for (what, sql) in [
        (
            "skipped meetings",
            "SELECT COUNT(*) FROM one_on_one_changes WHERE change = 'skipped'",
        ),
        (
            "moved meetings",
            "SELECT COUNT(*) FROM one_on_one_changes WHERE change = 'moved'",
        ),
        (
            "discussed points",
            "SELECT COUNT(*) FROM talking_points WHERE ticked_meeting IS NOT NULL",
        ),
        (
            "open points",
            "SELECT COUNT(*) FROM talking_points WHERE ticked_meeting IS NULL",
        ),
        (
            "action items on plates",
            "SELECT COUNT(*) FROM one_on_one_actions WHERE commitment_id IS NOT NULL",
        ),
        (
            "praise on pages",
            "SELECT COUNT(*) FROM feedback WHERE share_on_page = 1",
        ),
        (
            "answered requests",
            "SELECT COUNT(*) FROM feedback WHERE request_id IS NOT NULL",
        ),
        (
            "unscheduled pairs",
            "SELECT COUNT(*) FROM one_on_one_series WHERE first_date IS NULL",
        ),
    ] {
        let (n,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(sql.to_string()))
            .fetch_one(app.store.pool())
            .await
            .unwrap();
        assert!(n > 0, "the demo has {what}");
    }
    let health = trellis_core::conversations::health::health(
        app.store.as_ref(),
        &trellis_core::Viewer::operator(),
        now,
    )
    .await
    .unwrap();
    assert!(
        health
            .pairs
            .iter()
            .any(|p| p.flag == Some(trellis_core::conversations::health::Flag::NoneIn30Days)),
        "some pairs have not met in a month"
    );
    assert!(
        health.pairs.iter().filter(|p| p.held > 3).count() > 10,
        "most meet"
    );

    // Reviews: a running cycle with self reviews done and late, and a shared one whose
    // follow-through is on managers' plates and in their 1:1s.
    for (what, sql) in [
        (
            "a running cycle",
            "SELECT COUNT(*) FROM review_cycles WHERE state = 'launched'",
        ),
        (
            "self reviews handed in",
            "SELECT COUNT(*) FROM reviews r JOIN review_cycles c ON c.id = r.cycle_id WHERE c.state = 'launched' AND r.self_submitted_at IS NOT NULL",
        ),
        (
            "late self reviews",
            "SELECT COUNT(*) FROM reviews r JOIN review_cycles c ON c.id = r.cycle_id WHERE c.state = 'launched' AND r.self_submitted_at IS NULL",
        ),
        (
            "manager reviews handed in",
            "SELECT COUNT(*) FROM reviews r JOIN review_cycles c ON c.id = r.cycle_id WHERE c.state = 'launched' AND r.manager_submitted_at IS NOT NULL",
        ),
        (
            "follow-through in 1:1s",
            "SELECT COUNT(*) FROM review_follow_through f JOIN one_on_one_actions a ON a.commitment_id = f.commitment_id",
        ),
        (
            "peer reviewers asked in the running cycle",
            "SELECT COUNT(*) FROM assessment_raters r JOIN assessments a ON a.id = r.assessment_id WHERE a.feedback_kind = 'peer' AND r.status = 'asked'",
        ),
        (
            "peer reviewers proposed, waiting for a manager",
            "SELECT COUNT(*) FROM assessment_raters r JOIN assessments a ON a.id = r.assessment_id WHERE a.feedback_kind = 'peer' AND r.status = 'proposed'",
        ),
        (
            "upward reviews answered",
            "SELECT COUNT(*) FROM assessment_answers w JOIN assessments a ON a.id = w.assessment_id WHERE a.feedback_kind = 'upward'",
        ),
    ] {
        let (n,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(sql.to_string()))
            .fetch_one(app.store.pool())
            .await
            .unwrap();
        assert!(n > 0, "the demo has {what}");
    }

    // 360s: two shared (one with its two direct reports below k, left out whole), one open;
    // the demo manager reads their report.
    for (what, sql) in [
        (
            "shared 360s",
            "SELECT COUNT(*) FROM assessments WHERE state = 'shared'",
        ),
        (
            "an open 360",
            "SELECT COUNT(*) FROM assessments WHERE state = 'open'",
        ),
        (
            "anonymous answers",
            "SELECT COUNT(*) FROM assessment_answers WHERE rater_id IS NULL",
        ),
    ] {
        let (n,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(sql.to_string()))
            .fetch_one(app.store.pool())
            .await
            .unwrap();
        assert!(n > 0, "the demo has {what}");
    }
    let manager = app
        .sign_in(&emails[1], crate::common::PASSWORD)
        .await
        .unwrap();
    let list = app.get_page("/assessments", Some(&manager)).await.text();
    assert!(list.contains("read the report"), "{list}");
    let (id,): (i64,) = sqlx::query_as(
        "SELECT a.id FROM assessments a JOIN people p ON p.id = a.subject_id \
         WHERE p.email = $1 AND a.review_id IS NULL ORDER BY a.id LIMIT 1",
    )
    .bind(emails[1].clone())
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    let report = app
        .get_page(&format!("/assessments/{id}/report"), Some(&manager))
        .await
        .text();
    assert!(report.contains("All colleagues"), "{report}");
    assert!(
        report.contains("Keeps our priorities")
            || report.contains("Always explains")
            || report.contains("Our 1:1s")
            || report.contains("Introduced me")
            || report.contains("Could say no")
            || report.contains("Deadlines are"),
        "{report}"
    );
    // The manager's team log: one kept, one reversed with its lesson, one due now.
    let log = app.get_page("/decisions", Some(&manager)).await.text();
    for part in ["Reversed", "Kept", "due to revisit", "A written check-in"] {
        assert!(log.contains(part), "{part}: {log}");
    }
    // Succession: the admin sees the plans, a role with nobody on it among them.
    let admin = app
        .sign_in(&emails[0], crate::common::PASSWORD)
        .await
        .unwrap();
    let succession = app.get_page("/succession", Some(&admin)).await.text();
    for part in ["Head of Data", "single points of failure", "Bench strength"] {
        assert!(succession.contains(part), "{part}: {succession}");
    }
}
