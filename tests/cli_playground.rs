//! `fleetlens playground` as a user starts it: the printed URL, the static routes, the refusal
//! of paths that leave the served folders, the embedded API, and the proxy to a real Prometheus
//! (and its 502 when that Prometheus is unreachable).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use support::{prometheus_available, Prometheus};

/// A running playground, stopped when dropped.
struct Playground {
    child: Child,
    addr: String,
}

impl Drop for Playground {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Playground {
    fn start(root: &Path, extra: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_fleetlens"))
            .args([
                "playground",
                "--listen",
                "127.0.0.1:0",
                "--history",
                "2h",
                "--root",
            ])
            .arg(root)
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line
            .strip_prefix("FleetLens playground: http://")
            .and_then(|r| r.strip_suffix("/\n"))
            .unwrap_or_else(|| {
                let mut err = String::new();
                let _ = child.stderr.take().unwrap().read_to_string(&mut err);
                panic!("unexpected first line {line:?}; stderr: {err}")
            })
            .to_owned();
        assert!(url.starts_with("127.0.0.1:"), "{url}");
        Self { child, addr: url }
    }

    /// Sends `head` (the request line and headers, without the blank line) and `body`; returns
    /// the status, the headers (lower-cased names) and the body.
    fn raw(&self, head: &str, body: &str) -> (u16, String, Vec<u8>) {
        let mut s = TcpStream::connect(&self.addr).unwrap();
        let request = format!("{head}\r\nContent-Length: {}\r\n\r\n{body}", body.len());
        s.write_all(request.as_bytes()).unwrap();
        let mut all = Vec::new();
        s.read_to_end(&mut all).unwrap();
        let split = all.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
        let head = String::from_utf8_lossy(&all[..split]).to_ascii_lowercase();
        let status = head[9..12].parse().unwrap();
        (status, head, all[split + 4..].to_vec())
    }

    fn get(&self, path: &str) -> (u16, String, Vec<u8>) {
        self.raw(&format!("GET {path} HTTP/1.1\r\nHost: x"), "")
    }

