//! The generator is deterministic and its ground truth is exact: a 200-document corpus,
//! generated twice, is byte-identical, and every Jaccard value in the truth file equals the
//! one recomputed from the written texts.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use thresher_bench::generate::{self, GenConfig, SUMMARY_FILE, TRUTH_FILE};
use thresher_bench::io::for_each_line;
use thresher_bench::shingles::{jaccard, Shingler};
use thresher_bench::source::Pool;

/// Real text when the shared data is there (its first 500 documents), else made-up text.
fn pool() -> Pool {
    let real = generate::default_source();
    if real.exists() {
        let mut texts = Vec::new();
        for_each_line(&real, |_, line| {
            if texts.len() < 500 {
                let v: serde_json::Value = serde_json::from_str(line)?;
                texts.push(v["text"].as_str().unwrap_or("").to_string());
            }
            Ok(())
        })
        .unwrap();
        return Pool::from_texts(texts);
    }
    eprintln!("shared data not found: made-up text instead");
    let mut rng = fastrand::Rng::with_seed(3);
    let words: Vec<String> = (0..3000)
        .map(|_| (0..rng.usize(2..9)).map(|_| rng.lowercase()).collect())
        .collect();
    let texts: Vec<String> = (0..400)
        .map(|_| {
            (0..rng.usize(20..60))
                .map(|_| {
                    let n = rng.usize(6..25);
                    let s: Vec<&str> = (0..n)
                        .map(|_| words[rng.usize(..words.len())].as_str())
                        .collect();
                    format!("The {}.", s.join(" "))
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    Pool::from_texts(texts)
}

fn read_dir_bytes(dir: &Path) -> HashMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let name = e.file_name().to_string_lossy().into_owned();
            let mut bytes = std::fs::read(e.path()).unwrap();
            if name == SUMMARY_FILE {
                // The run time differs between runs.
                let mut v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
                v["seconds"] = 0.into();
                bytes = v.to_string().into_bytes();
            }
            (name, bytes)
        })
        .collect()
}

#[test]
fn deterministic_with_exact_truth() {
    let pool = pool();
    let cfg = GenConfig {
        docs: 200,
        shards: 3,
        seed: 7,
        spread: 60,
        dup_fraction: 0.3,
        ..GenConfig::default()
    };
    let tmp = tempfile::tempdir().unwrap();
    let (a, b, c) = (
        tmp.path().join("a"),
        tmp.path().join("b"),
        tmp.path().join("c"),
    );
    for dir in [&a, &b] {
        generate::prepare_out_dir(dir, false).unwrap();
        generate::generate(&cfg, &pool, vec![], dir, false).unwrap();
    }
    let (fa, fb) = (read_dir_bytes(&a), read_dir_bytes(&b));
    assert_eq!(fa.len(), 5, "{:?}", fa.keys());
    assert!(fa == fb, "two runs with the same seed differ");
    // An existing corpus is not overwritten by accident.
    assert!(generate::prepare_out_dir(&a, false).is_err());
    // Another seed, another corpus.
    let other = GenConfig {
        seed: 8,
        ..cfg.clone()
    };
    generate::prepare_out_dir(&c, false).unwrap();
    generate::generate(&other, &pool, vec![], &c, false).unwrap();
    assert!(read_dir_bytes(&c)["part-00000.jsonl.zst"] != fa["part-00000.jsonl.zst"]);

    // Every document once; family members spread over the shards.
    let mut texts: HashMap<String, String> = HashMap::new();
    let mut family_of: HashMap<String, u64> = HashMap::new();
    let mut shards_of_family: HashMap<u64, HashSet<usize>> = HashMap::new();
    for s in 0..cfg.shards {
        for_each_line(&a.join(generate::shard_name(s)), |_, line| {
            let v: serde_json::Value = serde_json::from_str(line)?;
            let id = v["id"].as_str().unwrap().to_string();
            if let Some(f) = v["metadata"]["family"].as_u64() {
                family_of.insert(id.clone(), f);
                shards_of_family.entry(f).or_default().insert(s as usize);
            }
            assert!(texts
                .insert(id, v["text"].as_str().unwrap().to_string())
                .is_none());
            Ok(())
        })
        .unwrap();
    }
    assert_eq!(texts.len(), 200);
    assert!(shards_of_family.values().any(|s| s.len() > 1));

    // The truth: exact Jaccard of every pair, recomputed from the texts.
    let mut shingler = Shingler::new();
    let (mut pairs, mut above, mut below, mut members_seen) = (0, 0, 0, 0);
    for_each_line(&a.join(TRUTH_FILE), |_, line| {
        let v: serde_json::Value = serde_json::from_str(line)?;
        let family = v["family"].as_u64().unwrap();
        let members: Vec<&str> = v["members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m.as_str().unwrap())
            .collect();
        let n = members.len();
        assert!(n >= 2);
        members_seen += n;
        let sets: Vec<Vec<u64>> = members
            .iter()
            .map(|m| shingler.set_of(&texts[*m]))
            .collect();
        for (m, set) in members.iter().zip(&sets) {
            assert_eq!(family_of[*m], family);
            assert!(!set.is_empty());
        }
        let sizes: Vec<usize> = v["shingles"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_u64().unwrap() as usize)
            .collect();
        assert_eq!(sizes, sets.iter().map(Vec::len).collect::<Vec<_>>());
        let listed = v["pairs"].as_array().unwrap();
        assert_eq!(listed.len(), n * (n - 1) / 2);
        for p in listed {
            let (i, j) = (
                p[0].as_u64().unwrap() as usize,
                p[1].as_u64().unwrap() as usize,
            );
            let jac = p[2].as_f64().unwrap();
            assert!(i < j && j < n);
            // serde_json's default float parsing can be 1 ulp off the shortest representation
            // it wrote; the counts behind the value are exact.
            let exact = jaccard(&sets[i], &sets[j]);
            assert!(
                (jac - exact).abs() < 1e-12,
                "family {family} pair ({i}, {j}): {jac} vs {exact}"
            );
            let inter = jac * (sizes[i] + sizes[j]) as f64 / (1.0 + jac);
            assert_eq!(
                inter.round() as usize,
                thresher_bench::shingles::intersection(&sets[i], &sets[j])
            );
            pairs += 1;
            if jac >= 0.8 {
                above += 1;
            } else {
                below += 1;
            }
        }
        Ok(())
    })
    .unwrap();
    assert_eq!(members_seen, family_of.len());
    assert!(
        above > 0 && below > 0,
        "{above} pairs >= 0.8, {below} below"
    );

    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(a.join(SUMMARY_FILE)).unwrap()).unwrap();
    assert_eq!(summary["counts"]["docs"], 200);
    assert_eq!(summary["counts"]["pairs"], pairs);
    assert_eq!(summary["counts"]["copies"], 60);
    let per_shard: u64 = summary["counts"]["docs_per_shard"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap())
        .sum();
    assert_eq!(per_shard, 200);
}

#[test]
fn plan_counts() {
    for (docs, frac) in [(1, 0.2), (2, 0.5), (1000, 0.2), (1000, 0.0), (10_000, 0.9)] {
        let cfg = GenConfig {
            docs,
            dup_fraction: frac,
            ..GenConfig::default()
        };
        let plan = generate::plan(&cfg);
        let total: u64 = plan.iter().map(|&k| k as u64 + 1).sum();
        assert_eq!(total, docs);
        let copies: u64 = plan.iter().map(|&k| k as u64).sum();
        assert!(copies <= (docs as f64 * frac).round() as u64);
        assert!(plan.iter().all(|&k| k as u32 <= cfg.max_copies));
        if docs == 1000 && frac > 0.0 {
            assert_eq!(copies, 200);
        }
    }
}
