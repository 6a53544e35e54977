//! Feeds arbitrary bytes, as files on disk, to every reader of the multi-stage dedup commands'
//! intermediate files (`thresher_dedup::minhash::files`, `minhash::stages`, `lines`): each file
//! alone to every single-file reader, and the files together to the stages that read several
//! (MinHash stage 2's merge, stage 3's clustering, stage 4's decisions; line dedup's merge and
//! its removals, applied to fuzzed text). A truncated, corrupt or foreign file must be an
//! error, never a panic, a hang or an allocation beyond the file's size; and what a stage
//! writes from files it accepted must read back.
//!
//! Input layout (`examples/dedup_stage_seeds.rs` writes valid seeds in it):
//!
//! ```text
//! byte 0: flags
//!   bit 0     MinHash configuration: 0 small (5 n-grams, 2 buckets × 2 hashes, seed 1),
//!             1 FineWeb's (5, 14 × 8, 1)
//!   bits 1-2  stage 3's keep rule: datatrove, first, largest field, smallest field
//!   bit 3     line dedup unit: 0 line, 1 paragraph
//!   bit 4     line dedup keep: 0 first, 1 none
//!   bit 5     line dedup lowercase
//!   bit 6     line dedup min_chars: 0 or 3
//!   bit 7     the bucket stage 2 merges: 0 or 1
//! then up to MAX_PARTS parts, each a u32 (little-endian) length and that many bytes (a length
//! past the end takes the rest); the last part is text (documents separated by NUL bytes),
//! the others are files.
//! ```
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use thresher_dedup::lines::{
    find_line_duplicates, Keep, LineDedupConfig, LineDedupError, ShardLineRemovals, Unit,
};
use thresher_dedup::minhash::files::{
    decisions_path, kept_path, read_kept, IdsReader, PairsReader, SignatureReader,
};
use thresher_dedup::minhash::stages::{
    build_clusters, find_duplicate_pairs, KeepRule, ShardDecisions,
};
use thresher_dedup::minhash::MinhashConfig;

/// At most this many parts (FineWeb's 14 pair files, two id files and the text fit).
const MAX_PARTS: usize = 20;

/// The small MinHash configuration of flag bit 0 = 0.
const SMALL: MinhashConfig = MinhashConfig {
    n_grams: 5,
    num_buckets: 2,
    hashes_per_bucket: 2,
    seed: 1,
};

static DIR: OnceLock<PathBuf> = OnceLock::new();

extern "C" {
    fn atexit(f: extern "C" fn()) -> std::ffi::c_int;
}

/// Removes the work dir when libFuzzer exits normally (not after a crash).
extern "C" fn remove_work_dir() {
    if let Some(d) = DIR.get() {
        let _ = std::fs::remove_dir_all(d);
    }
}

