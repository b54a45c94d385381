//! Browser tests in headless Chromium (Debian's `chromium` and `chromedriver`), driving a
//! real server over loopback: sign in, search the directory, expand the org chart, and
//! upload a CSV with an error; reorder, reassign, renegotiate and complete work.

mod common;

use common::{PASSWORD, TestApp};
use fantoccini::{Client, ClientBuilder, Locator};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// chromedriver, killed by its own PID when the test ends.
struct Driver {
    child: Child,
    port: u16,
    _profile: tempfile::TempDir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn browser() -> (Driver, Client) {
    let driver_path =
        std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
    assert!(
        std::path::Path::new(&driver_path).exists(),
        "{driver_path} not found: install Debian's chromium and chromium-driver (scripts/test does)"
    );
    let port = free_port();
    let child = Command::new(&driver_path)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let profile = tempfile::tempdir().unwrap();
    let driver = Driver {
        child,
        port,
        _profile: profile,
    };
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--no-first-run", "--disable-background-networking", "--disable-component-update",
                     "--disable-sync", "--window-size=1280,900",
                     format!("--user-data-dir={}", driver._profile.path().display())]
        }),
    );
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        match ClientBuilder::new(connector)
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{}", driver.port))
            .await
        {
            Ok(client) => return (driver, client),
            Err(e) if Instant::now() > deadline => {
                panic!("cannot start Chromium through chromedriver: {e}")
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
}

/// Serves the test app on a free loopback port.
async fn serve(app: &TestApp) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let router = app.router.clone();
    tokio::spawn(async move {
        axum::serve(listener, router).await.unwrap();
    });
    format!("http://{address}")
}