    fn post_form(&self, path: &str, form: &str) -> (u16, String, Vec<u8>) {
        self.raw(
            &format!(
                "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded"
            ),
            form,
        )
    }
}

/// A checkout with a page, two plugins, no host bundle, and a secret beside the served folders.
fn root(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("fleetlens-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for (file, text) in [
        ("www/index.html", "<h1>page</h1>"),
        ("www/app.js", "page()"),
        ("dist/module.js", "app()"),
        ("dist/datasource/module.js", "datasource()"),
        ("dist/panels/cost/engine.wasm", "\0asm"),
        ("provisioning/datasources/ds.yaml", "apiVersion: 1"),
        ("secret.txt", "secret"),
    ] {
        let path = dir.join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    #[cfg(unix)]
    std::os::unix::fs::symlink(dir.join("secret.txt"), dir.join("www/link.txt")).unwrap();
    dir
}

#[test]
fn serves_files_and_the_embedded_api() {
    let dir = root("playground-static");
    let p = Playground::start(&dir, &[]);
    let cases: &[(&str, &str, &str)] = &[
        ("/", "<h1>page</h1>", "text/html"),
        ("/app.js", "page()", "text/javascript"),
        (
            "/public/plugins/fleetlens-app/module.js",
            "app()",
            "text/javascript",
        ),
        (
            "/public/plugins/fleetlens-views-datasource/module.js",
            "datasource()",
            "text/javascript",
        ),
        (
            "/public/plugins/fleetlens-app/datasource/module.js",
            "datasource()",
            "text/javascript",
        ),
        (
            "/public/plugins/fleetlens-cost-panel/engine.wasm",
            "\0asm",
            "application/wasm",
        ),
        (
            "/provisioning/datasources/ds.yaml",
            "apiVersion: 1",
            "text/yaml",
        ),
    ];
    for (path, body, ct) in cases {
        let (status, head, got) = p.get(path);
        assert_eq!(status, 200, "case {path} failed");
        assert_eq!(got, body.as_bytes(), "case {path} failed");
        assert!(
            head.contains(&format!("content-type: {ct}")),
            "case {path} failed: {head}"
        );
        assert!(
            head.contains("cache-control: no-cache"),
            "case {path} failed"
        );
    }
    // Nothing outside the served folders, however the path is spelled.
    for path in [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/public/plugins/fleetlens-app/..%2F..%2Fsecret.txt",
        "/build/../../secret.txt",
        "/link.txt",
    ] {
        let (status, _, body) = p.get(path);
        assert!(
            status == 403 || status == 404,
            "case {path} failed: {status}"
        );
        assert_ne!(body, b"secret", "case {path} failed");
    }
    let (status, _, body) = p.get("/build/playground.js");
    assert_eq!(status, 404);
    assert!(String::from_utf8_lossy(&body).contains("npm run build"));
    assert_eq!(p.get("/nope.js").0, 404);
    assert_eq!(p.get("/public/plugins/other-app/module.js").0, 404);
    assert_eq!(p.raw("NONSENSE", "").0, 400);

    // The API, form-encoded as the data source sends it.
    let (status, _, body) = p.post_form(
        "/api/datasources/proxy/uid/fleetlens-prom/api/v1/query",
        "query=%7B__name__%3D%22up%22%7D%5B10m%5D",
    );
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let r = fleetlens::decode(&body).unwrap();
    assert_eq!(r.result_type, fleetlens::ResultType::Matrix);
    // 10 minutes at 60 s: 10 samples in (now - 10m, now].
    assert!(!r.series.is_empty());
    assert!(
        r.series.iter().all(|s| s.len() == 10),
        "{:?}",
        r.series[0].time_ms
    );
    let (status, _, body) =
        p.get("/api/datasources/proxy/uid/x/api/v1/query?query=rate(up%5B5m%5D)");
    assert_eq!(status, 400);
    assert!(String::from_utf8_lossy(&body).contains("--prometheus URL"));
    let (status, _, body) = p.get("/playground/info");
    assert_eq!(status, 200);
    let info: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(info["mode"], "embedded");
    assert_eq!(info["intervalMs"], 60_000);
    let span = info["historyToMs"].as_i64().unwrap() - info["historyFromMs"].as_i64().unwrap();
    // 2 h, less at most one interval of rounding.
    assert!((7_140_000..=7_200_000).contains(&span), "{span}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn proxies_to_prometheus() {
    let dir = root("playground-proxy");
    // A closed port: the proxy answers 502 with the reason.
    let closed = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let url = format!("http://{closed}");
    let p = Playground::start(&dir, &["--prometheus", &url]);
    let (status, head, body) = p.get("/api/datasources/proxy/uid/x/api/v1/query?query=up");
    assert_eq!(status, 502);
    assert!(head.contains("application/json"));
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let msg = v["message"].as_str().unwrap();
    assert!(
        msg.starts_with(&format!("Prometheus at {url} is unreachable: ")),
        "{msg}"
    );
    let (_, _, body) = p.get("/playground/info");
    let info: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(info["mode"], "prometheus");
    assert_eq!(info["prometheus"], url.as_str());
    drop(p);

    if !prometheus_available("proxies_to_prometheus") {
        return;
    }
    // 1700000000 s: value 7; the query at 1700000030 sees it.
    let prom = Prometheus::start(
        "playground-proxy",
        "# TYPE demo gauge\ndemo{a=\"b\"} 7 1700000000\n# EOF\n",
    );
    let p = Playground::start(&dir, &["--prometheus", &prom.url]);
    let (status, _, body) = p.post_form(
        "/api/datasources/proxy/uid/x/api/v1/query",
        "query=demo*2&time=1700000030",
    );
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let r = fleetlens::decode(&body).unwrap();
    assert_eq!(r.series.len(), 1);
    assert_eq!(r.series[0].values, vec![14.0]);
    assert_eq!(r.series[0].labels.get("a"), Some("b"));
    // Prometheus' own errors come back as they are.
    let (status, _, body) = p.get("/api/datasources/proxy/uid/x/api/v1/query?query=demo%7B");
    assert_eq!(status, 400);
    assert!(String::from_utf8_lossy(&body).contains("bad_data"));
    let _ = std::fs::remove_dir_all(&dir);
}
