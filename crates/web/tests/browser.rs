//! Browser tests in headless Chromium (Debian's `chromium` and `chromedriver`), driving a
//! real server over loopback: sign in, search the directory, expand the org chart, and
//! upload a CSV with an error.

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

async fn sign_in(client: &Client, base: &str, email: &str) {
    client.goto(&format!("{base}/")).await.unwrap();
    client
        .find(Locator::Id("email"))
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
