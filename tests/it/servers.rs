//! Real servers the tests start themselves, on free loopback ports, in temp
//! folders, stopped when dropped: Garage (S3-compatible object storage, built
//! by `make servers` into a cache outside the clone; `ANJUAN_GARAGE` names it).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A port nobody listens on now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub struct Garage {
    dir: tempfile::TempDir,
    child: Option<Child>,
    pub s3_port: u16,
    rpc_port: u16,
    pub bucket: String,
    pub access_key: String,
    pub secret_key: String,
}

fn garage_binary() -> PathBuf {
    let path = std::env::var_os("ANJUAN_GARAGE")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let home = std::env::var_os("HOME").unwrap_or_default();
            Path::new(&home).join(".cache/anjuan/garage-2.5.0/bin/garage")
        });
    assert!(
        path.exists(),
        "Garage is not built at {}: run `make servers` (make test does)",
        path.display()
    );
    path
}

impl Garage {
    /// A single-node Garage with one bucket and one key, listening.
    pub fn start() -> Garage {
        let dir = tempfile::tempdir().unwrap();
        let mut g = Garage {
            s3_port: free_port(),
            rpc_port: free_port(),
            dir,
            child: None,
            bucket: "archive".into(),
            access_key: "GK0123456789abcdef01234567".into(),
            secret_key: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef".into(),
        };
        let config = format!(
            "metadata_dir = \"{root}/meta\"\n\
             data_dir = \"{root}/data\"\n\
             db_engine = \"sqlite\"\n\
             replication_factor = 1\n\
             rpc_bind_addr = \"127.0.0.1:{rpc}\"\n\
             rpc_public_addr = \"127.0.0.1:{rpc}\"\n\
             rpc_secret = \"{secret}\"\n\
             [s3_api]\n\
             s3_region = \"garage\"\n\
             api_bind_addr = \"127.0.0.1:{s3}\"\n\
             root_domain = \".s3.garage.localhost\"\n",
            root = g.dir.path().display(),
            rpc = g.rpc_port,
            s3 = g.s3_port,
            secret = "4425f5c26c5e11581d3223904324dcb5b5d5dfb14e5e7f35e38c595424f5f1e6",
        );
        std::fs::write(g.dir.path().join("garage.toml"), config).unwrap();
        g.run();
        g
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.s3_port)
    }

    /// Starts the server (again, on the same folders and ports) and waits until
    /// its S3 port answers.
    pub fn run(&mut self) {
        assert!(self.child.is_none());
        let log = std::fs::File::create(self.dir.path().join("garage.log")).unwrap();
        let child = Command::new(garage_binary())
            .arg("-c")
            .arg(self.dir.path().join("garage.toml"))
            .args(["server", "--single-node", "--default-bucket"])
            .env("GARAGE_DEFAULT_ACCESS_KEY", &self.access_key)
            .env("GARAGE_DEFAULT_SECRET_KEY", &self.secret_key)
            .env("GARAGE_DEFAULT_BUCKET", &self.bucket)
            .env("RUST_LOG", "garage=warn")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("garage starts");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(60);
        // Up once the bucket answers an authenticated-looking request at all.
        while std::net::TcpStream::connect(("127.0.0.1", self.s3_port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "garage did not start: {}",
                self.log()
            );
            if let Some(status) = self.child.as_mut().unwrap().try_wait().unwrap() {
                panic!("garage exited ({status}): {}", self.log());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        // The layout and the default bucket are made right after the port opens.
        std::thread::sleep(Duration::from_millis(500));
    }

    /// Stops the server (its data stays for `run`).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("garage.log")).unwrap_or_default()
    }

    /// The environment an `anjuan upload` needs to reach this server.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ENDPOINT_URL", self.endpoint()),
            ("AWS_REGION", "garage".into()),
            ("AWS_ACCESS_KEY_ID", self.access_key.clone()),
            ("AWS_SECRET_ACCESS_KEY", self.secret_key.clone()),
        ]
    }
}

impl Drop for Garage {
    fn drop(&mut self) {
        self.stop();
    }
}
