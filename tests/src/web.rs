//! Helpers for dashboard tests: serve the web dashboard of an in-process
//! [`TestServer`] on `127.0.0.1:0`; a tiny HTTP client
//! that keeps cookies and reads CSRF tokens out of forms; headless
//! Chromium driven over WebDriver (Debian's `chromium` + `chromium-driver`),
//! skipped loudly when missing and required when `BILIK_E2E=require`.

use crate::agent::{AgentProcess, start_enrolled, tools_required};
use crate::{DEADLINE, TestServer, within};
use bilik_proto::v1::Role;
use bilik_server::app::{App, StaffIdentity};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;
use tokio::process::{Child, Command};
use tokio::sync::oneshot;

/// The dashboard of an in-process server.
#[derive(Debug)]
pub struct Dashboard {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// Dropping or sending stops it.
    stop: Option<oneshot::Sender<()>>,
}

impl Dashboard {
    /// Serves `app`'s dashboard on a free port.
    pub async fn serve(app: &App) -> Dashboard {
        let listener = bilik_server::listen("127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(bilik_server::web::serve(app.clone(), listener, async {
            let _ = stopped.await;
        }));
        Dashboard {
            url,
            stop: Some(stop),
        }
    }
}

impl Drop for Dashboard {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// A staff account a dashboard test makes and signs in with.
#[derive(Debug, Clone, Copy)]
pub struct Account {
    /// The username typed on the sign-in form.
    pub user: &'static str,
    /// The password typed with it.
    pub password: &'static str,
    /// What the account may do (pages and buttons differ by role).
    pub role: Role,
    /// The display name pages show.
    pub name: &'static str,
    /// The civil-service number (printed under a signature; may be empty).
    pub nip: &'static str,
}

/// The librarian at the desk.
pub const SITI: Account = Account {
    user: "siti",
    password: "rahasia-123",
    role: Role::Librarian,
    name: "Siti Aminah",
    nip: "",
};

/// The head of the service section, who signs monthly reports.
pub const KEPALA: Account = Account {
    user: "kepala",
    password: "rahasia-456",
    role: Role::SectionHead,
    name: "Drs. Kepala Seksi",
    nip: "197001011990031001",
};

/// What every dashboard test starts from: the in-process server with its
/// staff accounts, its dashboard served, and a directory for the state of
/// the stations the test starts.
#[derive(Debug)]
pub struct Desk {
    /// The server (gRPC, the app, its clock).
    pub server: TestServer,
    /// Its dashboard on `127.0.0.1:0`.
    pub web: Dashboard,
    /// The stations' state directories (kept as long as their agents run).
    stations: tempfile::TempDir,
}

impl Desk {
    /// A [`TestServer`] with these accounts and its dashboard.
    pub async fn start(staff: &[Account]) -> Desk {
        let server = TestServer::start().await;
        for a in staff {
            server
                .app
                .create_staff(
                    &StaffIdentity::system(),
                    a.user,
                    a.password,
                    a.role,
                    a.name,
                    a.nip,
                )
                .await
                .unwrap();
        }
        let web = Dashboard::serve(&server.app).await;
        Desk {
            server,
            web,
            stations: tempfile::tempdir().unwrap(),
        }
    }

    /// Enrols station `name` and starts its headless agent
    /// ([`start_enrolled`]: locked, link up); returns it and the station id.
    pub async fn agent(&self, name: &str) -> (AgentProcess, String) {
        start_enrolled(&self.server, self.stations.path(), name, &[]).await
    }

    /// An HTTP client signed in as `account`.
    pub async fn client(&self, account: &Account) -> WebClient {
        self.client_as(account.user, account.password).await
    }

    /// An HTTP client signed in with this username and password (asserts
    /// the sign-in succeeds and sets the session cookie).
    pub async fn client_as(&self, user: &str, password: &str) -> WebClient {
        let mut client = WebClient::new(&self.web.url);
        let answer = client.sign_in(user, password).await;
        assert_eq!(answer.status, 303, "sign-in of {user}: {}", answer.body);
        assert!(client.cookies.contains_key("bilik_session"));
        client
    }

    /// Headless Chromium on the dashboard, not signed in yet; `None` (said
    /// loudly) when it is not installed, see [`Browser::start`].
    pub async fn browser(&self) -> Option<Browser> {
        Browser::start(&self.web.url).await
    }

