//! Round trips through a real S3 protocol: a moto server (`python -m moto.server`) on loopback.
//!
//! Python with moto is looked for in `THRESHER_MOTO_PYTHON`, then `/tmp/rayenv/bin/python`,
//! then `python3`; without one the test prints "skipped: …" and passes, so the workspace's
//! tests stay green on machines without moto.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use thresher_store::{Store, PART_SIZE};

const BUCKET: &str = "thresher-test";

/// The moto server process; killed when dropped, so a failing assertion does not leave it
/// running.
struct MotoServer {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Drop for MotoServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl MotoServer {
    fn start(python: &str, dir: &Path) -> MotoServer {
        // The OS picks a free port; moto binds it a moment later (a race with other processes
        // is possible but unlikely on loopback).
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let log = dir.join("moto.log");
        let log_file = std::fs::File::create(&log).unwrap();
        let child = Command::new(python)
            .args([
                "-m",
                "moto.server",
                "-H",
                "127.0.0.1",
                "-p",
                &port.to_string(),
            ])
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().unwrap())
            .stderr(log_file)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {python} -m moto.server: {e}"));
        let mut server = MotoServer { child, port, log };
        server.wait_until_ready();
        server
    }

    fn wait_until_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok((status, _)) = http(self.port, "GET", "/") {
                if status.starts_with("HTTP/1.") {
                    return;
                }
            }
            if let Some(exit) = self.child.try_wait().unwrap() {
                panic!("moto server exited ({exit}): {}", self.log_text());
            }
            assert!(
                Instant::now() < deadline,
                "moto server did not answer on port {} within 60 s: {}",
                self.port,
                self.log_text()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

/// One plain HTTP/1.1 request without a body; returns the status line and the headers. Enough
/// to create a bucket (object_store has no bucket API, and moto does not check signatures)
/// and to inspect an object's ETag.
fn http(port: u16, method: &str, path: &str) -> std::io::Result<(String, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\n\
         Connection: close\r\n\r\n"
    )?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response)?;
    let response = String::from_utf8_lossy(&response);
    let head = response.split("\r\n\r\n").next().unwrap_or_default();
    let (status, headers) = head.split_once("\r\n").unwrap_or((head, ""));
    Ok((status.to_string(), headers.to_ascii_lowercase()))
}

