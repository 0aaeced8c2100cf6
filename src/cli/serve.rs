//! A small HTTP/1.1 server on std's `TcpListener`: one thread per connection, one request per
//! connection (`Connection: close`), bodies by `Content-Length` only.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Largest request line plus headers.
const MAX_HEAD_BYTES: usize = 64 * 1024;
/// Largest request body (a long form-encoded query fits easily).
const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;
/// How long a client may take to send its request.
const READ_TIMEOUT: Duration = Duration::from_secs(60);
/// How long writing the answer may stall: a browser busy with other answers reads a large one
/// slowly (a raw 30-day range is hundreds of megabytes), and cutting it off loses the answer.
const WRITE_TIMEOUT: Duration = Duration::from_secs(600);
/// How long a closing connection waits for the client to finish sending.
const LINGER: Duration = Duration::from_secs(1);
/// Connections served at once; more get a 503.
const MAX_CONNECTIONS: usize = 64;

/// One parsed request.
#[derive(Debug)]
pub(crate) struct Request {
    pub(crate) method: String,
    /// The path as sent (still percent-encoded), without the query string.
    pub(crate) path: String,
    /// The query string (without `?`), still encoded.
    pub(crate) query: String,
    /// Header names lower-cased.
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl Request {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// One answer.
#[derive(Debug)]
pub(crate) struct Response {
    pub(crate) status: u16,
    pub(crate) content_type: String,
    pub(crate) body: Vec<u8>,
}

impl Response {
    pub(crate) fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        Self {
            status,
            content_type: content_type.to_owned(),
            body: body.into(),
        }
    }

    pub(crate) fn json(status: u16, body: impl Into<Vec<u8>>) -> Self {
        Self::new(status, "application/json", body)
    }

    pub(crate) fn text(status: u16, body: &str) -> Self {
        Self::new(status, "text/plain; charset=utf-8", body)
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        411 => "Length Required",
        413 => "Payload Too Large",
        422 => "Unprocessable Entity",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "",
    }
}

/// Accepts connections for ever, answering each request with `handler` on its own thread.
pub(crate) fn serve<H>(listener: &TcpListener, handler: H)
where
    H: Fn(&Request) -> Response + Send + Sync + 'static,
{
    let handler = Arc::new(handler);
    let active = Arc::new(AtomicUsize::new(0));
    for stream in listener.incoming() {
        let Ok(mut stream) = stream else { continue };
        if active.load(Ordering::SeqCst) >= MAX_CONNECTIONS {
            let _ = write_response(
                &mut stream,
                &Response::text(503, "too many connections, try again"),
            );
            continue;
        }
        active.fetch_add(1, Ordering::SeqCst);
        let handler = Arc::clone(&handler);
        let active = Arc::clone(&active);
        std::thread::spawn(move || {
            let response = match read_request(&stream) {
                Ok(req) => handler(&req),
                Err(resp) => resp,
            };
            let _ = write_response(&mut stream, &response);
            linger(&mut stream);
            active.fetch_sub(1, Ordering::SeqCst);
        });
    }
}

/// Reads the request line, the headers and a `Content-Length` body; a malformed or oversized
/// request is answered with the error given.
fn read_request(stream: &TcpStream) -> Result<Request, Response> {
    let _ = stream.set_read_timeout(Some(READ_TIMEOUT));
    let _ = stream.set_write_timeout(Some(WRITE_TIMEOUT));
    let mut reader = BufReader::new(stream);
    let mut head_bytes = 0usize;
    let mut line = String::new();
    let mut read_line = |reader: &mut BufReader<&TcpStream>, line: &mut String| {
        line.clear();
        let limit = (MAX_HEAD_BYTES - head_bytes.min(MAX_HEAD_BYTES)) as u64 + 1;
        match (&mut *reader).take(limit).read_line(line) {
            Ok(0) => Err(Response::text(400, "bad request: empty")),
            Ok(n) if head_bytes + n > MAX_HEAD_BYTES => {
                Err(Response::text(400, "bad request: headers too large"))
            }
            Ok(n) => {
                head_bytes += n;
                Ok(())
            }
            Err(_) => Err(Response::text(400, "bad request: not text, or too slow")),
        }
    };
    read_line(&mut reader, &mut line)?;
    let mut parts = line.split_whitespace();
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(Response::text(400, "bad request: malformed request line"));
    };
    if !version.starts_with("HTTP/1.") || !target.starts_with('/') {
        return Err(Response::text(400, "bad request: malformed request line"));
    }
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let mut req = Request {
        method: method.to_owned(),
        path: path.to_owned(),
        query: query.to_owned(),
        headers: Vec::new(),
        body: Vec::new(),
    };
    loop {
        read_line(&mut reader, &mut line)?;
        let l = line.trim_end_matches(['\r', '\n']);
        if l.is_empty() {
            break;
        }
        let Some((k, v)) = l.split_once(':') else {
            return Err(Response::text(400, "bad request: malformed header"));
        };
        req.headers
            .push((k.trim().to_ascii_lowercase(), v.trim().to_owned()));
    }
    if req.header("transfer-encoding").is_some() {
        return Err(Response::text(
            411,
            "chunked request bodies are not supported: send Content-Length",
        ));
    }
    let len = match req.header("content-length") {
        None => 0,
        Some(v) => v
            .parse::<usize>()
            .map_err(|_| Response::text(400, "bad request: malformed Content-Length"))?,
    };
    if len > MAX_BODY_BYTES {
        return Err(Response::text(413, "request body too large"));
    }
    req.body = vec![0; len];
    reader
        .read_exact(&mut req.body)
        .map_err(|_| Response::text(400, "bad request: body shorter than Content-Length"))?;
    Ok(req)
}

/// Closes the sending side, then drains what the client still sends (the rest of a refused
/// request) for a moment, so that closing does not reset the connection before the client has
/// read the answer.
fn linger(stream: &mut TcpStream) {
    let _ = stream.shutdown(Shutdown::Write);
    let _ = stream.set_read_timeout(Some(LINGER));
    let mut buf = [0u8; 4096];
    let mut left = MAX_BODY_BYTES;
    while let Ok(n @ 1..) = stream.read(&mut buf) {
        left = left.saturating_sub(n);
        if left == 0 {
            break;
        }
    }
}

fn write_response(stream: &mut TcpStream, r: &Response) -> std::io::Result<()> {
    let head = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n",
        r.status,
        reason(r.status),
        r.content_type,
        r.body.len()
    );
    stream.write_all(head.as_bytes())?;
    stream.write_all(&r.body)?;
    stream.flush()
}
