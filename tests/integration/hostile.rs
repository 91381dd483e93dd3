//! Stay up under hostile load (issue 15): slow readers of exports and
//! idle or half-open sockets, against the real `serve` on 127.0.0.1.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Child;
use std::time::{Duration, Instant};

/// A `serve` child on an ephemeral port of 127.0.0.1, with `extra` in its
/// `[server]` section; killed on drop.
struct Server {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn server(extra: &str) -> Server {
    let _ = rlimit::increase_nofile_limit(u64::MAX);
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("config.toml");
    std::fs::write(
        &cfg,
        format!(
            "[server]\nbind = \"127.0.0.1:0\"\n{extra}\n\n[data]\ndir = {:?}\n\n[library]\nschedule = false\n",
            dir.path().join("data").display().to_string()
        ),
    )
    .unwrap();
    let (child, port) = crate::common::spawn_serve(&crate::common::root(), cfg.to_str().unwrap());
    Server { child, port, _dir: dir }
}

/// Resident memory of a process, in MB.
fn rss_mb(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// GET with a client timeout: the status code.
fn get(port: u16, path: &str, timeout: Duration) -> Result<u16, String> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    s.set_read_timeout(Some(timeout)).unwrap();
    s.set_write_timeout(Some(timeout)).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").map_err(|e| e.to_string())?;
    let mut body = Vec::new();
    s.read_to_end(&mut body).map_err(|e| format!("{path}: {e}"))?;
    let head = String::from_utf8_lossy(&body[..body.len().min(20)]).into_owned();
    head.split(' ').nth(1).and_then(|c| c.parse().ok()).ok_or_else(|| format!("{path}: {head:?}"))
}

/// A client that asks for an export and never reads it.
fn slow_reader(port: u16, path: &str) -> Option<TcpStream> {
    let s = socket2_like_small_buffer(port)?;
    let mut s = s;
    write!(s, "GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n").ok()?;
    Some(s)
}

/// A connection whose receive buffer is as small as the system allows, so
/// an unread response fills it at once.
fn socket2_like_small_buffer(port: u16) -> Option<TcpStream> {
    let s = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).ok()?;
    s.set_recv_buffer_size(4096).ok()?;
    s.connect(&std::net::SocketAddr::from(([127, 0, 0, 1], port)).into()).ok()?;
    Some(s.into())
}

#[test]
fn six_hundred_slow_readers_leave_the_portal_answering() {
    let srv = server("max_exports = 32\nidle_timeout_secs = 10");
    let pid = srv.child.id();
    assert_eq!(get(srv.port, "/healthz", Duration::from_secs(10)), Ok(200));
    // Warm: the areas and contours every export reads are computed once.
    assert_eq!(get(srv.port, "/communes.json", Duration::from_secs(120)), Ok(200));
    let idle_mb = rss_mb(pid);
    // Larger than every socket buffer: a reader that stops reading stalls them.
    let paths = ["/communes.json"];
    let readers: Vec<TcpStream> = (0..600).filter_map(|i| slow_reader(srv.port, paths[i % paths.len()])).collect();
    assert!(readers.len() >= 590, "{} readers connected", readers.len());
    std::thread::sleep(Duration::from_secs(1));
    let during_mb = rss_mb(pid);
    // Search, a fiche and the library answer, each within one second.
    for path in [
        "/api/v1/search?q=montpellier",
        "/commune/annecy-74010",
        "/publications?q=finances",
        "/api/v1/publications?q=dotation",
    ] {
        let t = Instant::now();
        assert_eq!(get(srv.port, path, Duration::from_secs(1)), Ok(200), "{path} while 600 clients stall exports");
        assert!(t.elapsed() < Duration::from_secs(1), "{path}: {:?}", t.elapsed());
    }
    // Exports beyond the bound are told to come back, in French.
    let busy = get(srv.port, "/communes.csv", Duration::from_secs(5));
    assert_eq!(busy, Ok(503), "exports are bounded");
    // The readers leave; memory falls back near its idle level.
    drop(readers);
    std::thread::sleep(Duration::from_secs(5));
    let after_mb = rss_mb(pid);
    eprintln!("slow readers: RSS idle {idle_mb:.0} MB, during {during_mb:.0} MB, after {after_mb:.0} MB");
    assert!(after_mb < idle_mb * 1.5, "memory after the readers left: {after_mb:.0} MB (idle {idle_mb:.0} MB)");
    assert_eq!(get(srv.port, "/communes.csv?dialect=standard", Duration::from_secs(30)), Ok(200), "exports work again");
}

