//! `thresher run --plan` / `--phase`: a run cut into phases whose units several ranks share
//! (what Ray, Slurm arrays and Kubernetes indexed Jobs run) gives the output of one
//! `thresher run` over all inputs.

mod common;
use common::*;
use std::path::Path;
use std::process::Command;

fn cmd(pipeline: &[&str], out: &Path) -> Command {
    let mut c = thresher();
    c.arg("run")
        .args(pipeline)
        .args(["--input", "data/sample", "--output"]);
    c.arg(out);
    c
}

/// Runs every phase with `world` ranks (the ranks of a phase at once, as a cluster would),
/// then `finish`; returns the phase names.
fn run_phased(pipeline: &[&str], out: &Path, world: usize) -> Vec<String> {
    let plan = run_ok(cmd(pipeline, out).arg("--plan"));
    let phases: Vec<(String, u64)> = String::from_utf8_lossy(&plan.stdout)
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (
                v["name"].as_str().unwrap().to_string(),
                v["units"].as_u64().unwrap(),
            )
        })
        .collect();
    for (phase, units) in &phases {
        assert!(*units >= 1, "{phase}");
        let children: Vec<_> = (0..world)
            .map(|r| {
                cmd(pipeline, out)
                    .args(["--phase", phase, "--threads", "1"])
                    .args(["--rank", &r.to_string(), "--world-size", &world.to_string()])
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for c in children {
            let o = c.wait_with_output().unwrap();
            assert!(
                o.status.success(),
                "{phase}: {}",
                String::from_utf8_lossy(&o.stderr)
            );
            let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
            assert_eq!(report["phase"], phase.as_str());
        }
    }
    run_ok(cmd(pipeline, out).args(["--phase", "finish", "--quiet"]));
    phases.into_iter().map(|(p, _)| p).collect()
}

fn assert_same_run(a: &Path, b: &Path) {
    assert_eq!(output_docs(a), output_docs(b));
    assert_eq!(rejects_docs(a), rejects_docs(b));
    let (sa, sb) = (stats(a), stats(b));
    for k in [
        "docs_read",
        "docs_written",
        "docs_rejected",
        "bytes_read",
        "records_skipped",
    ] {
        assert_eq!(sa[k], sb[k], "{k}");
    }
    for (step, s) in sa["steps"].as_object().unwrap() {
        assert_eq!(s["docs_out"], sb["steps"][step]["docs_out"], "{step}");
        assert_eq!(s["dropped"], sb["steps"][step]["dropped"], "{step}");
    }
}

fn phased_equals_single(pipeline: &[&str], expect_phases: &[&str]) {
    let tmp = tempfile::tempdir().unwrap();
    let single = tmp.path().join("single");
    let phased = tmp.path().join("phased");
    run_ok(cmd(pipeline, &single).arg("--quiet"));
    let phases = run_phased(pipeline, &phased, 3);
    assert_eq!(phases, expect_phases);
    assert_same_run(&single, &phased);
    assert!(all_output_docs(&phased).len() > 30);
    // the intermediate files are gone, the completion markers stay
    let work = phased.join(".thresher/work");
    let left: Vec<_> = std::fs::read_dir(&work).map_or(Vec::new(), |d| d.flatten().collect());
    assert!(left.is_empty(), "{left:?}");
    // a plain run over the same folder finds everything done
    run_ok(cmd(pipeline, &phased).arg("--quiet"));
    assert_eq!(
        stats(&phased)["shards_resumed"],
        stats(&single)["shards_total"]
    );
}

#[test]
fn phased_minhash_run_equals_single_run() {
    phased_equals_single(
        &["pipelines/default-minhash.toml"],
        &[
            "pass1",
            "minhash.signatures",
            "minhash.buckets",
            "minhash.clusters",
            "pass2",
        ],
    );
}

#[test]
fn phased_exact_dedup_run_equals_single_run() {
    phased_equals_single(&["--preset", "default"], &["pass1", "pass2"]);
}

#[test]
fn phased_run_without_corpus_step_is_one_phase() {
    phased_equals_single(&["--preset", "extract"], &["pass1"]);
}

#[test]
fn phases_out_of_order_are_errors_that_say_so() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let p = ["pipelines/default-minhash.toml"];
    let o = cmd(&p, &out).args(["--phase", "finish"]).output().unwrap();
    assert!(!o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("not done"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let o = cmd(&p, &out).args(["--phase", "pass2"]).output().unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("pass1"));
    let o = cmd(&p, &out)
        .args(["--phase", "pass1", "--overwrite"])
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("overwrite is for plan only"));
    let o = cmd(&p, &out).args(["--phase", "nope"]).output().unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("unknown phase `nope`"));
}

#[test]
fn ranks_running_at_once_keep_their_minhash_stages_apart() {
    // Plain `--rank` runs dedup within each rank; two ranks sharing an output folder must give
    // what each gives alone (they once shared one MinHash work folder).
    let tmp = tempfile::tempdir().unwrap();
    let p = ["pipelines/default-minhash.toml"];
    let shared = tmp.path().join("shared");
    let children: Vec<_> = (0..2)
        .map(|r| {
            cmd(&p, &shared)
                .args([
                    "--quiet",
                    "--threads",
                    "1",
                    "--rank",
                    &r.to_string(),
                    "--world-size",
                    "2",
                ])
                .spawn()
                .unwrap()
        })
        .collect();
    for mut c in children {
        assert!(c.wait().unwrap().success());
    }
    let mut alone = Vec::new();
    for r in 0..2 {
        let out = tmp.path().join(format!("alone-{r}"));
        run_ok(cmd(&p, &out).args(["--quiet", "--rank", &r.to_string(), "--world-size", "2"]));
        alone.extend(output_docs(&out));
    }
    alone.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(output_docs(&shared), alone);
    let left: Vec<_> = std::fs::read_dir(shared.join(".thresher/work"))
        .map_or(Vec::new(), |d| d.flatten().map(|e| e.file_name()).collect());
    assert!(left.is_empty(), "{left:?}");
}
