//! Helpers shared by the end-to-end tests: running the binary and reading its output.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `../shared/data`, if this checkout has it.
pub fn shared_data() -> Option<PathBuf> {
    let p = repo().join("../shared/data");
    p.is_dir().then_some(p)
}

/// `../shared`, if present.
pub fn shared() -> Option<PathBuf> {
    let p = repo().join("../shared");
    p.is_dir().then_some(p)
}

pub fn thresher() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_thresher"));
    c.current_dir(repo());
    c
}

pub fn run_ok(cmd: &mut Command) -> Output {
    let out = cmd.output().expect("spawn thresher");
    assert!(
        out.status.success(),
        "thresher failed: {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Reads a `.jsonl`, `.jsonl.gz` or `.jsonl.zst` file into JSON values.
pub fn read_jsonl(path: &Path) -> Vec<serde_json::Value> {
    let f = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let name = path.to_string_lossy();
    let r: Box<dyn Read> = if name.ends_with(".zst") {
        Box::new(zstd_decoder(f))
    } else if name.ends_with(".gz") {
        Box::new(flate2::read::MultiGzDecoder::new(f))
    } else {
        Box::new(f)
    };
    BufReader::new(r)
        .lines()
        .map(|l| serde_json::from_str(&l.unwrap()).unwrap())
        .collect()
}

fn zstd_decoder(f: std::fs::File) -> impl Read {
    zstd::stream::read::Decoder::new(f).expect("zstd")
}

/// Every document of every output shard (not rejects) in a run's output folder, by file.
pub fn output_docs(out: &Path) -> Vec<(String, Vec<serde_json::Value>)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(out)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.to_string_lossy().contains(".jsonl"))
        .filter(|p| !p.file_name().unwrap().to_string_lossy().starts_with('.'))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                read_jsonl(&p),
            )
        })
        .collect()
}

pub fn rejects_docs(out: &Path) -> Vec<serde_json::Value> {
    let dir = out.join("rejects");
    let mut files: Vec<PathBuf> = match std::fs::read_dir(&dir) {
        Ok(d) => d.flatten().map(|e| e.path()).collect(),
        Err(_) => return Vec::new(),
    };
    files.sort();
    files
        .into_iter()
        .filter(|p| !p.file_name().unwrap().to_string_lossy().starts_with('.'))
        .flat_map(|p| read_jsonl(&p))
        .collect()
}

pub fn stats(out: &Path) -> serde_json::Value {
    let bytes = std::fs::read(out.join("stats.json")).expect("stats.json");
    serde_json::from_slice(&bytes).unwrap()
}

/// `thresher run --quiet [PIPELINE] --input INPUT --output OUT`, asserting success.
pub fn run_quiet(
    pipeline: Option<&Path>,
    input: impl AsRef<Path>,
    out: impl AsRef<Path>,
) -> Output {
    let mut cmd = thresher();
    cmd.args(["run", "--quiet"]);
    if let Some(p) = pipeline {
        cmd.arg(p);
    }
    cmd.arg("--input")
        .arg(input.as_ref())
        .arg("--output")
        .arg(out.as_ref());
    run_ok(&mut cmd)
}

/// Every kept document of a run's output folder, all shards together.
pub fn all_output_docs(out: &Path) -> Vec<serde_json::Value> {
    output_docs(out).into_iter().flat_map(|(_, d)| d).collect()
}