#[test]
fn idle_and_half_open_connections_cannot_exhaust_the_server() {
    let srv = server("max_connections = 64\nidle_timeout_secs = 2\nheader_read_timeout_secs = 1");
    let mut held = Vec::new();
    for i in 0..300 {
        let Ok(mut s) = TcpStream::connect(("127.0.0.1", srv.port)) else { continue };
        match i % 3 {
            0 => {}                                                                                                 // idle
            1 => drop(s.write_all(b"GET /commune/annecy-74010 HTTP/1.1\r\nHo")), // half-sent headers
            _ => drop(s.write_all(b"POST /admin/connexion HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nab")), // half-sent body
        }
        held.push(s);
    }
    // More sockets than the cap: a normal request still answers (once the
    // timeouts free a slot), well before the sockets give up.
    let t = Instant::now();
    assert_eq!(get(srv.port, "/api/v1/search?q=annecy", Duration::from_secs(20)), Ok(200));
    eprintln!("normal request answered in {:?} beside 300 idle or half-open sockets (cap 64)", t.elapsed());
    // The idle and half-open ones are closed by the timeouts.
    // 300 sockets through 64 slots, 1–2 s each.
    std::thread::sleep(Duration::from_secs(15));
    let mut closed = 0;
    let mut open_kinds = [0usize; 3];
    for (i, s) in held.iter_mut().enumerate() {
        let before = closed;
        s.set_read_timeout(Some(Duration::from_millis(50))).unwrap();
        // Whatever the server answered (a 400 for a half-sent body), then
        // the end of the stream: closed.
        let mut b = [0u8; 4096];
        loop {
            match s.read(&mut b) {
                Ok(0) => {
                    closed += 1;
                    break;
                }
                Ok(_) => continue,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock || e.kind() == std::io::ErrorKind::TimedOut => {
                    break
                }
                Err(_) => {
                    closed += 1;
                    break;
                }
            }
        }
        if closed == before {
            open_kinds[i % 3] += 1;
        }
    }
    assert!(
        closed >= 290,
        "{closed} of {} idle or half-open sockets closed by the timeouts; still open (idle, half \
        headers, half body): {open_kinds:?}",
        held.len()
    );
}

/// A body trickled a byte at a time keeps the connection from ever being
/// idle: the body timeout still ends it, with a French 408.
#[test]
fn a_trickled_body_is_cut_by_the_body_timeout() {
    let srv = server("idle_timeout_secs = 10\nbody_timeout_secs = 2");
    let mut s = TcpStream::connect(("127.0.0.1", srv.port)).unwrap();
    s.write_all(b"POST /admin/connexion HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\n").unwrap();
    let t = Instant::now();
    let trickle = s.try_clone().unwrap();
    let dripper = std::thread::spawn(move || {
        let mut trickle = trickle;
        for _ in 0..40 {
            if trickle.write_all(b"a").is_err() {
                break;
            }
            std::thread::sleep(Duration::from_millis(250));
        }
    });
    s.set_read_timeout(Some(Duration::from_secs(8))).unwrap();
    let mut answer = Vec::new();
    let _ = s.read_to_end(&mut answer);
    let elapsed = t.elapsed();
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 408"), "{elapsed:?}: {}", &text[..text.len().min(200)]);
    assert!(text.contains("trop lentement"), "a French message");
    assert!(elapsed < Duration::from_secs(6), "cut by the 2 s body timeout, not by the 10 s idle one: {elapsed:?}");
    let _ = dripper.join();
}