/// A folder of this process for the files (under `TMPDIR`; a tmpfs keeps the writers' fsyncs
/// cheap), removed at exit.
fn work_dir() -> &'static Path {
    DIR.get_or_init(|| {
        let d = std::env::temp_dir().join(format!("thresher-fuzz-dedup-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(d.join("in")).expect("work dir");
        // SAFETY: registers a plain function; `atexit` has no other precondition.
        unsafe { atexit(remove_work_dir) };
        d
    })
}

/// An empty folder `name` of the work dir.
fn fresh(name: &str) -> PathBuf {
    let d = work_dir().join(name);
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn split(mut data: &[u8]) -> Vec<&[u8]> {
    let mut parts = Vec::new();
    while !data.is_empty() && parts.len() < MAX_PARTS {
        if data.len() < 4 {
            parts.push(data);
            break;
        }
        let n = u32::from_le_bytes([data[0], data[1], data[2], data[3]]) as usize;
        let rest = &data[4..];
        let n = n.min(rest.len());
        parts.push(&rest[..n]);
        data = &rest[n..];
    }
    parts
}

fn minhash_readers(path: &Path, config: &MinhashConfig) {
    if let Ok(mut r) = SignatureReader::open(path, config) {
        let (_, _, _, _) = (r.shard(), r.bucket(), r.len(), r.is_empty());
        let mut n = 0u64;
        while let Ok(true) = r.advance() {
            assert_eq!(r.hashes().len(), config.hashes_per_bucket);
            let _ = r.doc();
            n += 1;
        }
        assert!(n <= r.len());
    }
    if let Ok(mut r) = PairsReader::open(path, config) {
        let _ = (r.bucket(), r.path(), r.is_empty());
        let mut n = 0u64;
        while let Ok(Some(_)) = r.next_pair() {
            n += 1;
        }
        assert!(n <= r.len());
    }
    if let Ok(mut r) = IdsReader::open(path, config) {
        let _ = (r.shard(), r.is_empty());
        let mut n = 0u64;
        while let Ok(Some((doc, _, _))) = r.next_doc() {
            assert_eq!(u64::from(doc), n);
            n += 1;
        }
        assert!(n <= r.len());
    }
    if let Ok(all) = read_kept(path, config, |_| true) {
        for (i, k) in all.iter().enumerate() {
            assert_eq!(k.cluster as usize, i);
        }
        let even = read_kept(path, config, |c| c % 2 == 0).expect("read twice");
        assert_eq!(even.len(), all.len().div_ceil(2));
    }
}

fn check_decisions(d: &ShardDecisions) {
    let e = d.entries();
    assert!(e.windows(2).all(|w| w[0].doc < w[1].doc));
    for x in e {
        let g = d.get(x.doc);
        assert_eq!(g.cluster, Some(x.cluster));
        assert_eq!((g.removed, g.cluster_size), (x.removed, x.cluster_size));
        let k = d
            .kept(x.cluster)
            .expect("every cluster of the shard has its kept document");
        assert_eq!(k.cluster, x.cluster);
        if let Some(doc) = x.doc.checked_add(1) {
            let _ = d.get(doc);
        }
    }
    let _ = (d.shard(), d.removed(), d.get(u32::MAX), d.kept(u32::MAX));
}

fn apply_all(r: &ShardLineRemovals, docs: &[String]) {
    let _ = (r.shard(), r.len(), r.is_empty());
    for (i, text) in docs.iter().enumerate() {
        let i = i as u32;
        let _ = r.removed_in(i);
        match r.apply(i, text) {
            Ok(d) => {
                assert!(d.text.len() <= text.len());
                assert!(!d.emptied || d.text.is_empty());
                assert!(d.removed.windows(2).all(|w| w[0].index < w[1].index));
                for u in &d.removed {
                    assert!(u.bytes.start <= u.bytes.end && u.bytes.end <= text.len());
                }
                assert_eq!(d.removed.len(), r.removed_in(i));
            }
            Err(e) => assert!(matches!(e, LineDedupError::Stale { .. }), "{e}"),
        }
    }
    let beyond = r.documents();
    assert!(matches!(
        r.apply(beyond, ""),
        Err(LineDedupError::Stale { .. })
    ));
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let mc = if flags & 1 == 0 {
        SMALL
    } else {
        MinhashConfig::default()
    };
    let keep = match (flags >> 1) & 3 {
        0 => KeepRule::Datatrove,
        1 => KeepRule::First,
        2 => KeepRule::Field { largest: true },
        _ => KeepRule::Field { largest: false },
    };
    let lc = LineDedupConfig {
        unit: if flags & 8 == 0 {
            Unit::Line
        } else {
            Unit::Paragraph
        },
        keep: if flags & 16 == 0 {
            Keep::First
        } else {
            Keep::None
        },
        lowercase: flags & 32 != 0,
        min_chars: if flags & 64 == 0 { 0 } else { 3 },
    };
    let bucket = usize::from(flags >> 7);

    let mut parts = split(rest);
    let text = String::from_utf8_lossy(parts.pop().unwrap_or_default());
    let docs: Vec<String> = text.split('\0').map(str::to_string).collect();
    let dir = work_dir();
    let files: Vec<PathBuf> = parts
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let f = dir.join("in").join(format!("f{i:02}"));
            std::fs::write(&f, p).expect("write input file");
            f
        })
        .collect();

    // Every file alone, to every single-file reader.
    for f in &files {
        minhash_readers(f, &mc);
        if let Ok(r) = ShardLineRemovals::load(std::slice::from_ref(f), &lc) {
            apply_all(&r, &docs);
        }
    }

    // Stage 4: decisions and kept-documents file.
    for w in files.windows(2) {
        if let Ok(d) = ShardDecisions::load(&w[0], &w[1], &mc) {
            check_decisions(&d);
        }
    }

    // Stage 2: the files as signature files of one bucket; what it writes reads back.
    let out = fresh("pairs").join("out.dups");
    if let Ok(n) = find_duplicate_pairs(&files, bucket, &mc, &out) {
        let mut r = PairsReader::open(&out, &mc).expect("stage 2's output opens");
        assert_eq!((r.len(), r.bucket()), (n, bucket));
        while r.next_pair().expect("stage 2's output reads").is_some() {}
    }

    // Stage 3: the first num_buckets files as pair files, the others as id files.
    let nb = mc.num_buckets.min(files.len());
    let (pairs, ids) = files.split_at(nb);
    let out = fresh("clusters");
    if let Ok(s) = build_clusters(pairs, ids, &mc, keep, &out) {
        let (mut docs_in, mut removed) = (0u64, 0u64);
        for f in ids {
            let shard = IdsReader::open(f, &mc).expect("accepted id file").shard();
            let d = ShardDecisions::load(&decisions_path(&out, shard), &kept_path(&out), &mc)
                .expect("stage 3's output loads");
            check_decisions(&d);
            docs_in += d.entries().len() as u64;
            removed += d.removed() as u64;
        }
        assert_eq!((docs_in, removed), (s.documents, s.removed));
        assert_eq!(s.documents - s.removed, s.clusters);
    }

    // Line dedup pass 2: the files as hash files of one partition; pass 3 over what it wrote.
    let out = fresh("lines");
    if find_line_duplicates(&files, &lc, &out).is_ok() {
        // One partition folder, one removals file per input shard.
        let written: Vec<PathBuf> = std::fs::read_dir(&out)
            .into_iter()
            .flatten()
            .flatten()
            .flat_map(|part| {
                std::fs::read_dir(part.path())
                    .into_iter()
                    .flatten()
                    .flatten()
            })
            .map(|f| f.path())
            .collect();
        assert_eq!(written.len(), files.len());
        for f in &written {
            assert!(
                f.to_string_lossy().ends_with(".lines.removals"),
                "{}",
                f.display()
            );
            // A removals file opens and reads unless its partition is not the only one, or it
            // removes one unit twice (two hashes of one unit in a hash file).
            match ShardLineRemovals::load(std::slice::from_ref(f), &lc) {
                Ok(r) => apply_all(&r, &docs),
                Err(LineDedupError::Mismatch { .. } | LineDedupError::Corrupt { .. }) => {}
                Err(e) => panic!("pass 2's output does not load: {e}"),
            }
        }
    }

    // Line dedup pass 3: all the files as one shard's removals.
    if let Ok(r) = ShardLineRemovals::load(&files, &lc) {
        apply_all(&r, &docs);
    }
});