/// Waits until the browser has navigated to a URL containing `part`, so elements found
/// afterwards belong to the new page.
async fn wait_for_url(client: &Client, part: &str) {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let url = client.current_url().await.unwrap();
        if url.as_str().contains(part) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "never reached a URL with {part}: {url}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Signs out and waits for the sign-in page: navigating on at once would cancel the
/// sign-out's response (and its cookie removal), leaving the old session signed in.
async fn sign_out(client: &Client) {
    click(client, Locator::XPath("//button[text()='Sign out']")).await;
    wait_for_url(client, "/signin").await;
    client
        .wait()
        .for_element(Locator::Id("email"))
        .await
        .unwrap();
}

async fn sign_in(client: &Client, base: &str, email: &str) {
    client.goto(&format!("{base}/")).await.unwrap();
    client
        .wait()
        .for_element(Locator::Id("email"))
        .await
        .unwrap()
        .send_keys(email)
        .await
        .unwrap();
    client
        .find(Locator::Id("password"))
        .await
        .unwrap()
        .send_keys(PASSWORD)
        .await
        .unwrap();
    client
        .find(Locator::Css("main form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // Home has the greeting; wait for it rather than any heading (the sign-in page has one).
    client
        .wait()
        .for_element(Locator::Id("my-manager"))
        .await
        .unwrap();
    let h1 = client
        .find(Locator::Css("h1"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(h1.starts_with("Hello,"), "signed in: {h1}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_signs_in_and_finds_a_colleague() {
    let app = TestApp::new("sqlite").await;
    let base = serve(&app).await;
    let (_driver, client) = browser().await;
    sign_in(&client, &base, "dev@acme.test").await;
    client
        .find(Locator::LinkText("People"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let search = client.wait().for_element(Locator::Id("q")).await.unwrap();
    search.send_keys("rita").await.unwrap();
    client
        .find(Locator::Css("form.filters button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_url(&client, "q=rita").await;
    let status = client
        .wait()
        .for_element(Locator::Css("p[role=status]"))
        .await
        .unwrap();
    assert_eq!(status.text().await.unwrap(), "1 person found");
    client
        .find(Locator::LinkText("Rita Rep"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    client
        .wait()
        .for_element(Locator::Id("profile"))
        .await
        .unwrap();
    let page = client.source().await.unwrap();
    assert!(page.contains("Account Executive"));
    assert!(
        !page.contains("E7"),
        "a colleague's employee id stays private"
    );
    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_org_chart_expands_on_demand() {
    let app = TestApp::new("sqlite").await;
    let base = serve(&app).await;
    let (_driver, client) = browser().await;
    sign_in(&client, &base, "rep@acme.test").await;
    client.goto(&format!("{base}/org")).await.unwrap();
    // The CEO's reports are shown; Erin's are loaded when her node is opened.
    let erin = client
        .wait()
        .for_element(Locator::XPath("//summary[.//a[text()='Erin Eng']]"))
        .await
        .unwrap();
    assert!(
        client.find(Locator::LinkText("Max Manager")).await.is_err(),
        "not loaded yet"
    );
    erin.click().await.unwrap();
    let max = client
        .wait()
        .for_element(Locator::LinkText("Max Manager"))
        .await
        .unwrap();
    // And one level further down.
    let max_summary = client
        .find(Locator::XPath("//summary[.//a[text()='Max Manager']]"))
        .await
        .unwrap();
    max_summary.click().await.unwrap();
    client
        .wait()
        .for_element(Locator::LinkText("Dana Dev"))
        .await
        .unwrap();
    drop(max);
    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_uploads_a_csv_and_sees_the_row_error() {
    let app = TestApp::new("sqlite").await;
    let base = serve(&app).await;
    let (_driver, client) = browser().await;
    sign_in(&client, &base, "hr@acme.test").await;
    client
        .find(Locator::LinkText("Admin"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    client
        .wait()
        .for_element(Locator::LinkText("Import people"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hris.csv");
    std::fs::write(
        &path,
        "Email,Name,Manager Email,Hire Date\nnew@acme.test,New Person,mgr@acme.test,2026-01-05\nsecond@acme.test,Second,mgr@acme.test,2026-02-30\n",
    )
    .unwrap();
    let input = client
        .wait()
        .for_element(Locator::Id("file"))
        .await
        .unwrap();
    input.send_keys(path.to_str().unwrap()).await.unwrap();
    client
        .find(Locator::Css("main form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let errors = client
        .wait()
        .for_element(Locator::Id("import-errors"))
        .await
        .unwrap();
    let text = errors.text().await.unwrap();
    assert!(
        text.contains("hris.csv:3: Hire Date: \"2026-02-30\" is not a date"),
        "{text}"
    );
    // Fix the file and apply it.
    std::fs::write(
        &path,
        "Email,Name,Manager Email\nnew@acme.test,New Person,mgr@acme.test\n",
    )
    .unwrap();
    let input = client.find(Locator::Id("file")).await.unwrap();
    input.send_keys(path.to_str().unwrap()).await.unwrap();
    client
        .find(Locator::Css("main form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let apply = client
        .wait()
        .for_element(Locator::XPath("//button[text()='Apply import']"))
        .await
        .unwrap();
    apply.click().await.unwrap();
    let notice = client
        .wait()
        .for_element(Locator::Css("p.notice"))
        .await
        .unwrap();
    assert!(notice.text().await.unwrap().contains("1 added"));
    client.close().await.unwrap();
}

async fn click(client: &Client, locator: Locator<'_>) {
    client
        .wait()
        .for_element(locator)
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

async fn text_of(client: &Client, css: &str) -> String {
    client
        .wait()
        .for_element(Locator::Css(css))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// Waits until the element's text satisfies `ok` (pages are replaced on every form post, so
/// an element found too early may belong to the page before).
async fn wait_text(client: &Client, css: &str, ok: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut last = String::new();
    loop {
        if let Ok(e) = client.find(Locator::Css(css)).await
            && let Ok(t) = e.text().await
        {
            if ok(&t) {
                return t;
            }
            last = t;
        }
        assert!(
            Instant::now() < deadline,
            "{css} never matched; last text: {last}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Sets a date input the way a date picker would (typing depends on the browser locale).
async fn set_date(client: &Client, id: &str, date: &str) {
    client
        .execute(
            "document.getElementById(arguments[0]).value = arguments[1];",
            vec![serde_json::json!(id), serde_json::json!(date)],
        )
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn managers_reorder_and_reassign_and_members_renegotiate_and_complete() {
    use trellis_core::WorkStore;
    let app = TestApp::new("sqlite").await;
    let today = trellis_core::clock::local_date(None, trellis_web::now());
    let in_days = |n: i64| (today + chrono::Duration::days(n)).to_string();
    let mgr_token = app.token("mgr@acme.test").await;
    let dev = app.id("dev@acme.test").await;
    for (title, due) in [("Alpha report", in_days(5)), ("Beta fix", in_days(6))] {
        let r = app
            .api(
                axum::http::Method::POST,
                "/api/v1/commitments",
                Some(&mgr_token),
                Some(serde_json::json!({"title": title, "owner_id": dev, "due_date": due, "effort_hours": 8})),
            )
            .await;
        assert_eq!(r.status, axum::http::StatusCode::CREATED);
    }
    // Work that slipped two days ago and is still open.
    let due = today - chrono::Duration::days(2);
    let mut batch = trellis_core::work::store::WorkBatch::default();
    batch
        .commitments
        .push(trellis_core::work::store::CommitmentRow {
            id: trellis_core::ids::CommitmentId(500),
            new: trellis_core::work::NewCommitment {
                title: "Old task".into(),
                description: String::new(),
                owner: trellis_core::PersonId(dev),
                requester: None,
                objective: None,
                due_date: due,
                effort_hours: 3.0,
                skills: Vec::new(),
                created_at: 0,
                created_on: due - chrono::Duration::days(7),
            },
            due_date: due,
            agreed_due_date: due,
            remaining_hours: 3.0,
            priority: 500,
            status: trellis_core::work::CommitmentStatus::Open,
            completed_at: None,
            completed_on: None,
        });
    app.store.insert_work(&batch).await.unwrap();
    let base = serve(&app).await;
    let (_driver, client) = browser().await;

    // The manager puts Beta first and gives it to Devi.
    sign_in(&client, &base, "mgr@acme.test").await;
    click(&client, Locator::LinkText("Team work")).await;
    wait_for_url(&client, "/team-work/").await;
    let first = text_of(&client, "ol.priorities li:first-child").await;
    assert!(first.starts_with("Alpha report"), "{first}");
    assert_eq!(
        text_of(&client, ".figures li:nth-child(3) strong").await,
        "1",
        "one overdue"
    );
    click(
        &client,
        Locator::Css("button[aria-label='Move Beta fix up']"),
    )
    .await;
    wait_for_url(&client, "#priorities").await;
    wait_text(&client, "ol.priorities li:first-child", |t| {
        t.starts_with("Beta fix")
    })
    .await;
    click(&client, Locator::LinkText("Beta fix")).await;
    wait_text(&client, "h1", |t| t == "Beta fix").await;
    click(
        &client,
        Locator::XPath("//select[@id='f-owner_id']/option[text()='Devi Dev']"),
    )
    .await;
    click(&client, Locator::XPath("//button[text()='Reassign']")).await;
    wait_text(&client, "ul.history", |t| {
        t.contains("Reassigned from Dana Dev to Devi Dev")
    })
    .await;
    sign_out(&client).await;

    // The member moves Alpha in time, completes it, and completes the late task.
    sign_in(&client, &base, "dev@acme.test").await;
    click(&client, Locator::LinkText("My plate")).await;
    wait_for_url(&client, "/plate").await;
    let plate = wait_text(&client, "#open + div", |t| t.contains("Old task")).await;
    assert!(plate.contains("overdue by 2 days"), "{plate}");
    assert!(!plate.contains("Beta fix"), "reassigned away");
    click(&client, Locator::LinkText("Alpha report")).await;
    wait_text(&client, "h1", |t| t == "Alpha report").await;
    set_date(&client, "f-due_date", &in_days(9)).await;
    client
        .find(Locator::Id("f-note"))
        .await
        .unwrap()
        .send_keys("Waiting on the data team")
        .await
        .unwrap();
    click(&client, Locator::XPath("//button[text()='Move due date']")).await;
    wait_text(&client, "ul.history", |t| {
        t.contains("renegotiated in time")
    })
    .await;
    click(&client, Locator::XPath("//button[text()='Mark done']")).await;
    wait_text(&client, "p.lead", |t| {
        t.starts_with("Done") && t.contains("on time")
    })
    .await;
    click(&client, Locator::LinkText("My plate")).await;
    wait_for_url(&client, "/plate").await;
    click(&client, Locator::LinkText("Old task")).await;
    wait_text(&client, "h1", |t| t == "Old task").await;
    click(&client, Locator::XPath("//button[text()='Mark done']")).await;
    wait_text(&client, "p.lead", |t| {
        t.starts_with("Done") && t.contains("late")
    })
    .await;
    sign_out(&client).await;

    // The manager's view shows the new figures.
    sign_in(&client, &base, "mgr@acme.test").await;
    click(&client, Locator::LinkText("Team work")).await;
    wait_for_url(&client, "/team-work/").await;
    wait_text(&client, ".figures li:nth-child(3) strong", |t| t == "0").await;
    let delivered = text_of(&client, ".figures li:first-child").await;
    assert!(delivered.contains("0 of 1 on time"), "{delivered}");
    let rows = text_of(&client, "#people ~ div table").await;
    assert!(rows.contains("Dana Dev"), "{rows}");
    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manager_posts_an_opportunity_reads_the_suggestions_and_accepts_one() {
    let app = TestApp::new("sqlite").await;
    let base = serve(&app).await;
    let (_driver, client) = browser().await;
    sign_in(&client, &base, "mgr@acme.test").await;
    click(&client, Locator::LinkText("Opportunities")).await;
    click(&client, Locator::LinkText("Post an opportunity")).await;
    for (id, value) in [
        ("f-title", "Speed up the build"),
        ("f-skills", "rust 3"),
        ("f-hours_per_week", "4"),
        ("f-weeks", "6"),
    ] {
        client
            .wait()
            .for_element(Locator::Id(id))
            .await
            .unwrap()
            .send_keys(value)
            .await
            .unwrap();
    }
    click(
        &client,
        Locator::XPath("//button[text()='Post opportunity']"),
    )
    .await;
    let table = wait_text(&client, "#suggestions ~ div table", |t| {
        t.contains("Dana Dev")
    })
    .await;
    assert!(
        table.contains("Dana Dev wants to grow rust (2 → 3) and has"),
        "{table}"
    );
    click(
        &client,
        Locator::Css("button[aria-label='Accept Dana Dev']"),
    )
    .await;
    // Asked once, without JavaScript: a page that repeats the choice.
    wait_text(&client, "h1", |t| t == "Propose for this opportunity?").await;
    click(&client, Locator::XPath("//button[text()='Propose']")).await;
    let proposed = wait_text(&client, "main ul.plain", |t| t.contains("approved")).await;
    assert!(proposed.contains("Dana Dev"), "{proposed}");
    click(&client, Locator::LinkText("the commitment")).await;
    wait_text(&client, "h1", |t| t == "Speed up the build").await;
    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_records_plate_wishes_and_the_manager_sees_them() {
    let app = TestApp::new("sqlite").await;
    let base = serve(&app).await;
    let (_driver, client) = browser().await;
    sign_in(&client, &base, "dev@acme.test").await;
    click(&client, Locator::LinkText("My plate")).await;
    wait_for_url(&client, "/plate").await;
    click(
        &client,
        Locator::XPath("//select[@id='f-direction']/option[@value='on']"),
    )
    .await;
    client
        .find(Locator::Id("f-what"))
        .await
        .unwrap()
        .send_keys("more SQL")
        .await
        .unwrap();
    click(&client, Locator::XPath("//button[text()='Add wish']")).await;
    wait_text(&client, "#wishes ~ div.grid", |t| t.contains("more SQL")).await;
    sign_out(&client).await;
    sign_in(&client, &base, "mgr@acme.test").await;
    click(&client, Locator::LinkText("Team work")).await;
    let table = wait_text(&client, "#people ~ div table", |t| t.contains("Dana Dev")).await;
    assert!(table.contains("on more SQL"), "{table}");
    client.close().await.unwrap();
}

async fn fill(client: &Client, id: &str, value: &str) {
    let field = client.wait().for_element(Locator::Id(id)).await.unwrap();
    field.clear().await.unwrap();
    field.send_keys(value).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_runs_and_publishes_a_mentoring_round() {
    let app = TestApp::new("sqlite").await;
    let base = serve(&app).await;
    let (_driver, client) = browser().await;
    // A mentee states goals; a mentor first says 0 mentees and is told why.
    sign_in(&client, &base, "dev@acme.test").await;
    click(&client, Locator::LinkText("Mentoring")).await;
    wait_for_url(&client, "/mentoring").await;
    fill(&client, "f-skills", "rust, sql").await;
    click(&client, Locator::XPath("//button[text()='Save my goals']")).await;
    wait_text(&client, "#mentee ~ p.hint", |t| {
        t.contains("You take part in the next round")
    })
    .await;
    sign_out(&client).await;
    sign_in(&client, &base, "eng.head@acme.test").await;
    click(&client, Locator::LinkText("Mentoring")).await;
    wait_for_url(&client, "/mentoring").await;
    fill(&client, "f-strengths", "rust").await;
    fill(&client, "f-capacity", "0").await;
    click(
        &client,
        Locator::XPath("//button[text()='Save my mentor profile']"),
    )
    .await;
    let error = wait_text(&client, ".error-summary", |t| !t.is_empty()).await;
    assert!(error.contains("at least 1 mentee"), "{error}");
    fill(&client, "f-capacity", "2").await;
    click(
        &client,
        Locator::XPath("//button[text()='Save my mentor profile']"),
    )
    .await;
    wait_text(&client, "#mentor ~ p.hint", |t| {
        t.contains("You offer rust to up to 2 mentees")
    })
    .await;
    sign_out(&client).await;

    // The admin runs the round, reads the pair and why, and publishes.
    sign_in(&client, &base, "hr@acme.test").await;
    click(&client, Locator::LinkText("Mentoring")).await;
    click(&client, Locator::LinkText("Matching rounds")).await;
    wait_for_url(&client, "/mentoring/rounds").await;
    let lead = text_of(&client, "p.lead").await;
    assert!(
        lead.starts_with("1 mentee and 1 mentor (2 places)"),
        "{lead}"
    );
    fill(&client, "f-name", "Winter mentoring").await;
    click(
        &client,
        Locator::XPath("//input[@name='goal' and @value='most_matched']"),
    )
    .await;
    click(
        &client,
        Locator::XPath("//button[text()='Run the matching']"),
    )
    .await;
    wait_text(&client, "h1", |t| t == "Winter mentoring").await;
    let table = text_of(&client, "main table").await;
    assert!(
        table.contains("Dana Dev")
            && table.contains("Erin Eng offers rust (1 of Dana\u{2019}s 2 goals)"),
        "{table}"
    );
    click(
        &client,
        Locator::XPath("//button[text()='Publish 1 mentorship']"),
    )
    .await;
    wait_text(&client, "h1", |t| t == "Publish this round?").await;
    click(
        &client,
        Locator::XPath("//button[text()='Publish the round']"),
    )
    .await;
    wait_text(&client, "p.lead", |t| t.starts_with("Published")).await;
    // Both people's pages show it.
    click(&client, Locator::LinkText("Dana Dev")).await;
    let section = wait_text(&client, "#mentoring ~ table", |t| t.contains("Erin Eng")).await;
    assert!(
        section.contains("Mentee") && section.contains("running"),
        "{section}"
    );
    // Plans change: the admin ends it early, with a reason, from the same page.
    click(&client, Locator::XPath("//summary[text()='End early']")).await;
    let note = client
        .find(Locator::Css("input[name='note']"))
        .await
        .unwrap();
    note.send_keys("Dana moved to the data team").await.unwrap();
    click(
        &client,
        Locator::XPath("//button[text()='End this mentorship today']"),
    )
    .await;
    let section = wait_text(&client, "#mentoring ~ table", |t| t.contains("Ended early")).await;
    assert!(
        section.contains("by you: \u{201c}Dana moved to the data team\u{201d}")
            && !section.contains("running"),
        "{section}"
    );
    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sign_in_link_never_sends_the_browser_to_another_origin() {
    let app = TestApp::new("sqlite").await;
    let base = serve(&app).await;
    // Another origin on loopback that a crafted link would like to land on.
    let other = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let other_address = other.local_addr().unwrap();
    tokio::spawn(async move {
        let router = axum::Router::new().fallback(|| async { "another site" });
        axum::serve(other, router).await.unwrap();
    });
    let (_driver, client) = browser().await;
    for next in [
        format!("%2F%09%2F{other_address}/x"),
        format!("%2F%0A%2F{other_address}/x"),
        format!("%2F%5C{other_address}/x"),
    ] {
        client
            .goto(&format!("{base}/signin?next={next}"))
            .await
            .unwrap();
        fill(&client, "email", "dev@acme.test").await;
        fill(&client, "password", PASSWORD).await;
        click(&client, Locator::Css("main form button[type=submit]")).await;
        client
            .wait()
            .for_element(Locator::Id("my-manager"))
            .await
            .unwrap();
        let url = client.current_url().await.unwrap();
        assert_eq!(url.as_str(), format!("{base}/"), "next={next}");
        // Were a script ever injected into a page, the policy would keep it from running.
        let ran = client
            .execute(
                "const s = document.createElement('script'); s.textContent = 'window.injected = 1'; \
                 document.body.appendChild(s); return window.injected === 1;",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(ran, serde_json::Value::Bool(false), "an inline script ran");
        // Sign out for the next link.
        client.delete_all_cookies().await.unwrap();
    }
    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invited_person_chooses_a_password_and_lands_on_their_next_actions() {
    use axum::http::Method;
    let app = TestApp::new("sqlite").await;
    let base = serve(&app).await;
    let sink = trellis_mail::testing::SmtpSink::start(0).await;
    let hr = app.token("hr@acme.test").await;
    let mgr = app.id("mgr@acme.test").await;
    let r = app
        .api(
            Method::POST,
            "/api/v1/people",
            Some(&hr),
            Some(
                serde_json::json!({"name": "Nia New", "email": "nia@acme.test", "manager_id": mgr}),
            ),
        )
        .await;
    let nia = r.json()["id"].as_i64().unwrap();
    let r = app
        .api(
            Method::POST,
            "/api/v1/invitations",
            Some(&hr),
            Some(serde_json::json!({"person_ids": [nia]})),
        )
        .await;
    assert_eq!(r.status, axum::http::StatusCode::ACCEPTED, "{}", r.text());
    let mailer = trellis_mail::SmtpMailer::new(&sink.url(), "people@acme.test").unwrap();
    trellis_mail::drain(app.store.as_ref(), &mailer, "test").await;
    let link = sink.received()[0]
        .link_containing("/welcome/")
        .expect("the invitation's link");
    let path = link.strip_prefix("http://127.0.0.1:8080").unwrap();
    let (_driver, client) = browser().await;
    client.goto(&format!("{base}{path}")).await.unwrap();
    let intro = text_of(&client, "main p").await;
    assert!(intro.contains("nia@acme.test"), "{intro}");
    fill(&client, "password", "plum orchard at dusk").await;
    fill(&client, "confirm", "plum orchard at dusk").await;
    click(&client, Locator::Css("main form button[type=submit]")).await;
    wait_for_url(&client, "welcome=1").await;
    let notice = text_of(&client, "p.notice").await;
    assert!(notice.contains("your password is set"), "{notice}");
    let next = text_of(&client, ".next-actions").await;
    assert!(next.contains("What is waiting for you"), "{next}");
    let h1 = text_of(&client, "h1").await;
    assert_eq!(h1, "Hello, Nia");
    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manager_approves_stretch_work_from_the_notification() {
    use axum::http::Method;
    let app = TestApp::new("sqlite").await;
    let base = serve(&app).await;
    let mgr = app.token("mgr@acme.test").await;
    let rep = app.id("rep@acme.test").await;
    let o = app
        .api(
            Method::POST,
            "/api/v1/opportunities",
            Some(&mgr),
            Some(
                serde_json::json!({"title": "Run the customer interviews", "hours_per_week": 3,
                "weeks": 4, "needs_manager_approval": true,
                "requirements": [{"skill": "negotiation", "level": 3}]}),
            ),
        )
        .await
        .json();
    let id = o["id"].as_i64().unwrap();
    let r = app
        .api(
            Method::POST,
            &format!("/api/v1/opportunities/{id}/accept"),
            Some(&mgr),
            Some(serde_json::json!({"person_id": rep})),
        )
        .await;
    assert_eq!(r.status, axum::http::StatusCode::CREATED, "{}", r.text());
    let (_driver, client) = browser().await;
    sign_in(&client, &base, "sales.head@acme.test").await;
    let bell = text_of(&client, "a.bell").await;
    assert!(bell.contains('1'), "the bell counts one: {bell}");
    click(&client, Locator::Css("a.bell")).await;
    wait_for_url(&client, "/notifications").await;
    click(
        &client,
        Locator::XPath(
            "//ul[@class='notifications']//button[contains(., 'waits for your approval')]",
        ),
    )
    .await;
    wait_for_url(&client, "/team-work/").await;
    click(
        &client,
        Locator::Css("button[aria-label='Approve Rita Rep for Run the customer interviews']"),
    )
    .await;
    // The decision is kept.
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let placement = app
            .api(
                Method::GET,
                &format!("/api/v1/opportunities/{id}"),
                Some(&mgr),
                None,
            )
            .await
            .json()["placements"][0]
            .clone();
        if placement["manager_approved"] == true {
            assert_eq!(placement["candidate_consent"], "asked", "{placement}");
            break;
        }
        assert!(Instant::now() < deadline, "never approved: {placement}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The notification was read when it was opened.
    client.goto(&format!("{base}/")).await.unwrap();
    let bell = text_of(&client, "a.bell").await;
    assert!(!bell.contains('1'), "nothing unread: {bell}");
    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_signs_in_with_single_sign_on_and_lands_where_they_were_going() {
    use common::oidc::{CLIENT_ID, CLIENT_SECRET, OidcProvider};
    // The redirect URI comes from the public URL, so the address is chosen first.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let provider = OidcProvider::start(&format!("{base}/signin/sso/callback"));
    let sso = trellis_sso::Provider::new(trellis_sso::SsoConfig {
        issuer: provider.issuer.clone(),
        client_id: CLIENT_ID.into(),
        client_secret: CLIENT_SECRET.into(),
        label: "Acme ID".into(),
        public_url: base.clone(),
    })
    .unwrap();
    let config = trellis_web::WebConfig {
        site: trellis_core::mail::Site::new(&base),
        sso: Some(std::sync::Arc::new(sso)),
        ..Default::default()
    };
    let app = TestApp::with_config("sqlite", config).await;
    let router = app.router.clone();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    provider
        .sign_in_as("u-dana", "dev@acme.test", Some(true), "Dana Dev")
        .await;

    let (_driver, client) = browser().await;
    // A page that needs a session sends the browser to sign in, then back to it.
    client.goto(&format!("{base}/plate")).await.unwrap();
    wait_for_url(&client, "/signin").await;
    click(&client, Locator::LinkText("Sign in with Acme ID")).await;
    // Back at Trellis, on her own plate (where /plate leads).
    wait_for_url(&client, &format!("{base}/people/")).await;
    let url = client.current_url().await.unwrap();
    assert!(url.path().ends_with("/plate"), "{url}");
    client.goto(&format!("{base}/")).await.unwrap();
    assert_eq!(text_of(&client, "h1").await, "Hello, Dana");
    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_aligned_to_picker_narrows_as_you_type() {
    use axum::http::Method;
    let app = TestApp::new("sqlite").await;
    let base = serve(&app).await;
    let quarter = trellis_core::work::objectives::quarter_of(chrono::Utc::now().date_naive());
    for email in ["dev@acme.test", "dev2@acme.test", "mgr@acme.test"] {
        let token = app.token(email).await;
        let title = if email == "mgr@acme.test" {
            "Faster builds"
        } else {
            "Grow my code review"
        };
        let r = app
            .api(
                Method::POST,
                "/api/v1/objectives",
                Some(&token),
                Some(serde_json::json!({"title": title, "quarter": quarter})),
            )
            .await;
        assert_eq!(r.status, axum::http::StatusCode::CREATED, "{}", r.text());
    }
    let (_driver, client) = browser().await;
    sign_in(&client, &base, "rep@acme.test").await;
    client
        .goto(&format!("{base}/objectives/new"))
        .await
        .unwrap();
    let search = client
        .wait()
        .for_element(Locator::Css("input.picker-search"))
        .await
        .unwrap();
    search.send_keys("code devi").await.unwrap();
    let shown = client
        .execute(
            "return Array.from(document.querySelectorAll('#f-parent_id option'))\
             .filter(o => !o.hidden && o.value).map(o => o.text)",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        shown,
        serde_json::json!(["Personal: Grow my code review — Devi Dev"]),
        "only Devi's of the two identical titles"
    );
    client.close().await.unwrap();
}

/// The pages a role reaches: the navigation's, and the links on those (one step), on this
/// site, without signing out or downloading.
async fn reachable_pages(client: &Client, base: &str) -> Vec<String> {
    let links = |css: &'static str| async move {
        let found = client
            .execute(
                &format!("return Array.from(document.querySelectorAll('{css}')).map(a => a.href)"),
                vec![],
            )
            .await
            .unwrap();
        found
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|v| v.as_str().map(String::from))
            .collect::<Vec<_>>()
    };
    client.goto(&format!("{base}/")).await.unwrap();
    let mut pages: Vec<String> = links("header a").await;
    let first = pages.clone();
    for page in first {
        if client.goto(&page).await.is_ok() {
            pages.extend(links("main a").await);
        }
    }
    // One page of each kind: /people/24 and /people/25 are laid out alike.
    let kind = |page: &str| -> String {
        page.split(['?', '#'])
            .next()
            .unwrap_or("")
            .split('/')
            .map(|part| {
                if part.chars().all(|c| c.is_ascii_digit()) && !part.is_empty() {
                    "#"
                } else {
                    part
                }
            })
            .collect::<Vec<_>>()
            .join("/")
    };
    let mut seen = std::collections::BTreeSet::new();
    pages
        .into_iter()
        .map(|p| p.split('#').next().unwrap_or("").to_string())
        .filter(|p| p.starts_with(base))
        .filter(|p| !p.contains("/export") && !p.contains("/signout") && !p.ends_with(".csv"))
        .filter(|p| seen.insert(kind(p)))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_page_is_wider_than_a_phone() {
    let (app, people) = common::demo_app().await;
    let base = serve(&app).await;
    let (_driver, client) = browser().await;
    client.set_window_size(390, 844).await.unwrap();
    let mut too_wide = Vec::new();
    let mut visited: Vec<String> = Vec::new();
    for email in people.iter().rev() {
        sign_in(&client, &base, email).await;
        let pages = reachable_pages(&client, &base).await;
        visited.extend(
            pages
                .iter()
                .map(|p| p.trim_start_matches(&base).to_string()),
        );
        for page in pages {
            client.goto(&page).await.unwrap();
            let sizes = client
                .execute(
                    "return [document.documentElement.scrollWidth, window.innerWidth]",
                    vec![],
                )
                .await
                .unwrap();
            let (scroll, inner) = (sizes[0].as_i64().unwrap(), sizes[1].as_i64().unwrap());
            assert!(inner <= 390, "the window is a phone's: {inner}");
            if scroll > inner {
                // Name the element that sticks out furthest, to say what to fix.
                let culprit = client
                    .execute(
                        "let w = null, r = 0; document.querySelectorAll('main *').forEach(e => { \
                         const b = e.getBoundingClientRect().right; \
                         if (b > r + 0.5 && e.children.length === 0) { r = b; w = e; } }); \
                         return w ? w.tagName + '.' + w.className + ' in ' + w.parentElement.tagName + '.' \
                           + w.parentElement.className + ' ' + Math.round(r) + ' px' : ''",
                        vec![],
                    )
                    .await
                    .unwrap();
                too_wide.push(format!("{email} {page}: {scroll} px ({culprit})"));
            }
        }
        sign_out(&client).await;
    }
    client.close().await.unwrap();
    for must in [
        "/plate",
        "/talent",
        "/team-work",
        "/org",
        "/mentoring",
        "/admin/accounts",
        "/one-on-ones",
        "/feedback",
    ] {
        assert!(
            visited.iter().any(|p| p.starts_with(must)),
            "{must} was checked: {visited:?}"
        );
    }
    println!("{} pages checked at 390 px", visited.len());
    assert!(
        too_wide.is_empty(),
        "pages wider than 390 px:\n{}",
        too_wide.join("\n")
    );
}

/// On a phone the org chart's open/close arrow stays beside the name it opens, however
/// long the title: the name starts on the arrow's line.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn org_chart_arrows_stay_beside_their_names_on_a_phone() {
    let (app, people) = common::demo_app().await;
    let base = serve(&app).await;
    let (_driver, client) = browser().await;
    client.set_window_size(390, 844).await.unwrap();
    sign_in(&client, &base, &people[0]).await;
    client.goto(&format!("{base}/org")).await.unwrap();
    // Open every node on the first two levels, waiting for each one's reports.
    for _ in 0..2 {
        let opened = client
            .execute(
                "const s = [...document.querySelectorAll('.org-tree details:not([open]) > summary')]; \
                 s.forEach(e => e.click()); return s.length",
                vec![],
            )
            .await
            .unwrap();
        assert!(opened.as_i64().unwrap() > 0, "there is something to open");
        wait_text(&client, ".org-tree", |_| true).await;
        tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    }
    let apart = client
        .execute(
            "return [...document.querySelectorAll('.org-tree summary')].filter(s => { \
               const name = s.querySelector('.node a').getBoundingClientRect(); \
               return name.top - s.getBoundingClientRect().top > 6; \
             }).map(s => s.querySelector('.node a').textContent)",
            vec![],
        )
        .await
        .unwrap();
    let total = client
        .execute(
            "return document.querySelectorAll('.org-tree summary').length",
            vec![],
        )
        .await
        .unwrap();
    assert!(
        total.as_i64().unwrap() > 5,
        "several nodes were opened: {total}"
    );
    assert_eq!(
        apart,
        serde_json::json!([]),
        "names pushed below their arrow"
    );
    client.close().await.unwrap();
}

/// The ways to source work side by side: every card of a row starts on the same line.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sourcing_cards_sit_in_line() {
    use axum::http::Method;
    let app = TestApp::new("sqlite").await;
    let mgr = app.token("mgr@acme.test").await;
    let today = chrono::Utc::now().date_naive().to_string();
    let r = app
        .api(
            Method::POST,
            "/api/v1/opportunities",
            Some(&mgr),
            Some(
                serde_json::json!({"title": "Tune the kernel", "hours_per_week": 4, "weeks": 4,
                    "requirements": [{"skill": "kernel tuning", "level": 3}]}),
            ),
        )
        .await;
    let id = r.json()["id"].as_i64().unwrap();
    for (name, rate) in [("Kim Park", 90), ("Lee Moss", 120), ("Ola Berg", 70)] {
        let r = app
            .api(
                Method::POST,
                "/api/v1/talent",
                Some(&mgr),
                Some(serde_json::json!({"name": name, "skills": [{"skill": "kernel tuning", "level": 4}],
                        "hourly_rate": rate, "hours_per_week": 20, "available_from": today})),
            )
            .await;
        assert_eq!(r.status.as_u16(), 201, "{}", r.text());
    }
    let base = serve(&app).await;
    let (_driver, client) = browser().await;
    client.set_window_size(1280, 900).await.unwrap();
    sign_in(&client, &base, "mgr@acme.test").await;
    client
        .goto(&format!("{base}/opportunities/{id}"))
        .await
        .unwrap();
    let tops = client
        .execute(
            "return [...document.querySelectorAll('.options > .card')].map(c => Math.round(c.getBoundingClientRect().top))",
            vec![],
        )
        .await
        .unwrap();
    let tops: Vec<i64> = tops
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_i64().unwrap())
        .collect();
    assert!(tops.len() >= 3, "the options are shown: {tops:?}");
    assert!(
        tops.iter().all(|t| *t == tops[0]),
        "one row, one line: {tops:?}"
    );
    client.close().await.unwrap();
}

/// A manager drags the fourth priority to the top; the drop sends the row's own
/// "move to place" form, and the page comes back in the new order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manager_drags_a_priority_to_the_top() {
    use axum::http::Method;
    let app = TestApp::new("sqlite").await;
    let mgr = app.token("mgr@acme.test").await;
    let dana = app.id("dev@acme.test").await;
    let due = (chrono::Utc::now().date_naive() + chrono::Duration::days(9)).to_string();
    for title in ["First", "Second", "Third", "Fourth"] {
        let r = app
            .api(
                Method::POST,
                "/api/v1/commitments",
                Some(&mgr),
                Some(serde_json::json!({"title": title, "owner_id": dana, "due_date": due, "effort_hours": 1})),
            )
            .await;
        assert_eq!(r.status.as_u16(), 201, "{}", r.text());
    }
    let base = serve(&app).await;
    let (_driver, client) = browser().await;
    sign_in(&client, &base, "mgr@acme.test").await;
    click(&client, Locator::LinkText("Team work")).await;
    wait_for_url(&client, "/team-work/").await;
    let hint = text_of(&client, "#priorities + p.hint").await;
    assert!(hint.starts_with("Drag a row to its place"), "{hint}");
    // WebDriver cannot hold a native drag, so the page gets the events a mouse sends.
    client
        .execute(
            "const rows = document.querySelectorAll('ol.priorities > li'); \
             const from = rows[3], to = rows[0], data = new DataTransfer(); \
             const box = to.getBoundingClientRect(); \
             const at = {bubbles: true, cancelable: true, dataTransfer: data, clientX: box.left + 5, clientY: box.top + 1}; \
             from.dispatchEvent(new DragEvent('dragstart', at)); \
             to.dispatchEvent(new DragEvent('dragover', at)); \
             to.dispatchEvent(new DragEvent('drop', at));",
            vec![],
        )
        .await
        .unwrap();
    wait_for_url(&client, "#priorities").await;
    let order = wait_text(&client, "ol.priorities", |t| t.starts_with("Fourth")).await;
    let at = |t: &str| order.find(t).unwrap();
    assert!(
        at("Fourth") < at("First") && at("First") < at("Second") && at("Second") < at("Third"),
        "{order}"
    );
    client.close().await.unwrap();
}

/// A manager and a report prepare a 1:1, tick a point, agree an action item that lands on
/// the report's plate; a week later the next meeting shows the point carried over.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manager_and_a_report_hold_a_one_on_one() {
    use axum::http::Method;
    let app = TestApp::new("sqlite").await;
    let runner = trellis_core::housekeeping::Runner {
        store: app.store.clone(),
    };
    trellis_mail::run_due(&runner, "test").await;
    let max = app.token("mgr@acme.test").await;
    let dana = app.id("dev@acme.test").await;
    let list = app
        .api(Method::GET, "/api/v1/one-on-ones", Some(&max), None)
        .await
        .json();
    let id = list
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["other"]["id"] == dana)
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let today = chrono::Utc::now().date_naive();
    let base = serve(&app).await;
    let (_driver, client) = browser().await;

    // Max sets the time and adds a point.
    sign_in(&client, &base, "mgr@acme.test").await;
    click(&client, Locator::LinkText("1:1s")).await;
    click(&client, Locator::LinkText("1:1 with Dana Dev")).await;
    set_date(
        &client,
        "s-first_date",
        &(today + chrono::Duration::days(1)).to_string(),
    )
    .await;
    click(&client, Locator::XPath("//button[text()='Save the time']")).await;
    wait_text(&client, "h2#agenda", |t| t == "Agenda").await;
    fill(&client, "a-text", "Q3 roadmap").await;
    click(&client, Locator::XPath("//button[text()='Add']")).await;
    wait_text(&client, "ul.points", |t| t.contains("Q3 roadmap")).await;
    sign_out(&client).await;

    // Dana adds hers.
    sign_in(&client, &base, "dev@acme.test").await;
    click(&client, Locator::LinkText("1:1s")).await;
    click(&client, Locator::LinkText("1:1 with Max Manager")).await;
    fill(&client, "a-text", "Conference budget").await;
    click(&client, Locator::XPath("//button[text()='Add']")).await;
    wait_text(&client, "ul.points", |t| t.contains("Conference budget")).await;
    sign_out(&client).await;

    // In the meeting Max ticks his point and gives Dana an action item.
    sign_in(&client, &base, "mgr@acme.test").await;
    client
        .goto(&format!("{base}/one-on-ones/{id}"))
        .await
        .unwrap();
    click(
        &client,
        Locator::Css("button[aria-label='Tick Q3 roadmap']"),
    )
    .await;
    wait_text(
        &client,
        "h2#agenda + p + ul.points, section[aria-labelledby='agenda']",
        |t| t.contains("Discussed"),
    )
    .await;
    fill(&client, "x-title", "Draft the conference proposal").await;
    click(
        &client,
        Locator::XPath("//select[@id='x-owner']/option[text()='Dana Dev']"),
    )
    .await;
    set_date(
        &client,
        "x-due",
        &(today + chrono::Duration::days(10)).to_string(),
    )
    .await;
    fill(&client, "x-effort", "3").await;
    click(
        &client,
        Locator::XPath("//button[text()='Add action item']"),
    )
    .await;
    wait_text(&client, "section[aria-labelledby='actions']", |t| {
        t.contains("Draft the conference proposal · Dana Dev")
    })
    .await;
    sign_out(&client).await;

    // It is on Dana's plate.
    sign_in(&client, &base, "dev@acme.test").await;
    click(&client, Locator::LinkText("My plate")).await;
    wait_text(&client, "main", |t| {
        t.contains("Draft the conference proposal")
    })
    .await;

    // A week passes: the meeting took place, and the next one carries Dana's point.
    for sql in [
        "UPDATE one_on_one_series SET first_date = date(first_date, '-7 days')",
        "UPDATE talking_points SET created_at = created_at - 8 * 86400, \
         ticked_meeting = date(ticked_meeting, '-7 days')",
        "UPDATE one_on_one_actions SET meeting = date(meeting, '-7 days')",
    ] {
        sqlx::query(sql).execute(app.store.pool()).await.unwrap();
    }
    client
        .goto(&format!("{base}/one-on-ones/{id}/meetings/current"))
        .await
        .unwrap();
    let agenda = text_of(&client, "section[aria-labelledby='agenda']").await;
    assert!(
        agenda.contains("Conference budget") && agenda.contains("carried over"),
        "{agenda}"
    );
    assert!(
        !agenda.contains("Q3 roadmap"),
        "discussed last time: {agenda}"
    );
    click(&client, Locator::Css("nav.meetings li:first-child a")).await;
    wait_text(&client, "section[aria-labelledby='agenda']", |t| {
        t.contains("Discussed") && t.contains("Q3 roadmap")
    })
    .await;
    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_answers_the_advice_pulse_by_searching_as_they_type() {
    use axum::http::Method;
    let app = TestApp::new("sqlite").await;
    let hr = app.token("hr@acme.test").await;
    let r = app
        .api(
            Method::PATCH,
            "/api/v1/settings",
            Some(&hr),
            Some(serde_json::json!({"advice_pulse_every_months": 1})),
        )
        .await;
    assert_eq!(r.status, axum::http::StatusCode::OK, "{}", r.text());
    let base = serve(&app).await;
    let (_driver, client) = browser().await;
    sign_in(&client, &base, "rep@acme.test").await;
    client.goto(&format!("{base}/advice")).await.unwrap();
    assert_eq!(
        text_of(&client, "h2#question").await,
        "Who have you gone to for advice in the last month?"
    );
    let search = client
        .wait()
        .for_element(Locator::Css("input[data-people-search]"))
        .await
        .unwrap();
    search.send_keys("dana").await.unwrap();
    let found = wait_text(&client, "ul.search-results", |t| t.contains("Dana Dev")).await;
    assert!(!found.contains("Rita"), "never oneself: {found}");
    click(&client, Locator::Css("ul.search-results button")).await;
    let chosen = wait_text(&client, "ul.chosen", |t| t.contains("Dana Dev")).await;
    assert!(chosen.contains("Remove"), "{chosen}");
    click(
        &client,
        Locator::Css("form.advice-form button[type=submit]"),
    )
    .await;
    let notice = wait_text(&client, "p.notice", |t| t.contains("naming")).await;
    assert!(notice.contains("naming 1 colleague"), "{notice}");
    assert!(
        !text_of(&client, "main").await.contains("Dana"),
        "whom she named is not shown back"
    );
    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_opts_out_and_excludes_an_admin_runs_a_round_and_a_pair_says_it_met() {
    use axum::http::Method;
    let app = TestApp::new("sqlite").await;
    let hr = app.token("hr@acme.test").await;
    let today = chrono::Utc::now().date_naive().to_string();
    let r = app
        .api(
            Method::POST,
            "/api/v1/connect/programmes",
            Some(&hr),
            Some(
                serde_json::json!({"name": "Coffee roulette", "audience": "everyone",
                "rhythm_weeks": 2, "group_size": 2, "first_round_on": today}),
            ),
        )
        .await;
    assert_eq!(r.status, axum::http::StatusCode::CREATED, "{}", r.text());
    let id = r.json()["programme"]["id"].as_i64().unwrap();
    let base = serve(&app).await;
    let (_driver, client) = browser().await;

    // Devi privately excludes Rita, then opts out of the programme.
    sign_in(&client, &base, "dev2@acme.test").await;
    client.goto(&format!("{base}/connect")).await.unwrap();
    let search = client
        .wait()
        .for_element(Locator::Css("#x-emails"))
        .await
        .unwrap();
    search.send_keys("rita").await.unwrap();
    wait_text(&client, "ul.search-results", |t| t.contains("Rita Rep")).await;
    click(&client, Locator::Css("ul.search-results button")).await;
    wait_text(&client, "ul.chosen", |t| t.contains("Rita Rep")).await;
    click(
        &client,
        Locator::Css("form.advice-form button[type=submit]"),
    )
    .await;
    let list = wait_text(&client, "ul.exclusions", |t| t.contains("Rita Rep")).await;
    assert!(list.contains("Remove"), "{list}");
    click(&client, Locator::LinkText("Coffee roulette")).await;
    click(&client, Locator::Css("button[value=out]")).await;
    wait_text(&client, "#taking-part + p", |t| {
        t.contains("You are out of this programme.")
    })
    .await;
    sign_out(&client).await;

    // Hana runs a round and reads what it did.
    sign_in(&client, &base, "hr@acme.test").await;
    client.goto(&format!("{base}/connect/{id}")).await.unwrap();
    click(&client, Locator::Css("form[action$='/round'] button")).await;
    let rounds = wait_text(&client, "ul.rounds", |t| t.contains("Round 1")).await;
    assert!(
        rounds.contains("7 people took part: 2 pairs and 1 trio"),
        "{rounds}"
    );
    assert!(
        text_of(&client, "main")
            .await
            .contains("Pairs who have met")
    );
    sign_out(&client).await;

    // Dana works Monday to Thursday; the page says so.
    sign_in(&client, &base, "dev@acme.test").await;
    client.goto(&format!("{base}/connect")).await.unwrap();
    click(&client, Locator::LinkText("Change your working hours")).await;
    wait_text(&client, "h1", |t| t == "Your working hours").await;
    click(&client, Locator::Css("input[name=day5]")).await;
    click(
        &client,
        Locator::Css("form[action='/connect/working-hours'] button:not([name])"),
    )
    .await;
    let hours = wait_text(&client, "section[aria-labelledby=working-hours]", |t| {
        t.contains("Monday to Thursday")
    })
    .await;
    assert!(hours.contains("Monday to Thursday, 09:00–17:00"), "{hours}");
    sign_out(&client).await;

    // Dana sees whom she meets and says they met; so does her partner.
    sign_in(&client, &base, "dev@acme.test").await;
    client.goto(&format!("{base}/connect/{id}")).await.unwrap();
    let connection = wait_text(&client, "p.connection", |t| t.contains("you meet")).await;
    assert!(!connection.contains("Devi"), "Devi opted out: {connection}");
    let slot = text_of(&client, "p.slot").await;
    assert!(
        slot.starts_with("Suggested: ") && slot.contains(" your time, for 30 minutes"),
        "{slot}"
    );
    let partner = client
        .find(Locator::Css("p.connection a"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    click(&client, Locator::Css("button[value=met]")).await;
    wait_text(&client, "p.notice", |t| t.contains("You met")).await;
    sign_out(&client).await;
    let email = match partner.as_str() {
        "Cleo Ceo" => "ceo@acme.test",
        "Erin Eng" => "eng.head@acme.test",
        "Max Manager" => "mgr@acme.test",
        "Sam Sales" => "sales.head@acme.test",
        "Rita Rep" => "rep@acme.test",
        "Hana Hr" => "hr@acme.test",
        other => panic!("unexpected partner {other}"),
    };
    sign_in(&client, &base, email).await;
    client.goto(&format!("{base}/connect/{id}")).await.unwrap();
    let theirs = wait_text(&client, "p.connection", |t| t.contains("you meet")).await;
    assert!(theirs.contains("Dana Dev"), "{theirs}");
    // The group already said it met: the page says so for both.
    wait_text(&client, "p.notice", |t| t.contains("You met")).await;
    let figure = text_of(&client, "p.figure").await;
    assert!(figure.starts_with("You have met "), "{figure}");
    assert!(figure.ends_with(" of your 6 colleagues here."), "{figure}");
    sign_out(&client).await;

    // Hana archives it, asked once; its history stays and it runs no more rounds.
    sign_in(&client, &base, "hr@acme.test").await;
    client.goto(&format!("{base}/connect/{id}")).await.unwrap();
    click(&client, Locator::Css("form[action$='/archive'] button")).await;
    let question = wait_text(&client, "main", |t| t.contains("Archive this programme?")).await;
    assert!(question.contains("will run no more rounds"), "{question}");
    click(
        &client,
        Locator::Css("form[action$='/archive'] button[type=submit]"),
    )
    .await;
    let archived = wait_text(&client, "main", |t| t.contains("Archived on")).await;
    assert!(archived.contains("Round 1"), "{archived}");
    assert!(!archived.contains("Run the next round now"), "{archived}");
    client.close().await.unwrap();
}

/// An admin marks a key role, puts two people on its plan with their readiness, reads the
/// evidence beside each and moves the second up; the candidate finds no such page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_builds_a_succession_plan_and_reads_the_evidence() {
    let app = TestApp::new("sqlite").await;
    let base = serve(&app).await;
    let (_driver, client) = browser().await;
    sign_in(&client, &base, "hr@acme.test").await;
    click(&client, Locator::LinkText("Succession")).await;
    fill(&client, "k-holder_email", "mgr@acme.test").await;
    click(&client, Locator::XPath("//button[text()='Mark key role']")).await;
    wait_text(&client, "h1", |t| t == "Engineering Manager").await;
    let lead = text_of(&client, "p.lead").await;
    assert!(lead.contains("Held by Max Manager"), "{lead}");
    for (email, name, readiness) in [
        ("dev@acme.test", "Dana Dev", "ready_now"),
        ("dev2@acme.test", "Devi Dev", "ready_once"),
    ] {
        fill(&client, "a-email", email).await;
        client
            .find(Locator::Css(&format!(
                "#a-readiness option[value='{readiness}']"
            )))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        if readiness == "ready_once" {
            fill(&client, "a-condition", "after leading the Q3 migration").await;
        }
        click(
            &client,
            Locator::XPath("//button[text()='Add to the plan']"),
        )
        .await;
        wait_text(&client, "ol.candidates", |t| t.contains(name)).await;
    }
    let plan = wait_text(&client, "ol.candidates", |t| t.contains("2. Devi Dev")).await;
    assert!(plan.contains("1. Dana Dev — Ready now"), "{plan}");
    assert!(
        plan.contains("Ready once after leading the Q3 migration"),
        "{plan}"
    );
    assert!(plan.contains("Delivery"), "the evidence shows: {plan}");
    assert!(plan.contains("Programme sessions attended"), "{plan}");
    click(
        &client,
        Locator::Css("button[aria-label='Move up: Devi Dev']"),
    )
    .await;
    let plan = wait_text(&client, "ol.candidates", |t| t.contains("1. Devi Dev")).await;
    assert!(plan.contains("2. Dana Dev"), "{plan}");
    click(&client, Locator::LinkText("Succession")).await;
    let coverage = text_of(&client, "#coverage + ul").await.replace('\n', " ");
    assert!(
        coverage.contains("1 of 1 key roles have a successor ready now"),
        "{coverage}"
    );
    let url = format!("{base}/succession");
    sign_out(&client).await;
    sign_in(&client, &base, "dev@acme.test").await;
    client.goto(&format!("{url}/1")).await.unwrap();
    let h1 = text_of(&client, "h1").await;
    assert_eq!(h1, "We could not find that");
    client.close().await.unwrap();
}

/// A manager opens their scorecard from the navigation: two columns, each figure with the
/// organisation's median, a definition that opens, and the directing signal in words.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manager_reads_their_two_scorecards_side_by_side() {
    let (app, people) = common::demo_app().await;
    let base = serve(&app).await;
    let (_driver, client) = browser().await;
    sign_in(&client, &base, &people[1]).await;
    click(&client, Locator::LinkText("Scorecard")).await;
    let managing = text_of(&client, "section[aria-labelledby=managing]").await;
    assert!(
        managing.contains("Delivery reliability of the team"),
        "{managing}"
    );
    assert!(managing.contains("organisation median"), "{managing}");
    let leading = text_of(&client, "section[aria-labelledby=leading]").await;
    assert!(leading.contains("Career support coverage"), "{leading}");
    // Side by side on a wide screen.
    let tops = client
        .execute(
            "return ['managing', 'leading'].map(id => document.querySelector(`section[aria-labelledby=${id}]`).getBoundingClientRect().top)",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(tops[0], tops[1], "the two columns start level");
    click(
        &client,
        Locator::XPath("(//summary[text()='How it is counted'])[1]"),
    )
    .await;
    let definition = wait_text(&client, "details[open] p", |t| !t.is_empty()).await;
    assert!(definition.contains("agreed due date"), "{definition}");
    let signal = text_of(&client, "section[aria-labelledby=signal]").await;
    assert!(
        signal.contains("Directing closely") || signal.contains("Coaching rather than directing"),
        "{signal}"
    );
    client.close().await.unwrap();
}
