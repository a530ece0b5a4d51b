//! A PostgreSQL server for the tests: the one `HEAT_TEST_POSTGRES` names
//! (a `postgres://` URL whose user may create databases), else a private
//! cluster that the project's script `.ci/postgres` starts (installing
//! Debian's package when missing) for this test binary and stops once it
//! has ended. Each test gets a database of its own; on a private cluster
//! the databases of test processes that have ended are dropped first, so
//! that runs do not pile them up.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

static SERVER: OnceLock<String> = OnceLock::new();
static DATABASES: AtomicU64 = AtomicU64::new(0);
static SWEPT: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// The server's URL (its default database).
pub fn server() -> String {
    SERVER
        .get_or_init(|| {
            if let Ok(url) = std::env::var("HEAT_TEST_POSTGRES") {
                return url;
            }
            let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
            // The test binary's name without cargo's hash, so that a
            // rebuilt binary finds its cluster again.
            let binary = std::env::current_exe()
                .ok()
                .and_then(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
                .map(|s| match s.rsplit_once('-') {
                    Some((name, _hash)) => name.to_string(),
                    None => s,
                })
                .unwrap_or_else(|| "tests".into());
            let dir = root.join("target/postgres").join(binary);
            let out = std::process::Command::new(root.join(".ci/postgres"))
                .arg("start")
                .arg(&dir)
                .args(["--until", &std::process::id().to_string()])
                .output()
                .expect("run .ci/postgres");
            assert!(
                out.status.success(),
                "no PostgreSQL for the tests: set HEAT_TEST_POSTGRES to a server's URL, or let \
                 .ci/postgres start one (it needs Debian's postgresql package or apt):\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
            String::from_utf8_lossy(&out.stdout).trim().to_string()
        })
        .clone()
}

/// A new, empty database on the server: its URL.
pub async fn fresh_database() -> String {
    use sqlx::Connection;
    let server = server();
    let name = format!(
        "heat_test_{}_{}",
        std::process::id(),
        DATABASES.fetch_add(1, Ordering::SeqCst)
    );
    let mut admin = sqlx::PgConnection::connect(&server)
        .await
        .unwrap_or_else(|e| panic!("connect to {server}: {e}"));
    if std::env::var_os("HEAT_TEST_POSTGRES").is_none() && !SWEPT.swap(true, Ordering::SeqCst) {
        drop_ended_runs(&mut admin).await;
    }
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name}"))
        .execute(&mut admin)
        .await
        .unwrap();
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .unwrap();
    let mut url = reqwest::Url::parse(&server).unwrap();
    url.set_path(&format!("/{name}"));
    url.to_string()
}

/// Drops the databases `fresh_database` made for test processes that are
/// no longer running (their names carry the process id). Only on the
/// private cluster, whose processes all ran on this machine.
async fn drop_ended_runs(admin: &mut sqlx::PgConnection) {
    let names: Vec<String> =
        sqlx::query_scalar("SELECT datname FROM pg_database WHERE datname LIKE 'heat_test_%'")
            .fetch_all(&mut *admin)
            .await
            .unwrap();
    for name in names {
        let pid = name.trim_start_matches("heat_test_").split('_').next();
        let ended = pid
            .filter(|pid| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()))
            .is_some_and(|pid| !std::path::Path::new("/proc").join(pid).exists());
        if ended {
            sqlx::query(&format!("DROP DATABASE IF EXISTS {name}"))
                .execute(&mut *admin)
                .await
                .unwrap();
        }
    }
}
