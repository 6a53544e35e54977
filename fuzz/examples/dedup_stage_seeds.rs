//! Writes seed inputs for the `dedup_stage_files` fuzz target: valid stage files made by the
//! dedup stages' own writers, laid out as that target reads its input (see its module docs),
//! so that the fuzzer starts past the headers and checksums.
//!
//! ```text
//! cd fuzz && cargo run --example dedup_stage_seeds [-- OUT_DIR]   # default corpus/dedup_stage_files
//! ```

use std::path::{Path, PathBuf};
use thresher_dedup::lines::files::{hashes_path, removals_path};
use thresher_dedup::lines::{find_line_duplicates, Keep, LineDedupConfig, LineHashWriter, Unit};
use thresher_dedup::minhash::files::{
    decisions_path, ids_path, kept_path, pairs_path, signature_path, DocKey, IdsWriter,
};
use thresher_dedup::minhash::stages::{
    build_clusters, find_duplicate_pairs, KeepRule, SignatureWriter,
};
use thresher_dedup::minhash::{MinHasher, MinhashConfig};

const SMALL: MinhashConfig = MinhashConfig {
    n_grams: 5,
    num_buckets: 2,
    hashes_per_bucket: 2,
    seed: 1,
};

/// One input of the target: flags, then each part with its length.
fn input(flags: u8, files: &[PathBuf], text: &str) -> Vec<u8> {
    let mut v = vec![flags];
    for f in files {
        let b = std::fs::read(f).expect("read stage file");
        v.extend_from_slice(&(b.len() as u32).to_le_bytes());
        v.extend_from_slice(&b);
    }
    v.extend_from_slice(&(text.len() as u32).to_le_bytes());
    v.extend_from_slice(text.as_bytes());
    v
}

fn save(out: &Path, name: &str, data: Vec<u8>) {
    std::fs::write(out.join(name), data).expect("write seed");
}

const STORY: &str = "the quick brown fox jumps over the lazy dog near the river bank today";
const OTHER: &str = "a completely different text about cooking pasta with garlic and olive oil";

fn minhash_seeds(out: &Path, work: &Path, config: MinhashConfig, flag: u8, tag: &str) {
    let hasher = MinHasher::for_language(config, "en").expect("hasher");
    let shards: [&[&str]; 2] = [
        &[STORY, "too short", STORY, OTHER],
        &[
            OTHER,
            STORY,
            "yet another page of words that is not like the others at all",
        ],
    ];
    let keys = |s: usize, i: usize| match (s + i) % 3 {
        0 => DocKey::None,
        1 => DocKey::Number((s * 10 + i) as f64 / 3.0),
        _ => DocKey::Text(format!("2024-0{}-01", i + 1)),
    };
    let (sigs, pairs, dec) = (work.join("s"), work.join("p"), work.join("d"));
    let mut id_files = Vec::new();
    for (s, docs) in shards.iter().enumerate() {
        let shard = s as u32;
        let mut ids = IdsWriter::create(&ids_path(&sigs, shard), &config, shard).unwrap();
        let mut w = SignatureWriter::create(&sigs, shard, &config).unwrap();
        for (i, doc) in docs.iter().enumerate() {
            let d = ids.add(&format!("shard{s}/doc{i}"), &keys(s, i)).unwrap();
            if let Some(sig) = hasher.signature(doc) {
                w.add(d, &sig).unwrap();
            }
        }
        ids.finish().unwrap();
        w.finish().unwrap();
        id_files.push(ids_path(&sigs, shard));
    }
    let mut pair_files = Vec::new();
    for b in 0..config.num_buckets {
        let sig_files: Vec<PathBuf> = (0..2).map(|s| signature_path(&sigs, b, s)).collect();
        let p = pairs_path(&pairs, b);
        find_duplicate_pairs(&sig_files, b, &config, &p).unwrap();
        pair_files.push(p);
        if b < 2 {
            save(
                out,
                &format!("{tag}-signatures-b{b}"),
                input(flag | ((b as u8) << 7), &sig_files, ""),
            );
        }
    }
    for (k, keep) in [
        KeepRule::Datatrove,
        KeepRule::First,
        KeepRule::Field { largest: true },
        KeepRule::Field { largest: false },
    ]
    .into_iter()
    .enumerate()
    {
        let mut files = pair_files.clone();
        files.extend(id_files.iter().cloned());
        save(
            out,
            &format!("{tag}-clusters-keep{k}"),
            input(flag | ((k as u8) << 1), &files, ""),
        );
        let d = dec.join(format!("{k}"));
        let summary = build_clusters(&pair_files, &id_files, &config, keep, &d).unwrap();
        assert!(summary.removed > 0, "the seeds have duplicates");
        for s in 0..2 {
            save(
                out,
                &format!("{tag}-decisions-keep{k}-s{s}"),
                input(flag, &[decisions_path(&d, s), kept_path(&d)], ""),
            );
        }
    }
}

