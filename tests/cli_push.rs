//! `fleetlens push-dashboards` against a small in-test emulation of Grafana's HTTP API (folders,
//! dashboards by uid, save with overwrite), bound to 127.0.0.1.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::thread;

use serde_json::{json, Value};

const TOKEN: &str = "glsa_test_token";

#[derive(Default)]
struct State {
    folders: BTreeMap<String, String>,
    dashboards: BTreeMap<String, (Value, String, i64)>,
    saves: usize,
    requests: Vec<String>,
}

fn respond(stream: &mut TcpStream, status: u16, body: &Value) {
    let text = body.to_string();
    let _ = write!(
        stream,
        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
        text.len()
    );
}

fn handle(mut stream: TcpStream, state: &Mutex<State>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_owned();
    let path = parts.next().unwrap_or_default().to_owned();
    let (mut len, mut auth) = (0usize, String::new());
    loop {
        let mut h = String::new();
        reader.read_line(&mut h).unwrap();
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        let (name, value) = h.split_once(':').unwrap();
        match name.to_ascii_lowercase().as_str() {
            "content-length" => len = value.trim().parse().unwrap(),
            "authorization" => auth = value.trim().to_owned(),
            _ => {}
        }
    }
    let mut body = vec![0; len];
    reader.read_exact(&mut body).unwrap();
    let mut s = state.lock().unwrap();
    s.requests.push(format!("{method} {path}"));
    if auth != format!("Bearer {TOKEN}") {
        return respond(&mut stream, 401, &json!({"message": "invalid API key"}));
    }
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    if let Some(uid) = path.strip_prefix("/api/folders/") {
        return match s.folders.get(uid) {
            Some(title) => respond(&mut stream, 200, &json!({"uid": uid, "title": title})),
            None => respond(&mut stream, 404, &json!({"message": "folder not found"})),
        };
    }
    if path == "/api/folders" && method == "POST" {
        let uid = body["uid"].as_str().unwrap().to_owned();
        s.folders
            .insert(uid.clone(), body["title"].as_str().unwrap().to_owned());
        return respond(&mut stream, 200, &json!({"uid": uid}));
    }
    if let Some(uid) = path.strip_prefix("/api/dashboards/uid/") {
        return match s.dashboards.get(uid) {
            Some((d, folder, _)) => respond(
                &mut stream,
                200,
                &json!({"dashboard": d, "meta": {"folderUid": folder}}),
            ),
            None => respond(&mut stream, 404, &json!({"message": "Dashboard not found"})),
        };
    }
    if path == "/api/dashboards/db" && method == "POST" {
        let folder = body["folderUid"].as_str().unwrap().to_owned();
        if !s.folders.contains_key(&folder) {
            return respond(&mut stream, 400, &json!({"message": "folder not found"}));
        }
        assert_eq!(body["overwrite"], true);
        let mut d = body["dashboard"].clone();
        assert!(d.get("id").is_none(), "the id is not sent");
        let uid = d["uid"].as_str().unwrap().to_owned();
        let version = s.dashboards.get(&uid).map_or(1, |(_, _, v)| v + 1);
        // Grafana stores the dashboard with its id and version.
        d["id"] = json!(7);
        d["version"] = json!(version);
        s.dashboards.insert(uid.clone(), (d, folder, version));
        s.saves += 1;
        return respond(
            &mut stream,
            200,
            &json!({"uid": uid, "version": version, "status": "success"}),
        );
    }
    respond(&mut stream, 404, &json!({"message": "not found"}));
}

fn grafana() -> (String, Arc<Mutex<State>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let state = Arc::new(Mutex::new(State::default()));
    let shared = Arc::clone(&state);
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            handle(stream, &shared);
        }
    });
    (url, state)
}

fn push(url: &str, token: &str, dir: &Path) -> std::process::Output {
    support::fleetlens(&[
        "push-dashboards",
        "--grafana-url",
        url,
        "--token",
        token,
        "--dir",
        dir.to_str().unwrap(),
    ])
}

fn dashboards_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("provisioning/dashboards/fleetlens")
}

#[test]
fn pushes_every_dashboard_once_and_is_idempotent() {
    let (url, state) = grafana();
    let dir = dashboards_dir();
    let files = std::fs::read_dir(&dir)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "json")
        })
        .count();
    assert!(files >= 10, "{files} dashboards");

    let out = support::stdout(&push(&url, TOKEN, &dir));
    assert!(out.contains("folder fleetlens: created"), "{out}");
    assert!(
        out.contains(&format!(
            "dashboards: {files} created, 0 updated, 0 unchanged"
        )),
        "{out}"
    );
    {
        let s = state.lock().unwrap();
        assert_eq!(s.saves, files);
        assert_eq!(
            s.folders.get("fleetlens").map(String::as_str),
            Some("FleetLens")
        );
        // Every file's dashboard is stored under its uid, in the folder.
        for e in std::fs::read_dir(&dir).unwrap() {
            let path = e.unwrap().path();
            let d: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            let (stored, folder, _) = &s.dashboards[d["uid"].as_str().unwrap()];
            assert_eq!(folder, "fleetlens");
            assert_eq!(stored["title"], d["title"]);
            assert_eq!(stored["panels"], d["panels"]);
        }
    }

    // A second run finds everything in place and saves nothing.
    let out = support::stdout(&push(&url, TOKEN, &dir));
    assert!(out.contains("folder fleetlens: exists"), "{out}");
    assert!(
        out.contains(&format!(
            "dashboards: 0 created, 0 updated, {files} unchanged"
        )),
        "{out}"
    );
    assert_eq!(state.lock().unwrap().saves, files);

    // A changed dashboard is updated, the others stay.
    let tmp = std::env::temp_dir().join(format!("fleetlens-push-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    for e in std::fs::read_dir(&dir).unwrap() {
        let path = e.unwrap().path();
        std::fs::copy(&path, tmp.join(path.file_name().unwrap())).unwrap();
    }
    let home = tmp.join("home.json");
    let mut d: Value = serde_json::from_str(&std::fs::read_to_string(&home).unwrap()).unwrap();
    d["title"] = json!("FleetLens home (edited)");
    std::fs::write(&home, d.to_string()).unwrap();
    let out = support::stdout(&push(&url, TOKEN, &tmp));
    assert!(
        out.contains(&format!(
            "dashboards: 0 created, 1 updated, {} unchanged",
            files - 1
        )),
        "{out}"
    );
    assert!(out.contains("updated, version 2"), "{out}");
    std::fs::remove_dir_all(&tmp).unwrap();
}

#[test]
fn a_bad_token_or_folder_says_what_to_check() {
    let (url, state) = grafana();
    let err = support::stderr(&push(&url, "wrong", &dashboards_dir()));
    assert!(err.contains("HTTP 401: invalid API key"), "{err}");
    assert!(err.contains("check --token"), "{err}");
    assert_eq!(state.lock().unwrap().saves, 0);

    let err = support::stderr(&push(&url, TOKEN, Path::new("/nonexistent/dir")));
    assert!(err.contains("--dir /nonexistent/dir"), "{err}");

    // Nothing listens: the transport error names the URL.
    let err = support::stderr(&push("http://127.0.0.1:9", TOKEN, &dashboards_dir()));
    assert!(
        err.contains("http://127.0.0.1:9/api/folders/fleetlens"),
        "{err}"
    );
}