/// The first Python that can import moto's server, if any.
fn find_python() -> Option<String> {
    let has_moto = |python: &str| {
        Command::new(python)
            .args(["-c", "import moto.server"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if let Ok(python) = std::env::var("THRESHER_MOTO_PYTHON") {
        if has_moto(&python) {
            return Some(python);
        }
        eprintln!("THRESHER_MOTO_PYTHON={python} cannot import moto.server; trying others");
    }
    ["/tmp/rayenv/bin/python", "python3"]
        .into_iter()
        .find(|p| has_moto(p))
        .map(str::to_string)
}

/// A store for the moto server, configured through options rather than the environment.
fn open(server: &MotoServer, url: &str) -> Store {
    Store::open_with_options(
        url,
        [
            ("aws_endpoint", server.endpoint()),
            ("aws_allow_http", "true".to_string()),
            ("aws_access_key_id", "testing".to_string()),
            ("aws_secret_access_key", "testing".to_string()),
            ("aws_region", "us-east-1".to_string()),
        ],
    )
    .unwrap()
}

/// Bytes that differ from part to part, so a misordered or repeated part is caught.
fn pattern(len: usize) -> Vec<u8> {
    let mut x: u32 = 0x9E37_79B9;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect()
}

#[test]
fn s3_round_trips_through_moto() {
    let Some(python) = find_python() else {
        println!(
            "skipped: no Python with moto (set THRESHER_MOTO_PYTHON, or install moto[server])"
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let server = MotoServer::start(&python, dir.path());
    let (status, _) = http(server.port, "PUT", &format!("/{BUCKET}")).unwrap();
    assert!(status.contains(" 200 "), "creating the bucket: {status}");

    // A store rooted at a prefix with a space and a non-ASCII letter, configured the way users
    // configure one: through the environment. Set while this test's thread is the only one
    // running (before any store starts its runtime), and removed once the store is open, which
    // also shows that a store keeps the settings it was opened with.
    let env = [
        ("AWS_ENDPOINT_URL", server.endpoint()),
        ("AWS_ALLOW_HTTP", "true".to_string()),
        ("AWS_ACCESS_KEY_ID", "testing".to_string()),
        ("AWS_SECRET_ACCESS_KEY", "testing".to_string()),
        ("AWS_REGION", "us-east-1".to_string()),
    ];
    for (name, value) in &env {
        std::env::set_var(name, value);
    }
    let store = Store::open(&format!("s3://{BUCKET}/runs/ü 1")).unwrap();
    for (name, _) in &env {
        std::env::remove_var(name);
    }
    assert!(store.location().is_remote());
    assert!(store.list("").unwrap().is_empty());
    assert!(!store.exists("a.txt").unwrap());

    // Bytes.
    store.put_bytes("a.txt", "hello").unwrap();
    let odd_key = "dir/sp ace ñ 日本 #1+%.txt";
    store.put_bytes(odd_key, vec![7u8; 1000]).unwrap();
    assert!(store.exists("a.txt").unwrap());
    assert!(store.exists(odd_key).unwrap());
    assert_eq!(store.get_bytes("a.txt").unwrap(), b"hello");
    assert_eq!(store.get_bytes(odd_key).unwrap(), vec![7u8; 1000]);

    // Files: one bigger than a part (a multipart upload of two parts) and one small (a single
    // PUT).
    let big = pattern(12_000_000);
    assert!(big.len() > PART_SIZE);
    let big_src = dir.path().join("big.bin");
    std::fs::write(&big_src, &big).unwrap();
    assert_eq!(store.put_file(&big_src, "big.bin").unwrap(), 12_000_000);
    let small_src = dir.path().join("small.txt");
    std::fs::write(&small_src, "small file\n").unwrap();
    assert_eq!(store.put_file(&small_src, "dir/small.txt").unwrap(), 11);

    // S3 marks a multipart object's ETag with its part count.
    let (status, headers) = http(
        server.port,
        "HEAD",
        &format!("/{BUCKET}/runs/%C3%BC%201/big.bin"),
    )
    .unwrap();
    assert!(status.contains(" 200 "), "{status}");
    assert!(
        headers.contains("etag: \"") && headers.contains("-2\""),
        "{headers}"
    );

    let big_dst = dir.path().join("down/big.bin");
    assert_eq!(store.get_to_file("big.bin", &big_dst).unwrap(), 12_000_000);
    assert!(
        std::fs::read(&big_dst).unwrap() == big,
        "downloaded bytes differ"
    );
    let odd_dst = dir.path().join("down/odd ñ.txt");
    store.get_to_file(odd_key, &odd_dst).unwrap();
    assert_eq!(std::fs::read(&odd_dst).unwrap(), vec![7u8; 1000]);
    // Only the two downloads, no temporary files.
    assert_eq!(
        std::fs::read_dir(dir.path().join("down")).unwrap().count(),
        2
    );

    // Listings: sorted, recursive, sizes, keys relative to the store's prefix.
    let listed: Vec<(String, u64)> = store
        .list("")
        .unwrap()
        .into_iter()
        .map(|o| (o.key, o.size))
        .collect();
    assert_eq!(
        listed,
        [
            ("a.txt".to_string(), 5),
            ("big.bin".to_string(), 12_000_000),
            ("dir/small.txt".to_string(), 11),
            (odd_key.to_string(), 1000),
        ]
    );
    let in_dir: Vec<String> = store
        .list("dir")
        .unwrap()
        .into_iter()
        .map(|o| o.key)
        .collect();
    assert_eq!(in_dir, ["dir/small.txt", odd_key]);
    // The bucket root, opened with explicit options, sees the same objects under the full
    // prefix.
    let root = open(&server, &format!("s3://{BUCKET}"));
    let full: Vec<String> = root
        .list("runs")
        .unwrap()
        .into_iter()
        .map(|o| o.key)
        .collect();
    assert_eq!(full.len(), 4);
    assert!(full.iter().all(|k| k.starts_with("runs/ü 1/")), "{full:?}");
    assert_eq!(root.get_bytes("runs/ü 1/a.txt").unwrap(), b"hello");

    // Deletes, and missing objects.
    store.delete("a.txt").unwrap();
    store.delete("a.txt").unwrap();
    assert!(!store.exists("a.txt").unwrap());
    let err = store.get_bytes("a.txt").unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    assert!(err.to_string().contains("a.txt"), "{err}");
    let err = store
        .get_to_file("a.txt", dir.path().join("down/a.txt"))
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    assert_eq!(
        std::fs::read_dir(dir.path().join("down")).unwrap().count(),
        2
    );
    for key in ["big.bin", odd_key, "dir/small.txt"] {
        store.delete(key).unwrap();
    }
    assert!(store.list("").unwrap().is_empty());
}
