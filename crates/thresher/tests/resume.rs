//! A run killed with SIGKILL in the middle and then rerun gives exactly the output of an
//! uninterrupted run: no document lost, none duplicated.

mod common;
use common::*;
use std::path::Path;
use std::time::{Duration, Instant};

fn page(shard: usize, i: usize) -> String {
    // Every fifth page of a shard repeats a page of shard 0, so dedup decisions span shards.
    let n = if i.is_multiple_of(5) {
        i
    } else {
        shard * 1000 + i
    };
    let body: String = (0..5)
        .map(|k| format!("<p>Report {n}, part {k}: measurements from station {n} show the water level and the temperature changing across the season, as the observers wrote down every morning.</p>"))
        .collect();
    format!(
        "<html><head><title>Report {n}</title></head><body><article>{body}</article></body></html>"
    )
}

fn warc(shard: usize, pages: usize) -> Vec<u8> {
    use std::io::Write;
    let mut out = Vec::new();
    for i in 0..pages {
        let html = page(shard, i);
        let http = format!("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n{html}");
        let rec = format!(
            "WARC/1.1\r\nWARC-Type: response\r\nWARC-Target-URI: http://s{shard}.example/{i}\r\nWARC-Record-ID: <urn:uuid:{shard:08}-0000-0000-0000-{i:012}>\r\nContent-Length: {}\r\n\r\n{http}\r\n\r\n",
            http.len()
        );
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(rec.as_bytes()).unwrap();
        out.extend(e.finish().unwrap());
    }
    out
}

fn any_marker(out: &Path) -> bool {
    for sub in ["done", "work"] {
        if let Ok(d) = std::fs::read_dir(out.join(".thresher").join(sub)) {
            if d.flatten()
                .any(|e| e.file_name().to_string_lossy().ends_with(".json"))
            {
                return true;
            }
        }
    }
    false
}

#[test]
fn kill_9_then_rerun_equals_uninterrupted_run() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    for s in 0..10 {
        std::fs::write(input.join(format!("part-{s:02}.warc.gz")), warc(s, 40)).unwrap();
    }
    let reference = tmp.path().join("ref");
    run_ok(
        thresher()
            .args(["run", "--quiet", "--threads", "1", "--input"])
            .arg(&input)
            .arg("--output")
            .arg(&reference),
    );

    let out = tmp.path().join("out");
    let mut killed_mid_run = false;
    // Try a few times to land the kill between the first marker and the end of the run.
    for _ in 0..3 {
        let _ = std::fs::remove_dir_all(&out);
        let mut child = thresher()
            .args(["run", "--quiet", "--threads", "1", "--input"])
            .arg(&input)
            .arg("--output")
            .arg(&out)
            .spawn()
            .unwrap();
        let start = Instant::now();
        loop {
            if let Some(_status) = child.try_wait().unwrap() {
                break;
            }
            if any_marker(&out) {
                child.kill().unwrap(); // SIGKILL on Unix
                child.wait().unwrap();
                killed_mid_run = true;
                break;
            }
            assert!(start.elapsed() < Duration::from_secs(300), "run hung");
            std::thread::sleep(Duration::from_millis(2));
        }
        if killed_mid_run {
            break;
        }
    }
    assert!(
        killed_mid_run,
        "the run always finished before it could be killed"
    );
    run_ok(
        thresher()
            .args(["run", "--quiet", "--threads", "1", "--input"])
            .arg(&input)
            .arg("--output")
            .arg(&out),
    );
    let a = output_docs(&reference);
    let b = output_docs(&out);
    assert_eq!(a.len(), 10);
    assert_eq!(a, b, "outputs differ after kill + resume");
    let mut ra = rejects_docs(&reference);
    let mut rb = rejects_docs(&out);
    ra.sort_by_key(|v| v.to_string());
    rb.sort_by_key(|v| v.to_string());
    assert_eq!(ra, rb);
    let sa = stats(&reference);
    let sb = stats(&out);
    for k in ["docs_read", "docs_written", "docs_rejected"] {
        assert_eq!(sa[k], sb[k], "{k}");
    }
    // no temporary files left behind
    for e in walk(&out) {
        assert!(!e.contains(".tmp-"), "leftover temp file {e}");
    }
}

fn walk(p: &Path) -> Vec<String> {
    let mut v = Vec::new();
    if let Ok(d) = std::fs::read_dir(p) {
        for e in d.flatten() {
            let path = e.path();
            if path.is_dir() {
                v.extend(walk(&path));
            } else {
                v.push(path.display().to_string());
            }
        }
    }
    v
}