fn line_seeds(out: &Path, work: &Path, config: LineDedupConfig, flag: u8, tag: &str) {
    let shards: [&[&str]; 2] = [
        &[
            "Home\nMenu\nStory one begins here.\n\nShare this\n",
            "Home\nmenu\nStory two.\nStory two.\n\n\nRead more\n",
            "",
        ],
        &[
            "Home\nStory one begins here.\n\nCookies help us\n",
            "Share this\n\nSHARE THIS\nno newline",
        ],
    ];
    let texts: Vec<String> = shards.iter().map(|docs| docs.join("\0")).collect();
    for partitions in [1u32, 2] {
        let (h, r) = (
            work.join(format!("h{partitions}")),
            work.join(format!("r{partitions}")),
        );
        for (s, docs) in shards.iter().enumerate() {
            let mut w = LineHashWriter::new(&config, s as u32, partitions).unwrap();
            for d in *docs {
                w.push(d).unwrap();
            }
            w.finish(&h).unwrap();
        }
        for p in 0..partitions {
            let files: Vec<PathBuf> = (0..2).map(|s| hashes_path(&h, p, s)).collect();
            find_line_duplicates(&files, &config, &r).unwrap();
            if partitions == 1 {
                for (s, text) in texts.iter().enumerate() {
                    save(
                        out,
                        &format!("{tag}-hashes-p1-text{s}"),
                        input(flag, &files, text),
                    );
                }
            }
        }
        for (s, text) in texts.iter().enumerate() {
            let files: Vec<PathBuf> = (0..partitions)
                .map(|p| removals_path(&r, p, s as u32))
                .collect();
            save(
                out,
                &format!("{tag}-removals-p{partitions}-s{s}"),
                input(flag, &files, text),
            );
        }
    }
}

fn main() {
    let out = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "corpus/dedup_stage_files".into()),
    );
    std::fs::create_dir_all(&out).unwrap();
    let work = std::env::temp_dir().join(format!("thresher-dedup-seeds-{}", std::process::id()));
    minhash_seeds(&out, &work.join("small"), SMALL, 0, "mh-small");
    minhash_seeds(
        &out,
        &work.join("fineweb"),
        MinhashConfig::default(),
        1,
        "mh-fineweb",
    );
    for (i, (flag, config)) in [
        (0u8, LineDedupConfig::default()),
        (
            8,
            LineDedupConfig {
                unit: Unit::Paragraph,
                ..LineDedupConfig::default()
            },
        ),
        (
            16,
            LineDedupConfig {
                keep: Keep::None,
                ..LineDedupConfig::default()
            },
        ),
        (
            32 | 64,
            LineDedupConfig {
                lowercase: true,
                min_chars: 3,
                ..LineDedupConfig::default()
            },
        ),
    ]
    .into_iter()
    .enumerate()
    {
        line_seeds(
            &out,
            &work.join(format!("lines{i}")),
            config,
            flag,
            &format!("lines{i}"),
        );
    }
    std::fs::remove_dir_all(&work).unwrap();
    println!("seeds written to {}", out.display());
}
