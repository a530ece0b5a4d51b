//! The `heat-server` process as a supervisor runs it: it keeps serving
//! when whoever started it stops reading its output (a closed stdout once
//! killed it), and a SIGTERM stops it gracefully (exit status 0).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::Duration;

/// `GET /` over a plain TCP connection: the status line.
fn status_of_root(addr: &str) -> String {
    let mut s = TcpStream::connect(addr).expect("the server listens");
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "GET / HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    let _ = s.read_to_string(&mut answer);
    answer.lines().next().unwrap_or_default().to_string()
}

#[test]
fn it_outlives_a_closed_stdout_and_stops_on_sigterm() {
    let tmp = tempfile::Builder::new()
        .prefix("heat-process-")
        .tempdir()
        .unwrap();
    let dir = tmp.path();
    let mut child = Command::new(env!("CARGO_BIN_EXE_heat-server"))
        .args([
            "--bind",
            "127.0.0.1:0",
            "--cfn-bind",
            "127.0.0.1:0",
            "--cloudwatch-bind",
            "127.0.0.1:0",
            "--state",
        ])
        .arg(dir.join("state.sqlite"))
        .env_remove("OS_CLOUD")
        .env_remove("OS_AUTH_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    {
        let mut out = BufReader::with_capacity(1, child.stdout.take().unwrap());
        out.read_line(&mut first).unwrap();
        // Dropped here: the server's stdout is closed.
    }
    let addr = first
        .split("http://")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .unwrap()
        .to_string();
    std::thread::sleep(Duration::from_millis(300));
    for _ in 0..3 {
        assert_eq!(status_of_root(&addr), "HTTP/1.1 300 Multiple Choices");
    }
    assert!(child.try_wait().unwrap().is_none(), "the server stopped");
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert!(status.success(), "{status}");
}