    /// Stops the server and waits for it.
    pub async fn stop(self) {
        self.server.stop().await;
    }
}

/// A reqwest client builder. reqwest is built without a crypto provider of
/// its own (`rustls-no-provider`): ring, as everywhere else, is installed
/// first.
pub fn http_client() -> reqwest::ClientBuilder {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
}

/// A browser-like HTTP client: keeps cookies, does not follow redirects.
#[derive(Debug)]
pub struct WebClient {
    /// The dashboard's base URL.
    pub base: String,
    /// reqwest without redirects.
    http: reqwest::Client,
    /// Cookies by name.
    pub cookies: HashMap<String, String>,
}

/// An answer: status, headers, body.
#[derive(Debug)]
pub struct Answer {
    /// HTTP status code.
    pub status: u16,
    /// `Location` of a redirect ("" if none).
    pub location: String,
    /// The body as text.
    pub body: String,
}

impl WebClient {
    /// A client without cookies (plain HTTP, the in-process dashboard).
    pub fn new(base: &str) -> WebClient {
        WebClient {
            base: base.to_owned(),
            http: http_client()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            cookies: HashMap::new(),
        }
    }

    /// A client of an `https://` dashboard that accepts only the pinned
    /// certificate.
    pub fn pinned(base: &str, trust: bilik_proto::ServerTrust) -> WebClient {
        let tls =
            bilik_proto::transport::pinned_client_config(trust, None, vec![b"http/1.1".to_vec()])
                .unwrap();
        WebClient {
            base: base.to_owned(),
            http: http_client()
                .redirect(reqwest::redirect::Policy::none())
                .tls_backend_preconfigured(tls)
                .build()
                .unwrap(),
            cookies: HashMap::new(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn finish(&mut self, response: reqwest::Response) -> Answer {
        for v in response.headers().get_all("set-cookie") {
            let text = v.to_str().unwrap();
            let pair = text.split(';').next().unwrap();
            let (k, val) = pair.split_once('=').unwrap();
            if text.contains("Max-Age=0") {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_owned(), val.to_owned());
            }
        }
        let status = response.status().as_u16();
        let location = response
            .headers()
            .get("location")
            .map(|l| l.to_str().unwrap().to_owned())
            .unwrap_or_default();
        let body = response.text().await.unwrap();
        Answer {
            status,
            location,
            body,
        }
    }

    /// `GET path`.
    pub async fn get(&mut self, path: &str) -> Answer {
        let r = within(
            self.http
                .get(format!("{}{path}", self.base))
                .header("cookie", self.cookie_header())
                .send(),
        )
        .await
        .unwrap();
        self.finish(r).await
    }

    /// `POST path` with a url-encoded form.
    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Answer {
        let r = within(
            self.http
                .post(format!("{}{path}", self.base))
                .header("cookie", self.cookie_header())
                .form(form)
                .send(),
        )
        .await
        .unwrap();
        self.finish(r).await
    }

    /// `POST path` with a multipart form: `csrf` and one file field.
    pub async fn post_file(&mut self, path: &str, csrf: &str, name: &str, file: &[u8]) -> Answer {
        let form = reqwest::multipart::Form::new()
            .text("csrf", csrf.to_owned())
            .part(
                name.to_owned(),
                reqwest::multipart::Part::bytes(file.to_vec()).file_name("members.csv"),
            );
        let r = within(
            self.http
                .post(format!("{}{path}", self.base))
                .header("cookie", self.cookie_header())
                .multipart(form)
                .send(),
        )
        .await
        .unwrap();
        self.finish(r).await
    }

    /// Signs in through the form; returns the answer to the POST.
    pub async fn sign_in(&mut self, user: &str, password: &str) -> Answer {
        let page = self.get("/login").await;
        let csrf = csrf_of(&page.body);
        self.post(
            "/login",
            &[
                ("csrf", &csrf),
                ("username", user),
                ("password", password),
                ("next", "/"),
            ],
        )
        .await
    }

    /// The CSRF token of the forms on `path`.
    pub async fn csrf(&mut self, path: &str) -> String {
        let page = self.get(path).await;
        assert_eq!(page.status, 200, "GET {path}: {}", page.body);
        csrf_of(&page.body)
    }
}

/// The first `name="csrf" value="..."` of a page.
pub fn csrf_of(html: &str) -> String {
    let at = html
        .find("name=\"csrf\" value=\"")
        .unwrap_or_else(|| panic!("no csrf field in {html}"));
    let rest = &html[at + "name=\"csrf\" value=\"".len()..];
    rest[..rest.find('"').unwrap()].to_owned()
}

/// Where Debian puts the browser and its WebDriver.
const CHROMIUM: &str = "/usr/bin/chromium";
/// Debian's `chromium-driver`.
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Headless Chromium through chromedriver.
#[derive(Debug)]
pub struct Browser {
    /// The WebDriver session.
    pub client: fantoccini::Client,
    /// The dashboard's base URL.
    pub base: String,
    /// chromedriver (killed on drop).
    _driver: Child,
    /// The fresh profile directory.
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Starts chromedriver and a headless Chromium at 1366×768, or returns
    /// `None` (after saying so loudly) when they are not installed; with
    /// `BILIK_E2E=require` a missing browser fails the test instead.
    pub async fn start(base: &str) -> Option<Browser> {
        let missing: Vec<&str> = [CHROMIUM, CHROMEDRIVER]
            .into_iter()
            .filter(|p| !Path::new(p).exists())
            .collect();
        if !missing.is_empty() {
            let msg = format!(
                "browser test needs {missing:?} (Debian packages chromium and chromium-driver)"
            );
            if tools_required() {
                panic!("{msg}; BILIK_E2E=require");
            }
            eprintln!("\n*** SKIPPED: {msg} ***\n");
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let webdriver = format!("http://127.0.0.1:{port}");
        // chromedriver answers /status once it listens.
        let probe = http_client().build().unwrap();
        crate::wait_for("chromedriver to listen", || {
            let probe = probe.clone();
            let url = format!("{webdriver}/status");
            async move { probe.get(url).send().await.ok().map(|_| ()) }
        })
        .await;
        let profile = tempfile::tempdir().unwrap();
        let args = [
            "--headless".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-quic".to_owned(),
            "--no-first-run".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            "--window-size=1366,768".to_owned(),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".to_owned(),
            serde_json::json!({ "binary": CHROMIUM, "args": args }),
        );
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = within(
            fantoccini::ClientBuilder::new(connector)
                .capabilities(caps)
                .connect(&webdriver),
        )
        .await
        .unwrap();
        Some(Browser {
            client,
            base: base.to_owned(),
            _driver: driver,
            _profile: profile,
        })
    }

    /// Signs in through the sign-in form as `account` and waits for the
    /// stations page with its live feed connected.
    pub async fn sign_in(&self, account: &Account) {
        self.goto("/").await;
        self.type_into("input[name=username]", account.user).await;
        self.type_into("input[name=password]", account.password)
            .await;
        self.click("main.login button[type=submit]").await;
        self.wait_js(
            "the stations page with the live feed connected",
            "return document.querySelector('#grid') !== null \
               && document.querySelector('#live.live-on') !== null",
        )
        .await;
    }

    /// Opens a dashboard path.
    pub async fn goto(&self, path: &str) {
        within(self.client.goto(&format!("{}{path}", self.base)))
            .await
            .unwrap();
    }

    /// Runs `script` (a function body returning a value) until it returns
    /// something truthy; fails after [`DEADLINE`] naming `what`.
    pub async fn wait_js(&self, what: &str, script: &str) -> serde_json::Value {
        let deadline = tokio::time::Instant::now() + DEADLINE;
        loop {
            let value = self.client.execute(script, vec![]).await.unwrap();
            let truthy = match &value {
                serde_json::Value::Null | serde_json::Value::Bool(false) => false,
                serde_json::Value::String(s) => !s.is_empty(),
                _ => true,
            };
            if truthy {
                return value;
            }
            if tokio::time::Instant::now() > deadline {
                let text = self
                    .client
                    .execute(
                        "return document.body ? document.body.innerText : ''",
                        vec![],
                    )
                    .await
                    .unwrap_or_default();
                panic!("timed out waiting for {what}; the page says:\n{text}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Types into the field matched by `css`.
    pub async fn type_into(&self, css: &str, text: &str) {
        let field = self
            .client
            .find(fantoccini::Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css}: {e}"));
        field.send_keys(text).await.unwrap();
    }

    /// Clicks the element matched by `css`.
    pub async fn click(&self, css: &str) {
        self.client
            .find(fantoccini::Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css}: {e}"))
            .click()
            .await
            .unwrap();
    }

    /// Saves a screenshot as `target/test-artifacts/dashboard/NAME.png` and
    /// checks it shows something (a few KB, not one colour). Written under
    /// a name of this process's and renamed into place, so a run beside
    /// this one never reads half a file.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let png = self.client.screenshot().await.unwrap();
        let dir = artifacts_dir();
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{name}.png"));
        let partial = dir.join(format!(".{name}.png.{}.partial", std::process::id()));
        std::fs::write(&partial, &png).unwrap();
        std::fs::rename(&partial, &path).unwrap();
        assert!(
            png.len() > 8 * 1024,
            "{} is only {} bytes",
            path.display(),
            png.len()
        );
        assert!(
            distinct_colours(&png) > 8,
            "{} is (nearly) uniform",
            path.display()
        );
        path
    }

    /// Ends the WebDriver session.
    pub async fn close(self) {
        let _ = self.client.close().await;
    }
}

/// `target/test-artifacts/dashboard`.
pub fn artifacts_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    // target/<profile>/deps/<test> -> target
    let target = exe
        .parent()
        .and_then(Path::parent)
        .and_then(Path::parent)
        .unwrap();
    target.join("test-artifacts").join("dashboard")
}

/// How many different RGB colours a PNG has (sampled, capped at 1000).
pub fn distinct_colours(png_bytes: &[u8]) -> usize {
    let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let step = info.color_type.samples();
    let mut seen = std::collections::HashSet::new();
    for px in buf[..info.buffer_size()].chunks(step).step_by(7) {
        seen.insert((px[0], px.get(1).copied(), px.get(2).copied()));
        if seen.len() >= 1000 {
            break;
        }
    }
    seen.len()
}
