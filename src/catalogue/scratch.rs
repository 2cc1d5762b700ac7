//! A private PostgreSQL for the tests and benchmarks: Debian's server binaries,
//! `initdb` in a temp folder as an unprivileged user (`nobody` when we are
//! root, as the server refuses to run as root), on a free loopback port, with
//! trust authentication for its one user. Each caller gets a fresh database.
//!
//! The server runs under a small shell that stops it and removes its folder as
//! soon as our end of its standard input closes, so both also go when the test
//! process ends or is killed.

use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};

pub struct ScratchPostgres {
    dir: tempfile::TempDir,
    port: u16,
    server: Mutex<Option<(Child, ChildStdin)>>,
}

/// The folder of Debian's PostgreSQL server binaries (`initdb`, `postgres`):
/// `ANJUAN_PG_BIN`, else the newest `/usr/lib/postgresql/N/bin`.
pub fn server_bin() -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os("ANJUAN_PG_BIN") {
        return Ok(PathBuf::from(dir));
    }
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, bin)| bin).ok_or_else(|| {
        anyhow!(
            "PostgreSQL's server is not installed (no /usr/lib/postgresql/*/bin/initdb): \
             `make test` installs Debian's postgresql package"
        )
    })
}

/// Runs a server binary as the unprivileged account when we are root.
fn as_server_user(program: &Path) -> Command {
    // SAFETY: geteuid has no preconditions and cannot fail.
    if unsafe { libc::geteuid() } == 0 {
        let mut c = Command::new("setpriv");
        c.args([
            "--reuid=nobody",
            "--regid=nogroup",
            "--clear-groups",
            "--reset-env",
        ])
        .arg(program);
        c
    } else {
        Command::new(program)
    }
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

impl ScratchPostgres {
    /// One server for the whole process, started on first use.
    pub fn shared() -> Result<&'static ScratchPostgres> {
        static SHARED: OnceLock<std::result::Result<ScratchPostgres, String>> = OnceLock::new();
        SHARED
            .get_or_init(|| ScratchPostgres::start().map_err(|e| format!("{e:#}")))
            .as_ref()
            .map_err(|e| anyhow!("{e}"))
    }

    /// Makes a cluster in a temp folder and starts its server.
    pub fn start() -> Result<ScratchPostgres> {
        let bin = server_bin()?;
        let dir = tempfile::Builder::new().prefix("anjuan-pg").tempdir()?;
        // SAFETY: geteuid has no preconditions and cannot fail.
        if unsafe { libc::geteuid() } == 0 {
            // The server's account must own its folder.
            let nobody = 65534;
            std::os::unix::fs::chown(dir.path(), Some(nobody), Some(nobody))?;
        }
        let data = dir.path().join("data");
        let out = as_server_user(&bin.join("initdb"))
            .arg("-D")
            .arg(&data)
            .args(["-U", "anjuan", "--auth=trust", "-E", "UTF8", "--no-sync"])
            // A UTF-8 character classification, so pg_trgm sees Chinese
            // characters as word characters; C collation, so text sorts by
            // code point as on SQLite.
            .args(["--locale=C.UTF-8", "--lc-collate=C"])
            .output()
            .context("cannot run initdb")?;
        if !out.status.success() {
            bail!(
                "initdb failed: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let port = free_port()?;
        let log = dir.path().join("server.log");
        let postgres = as_server_user(&bin.join("postgres"));
        let mut command: Vec<String> = std::iter::once(postgres.get_program())
            .chain(postgres.get_args())
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        command.extend(
            [
                "-D",
                &data.to_string_lossy(),
                "-p",
                &port.to_string(),
                "-k",
                &dir.path().to_string_lossy(),
                "-c",
                "listen_addresses=127.0.0.1",
                // Scratch data: speed over durability.
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off",
                "-c",
                "max_connections=200",
            ]
            .map(String::from),
        );
        let quoted: Vec<String> = command
            .iter()
            .map(|a| format!("'{}'", a.replace('\'', "'\\''")))
            .collect();
        // The server stops (fast shutdown) when our end of stdin closes: on
        // drop, or when this process dies however it dies.
        // Then its folder goes too (the shared server is never dropped).
        let script = format!(
            "{} >>'{}' 2>&1 </dev/null & pid=$!; cat >/dev/null; kill -INT $pid; wait $pid; \
             rm -rf '{}'",
            quoted.join(" "),
            log.display(),
            dir.path().display()
        );
        let mut child = Command::new("sh")
            .args(["-c", &script])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("cannot start postgres")?;
        let stdin = child.stdin.take().expect("piped");
        let pg = ScratchPostgres {
            dir,
            port,
            server: Mutex::new(Some((child, stdin))),
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            match postgres::Client::connect(&pg.url("postgres"), postgres::NoTls) {
                Ok(_) => break,
                Err(e) if Instant::now() > deadline => {
                    bail!("postgres did not start: {e}; {}", pg.log())
                }
                Err(_) => std::thread::sleep(Duration::from_millis(100)),
            }
        }
        Ok(pg)
    }

    /// The URL of a database on this server.
    pub fn url(&self, database: &str) -> String {
        format!("postgres://anjuan@127.0.0.1:{}/{database}", self.port)
    }

    /// A new, empty database; its URL.
    pub fn fresh_database(&self) -> Result<String> {
        static NEXT: AtomicU32 = AtomicU32::new(1);
        let name = format!(
            "anjuan_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let mut admin = postgres::Client::connect(&self.url("postgres"), postgres::NoTls)?;
        admin.batch_execute(&format!("CREATE DATABASE {name}"))?;
        Ok(self.url(&name))
    }

    /// The server's log so far, for errors.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }
}

impl Drop for ScratchPostgres {
    fn drop(&mut self) {
        if let Some((mut child, mut stdin)) = self.server.lock().ok().and_then(|mut s| s.take()) {
            let _ = stdin.flush();
            drop(stdin);
            let _ = child.wait();
        }
    }
}
