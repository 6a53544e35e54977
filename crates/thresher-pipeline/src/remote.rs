//! Runs whose inputs or output live in object storage (S3, GCS, Azure; see `thresher-store`).
//!
//! The runner itself only knows local files. A remote run wraps it:
//!
//! - **Inputs** given as URLs are listed once per call ([`Lister`]); each shard's input keeps
//!   its URL as identity (markers and the run's fingerprint name the URL, so every worker
//!   agrees on them) and is downloaded to a local temporary file only while its `pass1` unit
//!   runs.
//! - **Output** given as a URL is staged: each call works in a fresh local folder. Before a
//!   unit it pulls from the bucket what the unit reads (the run's small JSON state: its
//!   fingerprint, completion markers and stage summaries; plus the unit's own data files, see
//!   [`needs`]); every other intermediate file gets a sparse local stand-in of the right size,
//!   so that the checks that only list or size files see the whole run, while any read of one
//!   fails loudly (a stand-in holds zeros, which no thresher format accepts). After the unit
//!   it pushes every file the unit wrote, the JSON state last: a marker is never uploaded
//!   before the files it vouches for, so a worker killed mid-upload leaves the unit undone,
//!   not half done. An object appears only when complete (a PUT is atomic), which keeps the
//!   runner's write-then-rename guarantee.
//!
//! Each call works unit by unit (a rank's share of a phase in turn), pushing after each, so a
//! long rank that dies loses one unit's work at most. Work folders' `manifest.json` (which name
//! local paths) stay local: the run's fingerprint already ties the bucket to one run.

use crate::phases::{self, PhaseInfo, PhaseOptions, PhaseReport};
use crate::rank::RankSpec;
use crate::runner::{RunOptions, RunReport};
use crate::{PipelineConfig, RunError};

/// Whether `s` names object storage rather than a local path.
pub(crate) fn is_url(s: &str) -> bool {
    match s.split_once("://") {
        Some((scheme, _)) => {
            !scheme.is_empty()
                && scheme != "file"
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        }
        None => false,
    }
}

/// Whether a run of `cfg` reads or writes object storage.
pub(crate) fn wanted(cfg: &PipelineConfig) -> bool {
    is_url(&cfg.output.dir) || cfg.input.paths.iter().any(|p| is_url(p))
}

#[cfg(not(feature = "object-store"))]
mod disabled {
    use super::*;

    fn refuse() -> RunError {
        RunError::Config(
            "this build of thresher has no object storage support (cargo feature `object-store`)"
                .into(),
        )
    }
    pub(crate) fn plan(_: &PipelineConfig, _: &PhaseOptions) -> Result<Vec<PhaseInfo>, RunError> {
        Err(refuse())
    }
    pub(crate) fn run_phase(
        _: &PipelineConfig,
        _: &str,
        _: RankSpec,
        _: &PhaseOptions,
    ) -> Result<PhaseReport, RunError> {
        Err(refuse())
    }
    pub(crate) fn finish(_: &PipelineConfig, _: &PhaseOptions) -> Result<RunReport, RunError> {
        Err(refuse())
    }
    pub(crate) fn run(_: &PipelineConfig, _: &RunOptions) -> Result<RunReport, RunError> {
        Err(refuse())
    }
}
#[cfg(not(feature = "object-store"))]
pub(crate) use disabled::{finish, plan, run, run_phase};

#[cfg(feature = "object-store")]
pub(crate) use enabled::{finish, plan, run, run_phase};

#[cfg(feature = "object-store")]
mod enabled {
    use super::*;
    use crate::pipeline::Corpus;
    use std::collections::{HashMap, HashSet};
    use std::path::{Path, PathBuf};
    use std::time::SystemTime;
    use thresher_io::{RemoteLister, Shard};
    use thresher_store::{ObjectInfo, Store};

    fn remote_err(e: impl std::fmt::Display) -> RunError {
        RunError::Remote(e.to_string())
    }

    /// Lists input URLs for discovery.
    struct Lister;

    impl RemoteLister for Lister {
        fn is_remote(&self, spec: &str) -> bool {
            is_url(spec)
        }

        fn list(&self, spec: &str) -> Result<Vec<(String, u64)>, String> {
            if spec.contains(['*', '?', '[']) {
                return Err(format!(
                    "{spec}: patterns are not supported in object storage; give a prefix"
                ));
            }
            let base = spec.trim_end_matches('/');
            let store = Store::open(base).map_err(|e| e.to_string())?;
            let objects = store.list("").map_err(|e| e.to_string())?;
            if !objects.is_empty() {
                return Ok(objects
                    .into_iter()
                    .map(|o| (format!("{base}/{}", o.key), o.size))
                    .collect());
            }
            // Not a prefix: perhaps the URL of one object.
            if let Some((parent, name)) = base.rsplit_once('/') {
                if !parent.ends_with('/') && !name.is_empty() {
                    let store = Store::open(parent).map_err(|e| e.to_string())?;
                    if let Some(size) = store.size(name).map_err(|e| e.to_string())? {
                        return Ok(vec![(base.to_string(), size)]);
                    }
                }
            }
            Err(format!("{spec}: no objects there"))
        }
    }

    /// The shards of `cfg`'s inputs, local and remote, in the order `discover` gives.
    fn discover(cfg: &PipelineConfig) -> Result<Vec<Shard>, RunError> {
        Ok(thresher_io::discover_with(&cfg.input.paths, Some(&Lister))?)
    }

    /// Where a call's local files go: `THRESHER_CACHE`, else the system's temporary folder.
    fn cache_root() -> PathBuf {
        std::env::var_os("THRESHER_CACHE")
            .map(PathBuf::from)
            .unwrap_or_else(std::env::temp_dir)
    }

    /// The prefix of the run's own state in the output folder.
    const STATE: &str = ".thresher";

    /// A remote output folder and the local folder a call stages it in.
    struct Staging {
        store: Store,
        local: tempfile::TempDir,
        /// The remote objects of the folders listed so far in this call.
        listing: Vec<ObjectInfo>,
        /// The folders listed (not recursively) so far.
        listed: HashSet<String>,
        /// Size and modification time of every local file when last synced.
        known: HashMap<PathBuf, (u64, SystemTime)>,
        /// Local files that are sparse stand-ins, not the remote bytes.
        stand_ins: HashSet<PathBuf>,
    }

    impl Staging {
        fn open(url: &str) -> Result<Staging, RunError> {
            let store = Store::open(url).map_err(remote_err)?;
            let root = cache_root();
            std::fs::create_dir_all(&root).map_err(|e| crate::runner::io_err(&root, e))?;
            let local = tempfile::Builder::new()
                .prefix("thresher-remote-")
                .tempdir_in(&root)
                .map_err(|e| crate::runner::io_err(&root, e))?;
            Ok(Staging {
                store,
                local,
                listing: Vec::new(),
                listed: HashSet::new(),
                known: HashMap::new(),
                stand_ins: HashSet::new(),
            })
        }

        fn dir(&self) -> &Path {
            self.local.path()
        }

        /// Lists `folders` (each one level deep) where not done yet in this call, then
        /// downloads the listed files `want` selects (unless already here with the listed
        /// size) and gives every other one a sparse stand-in of its size.
        fn pull(
            &mut self,
            folders: &[String],
            want: &dyn Fn(&str) -> bool,
        ) -> Result<(), RunError> {
            for f in folders {
                if self.listed.insert(f.clone()) {
                    let objects = self.store.list_dir(f).map_err(remote_err)?;
                    self.listing.extend(objects);
                }
            }
            let mut fetch = Vec::new();
            for o in &self.listing {
                if is_local_only(&o.key) {
                    continue;
                }
                let path = self.local.path().join(&o.key);
                let here = std::fs::metadata(&path).ok().map(|m| m.len());
                if want(&o.key) {
                    // A real local file of the listed size was fetched or written by this call.
                    if here != Some(o.size) || self.stand_ins.contains(&path) {
                        fetch.push((o.key.clone(), path));
                    }
                } else if here.is_none() {
                    stand_in(&path, o.size)?;
                    self.stand_ins.insert(path);
                }
            }
            let store = &self.store;
            in_parallel(&fetch, |(key, path)| {
                store.get_to_file(key, path).map(|_| ()).map_err(remote_err)
            })?;
            for (_, path) in &fetch {
                self.stand_ins.remove(path);
            }
            self.snapshot();
            Ok(())
        }

        /// Remembers every local file as it is now.
        fn snapshot(&mut self) {
            self.known = local_files(self.local.path())
                .into_iter()
                .map(|(p, size, mtime)| (p, (size, mtime)))
                .collect();
        }

        /// Uploads every file written since the last snapshot, in [`upload_tier`] order.
        fn push(&mut self) -> Result<(), RunError> {
            let now = local_files(self.local.path());
            let mut changed: Vec<(PathBuf, String)> = Vec::new();
            for (path, size, mtime) in &now {
                if self.known.get(path) == Some(&(*size, *mtime)) {
                    continue;
                }
                let key = key_of(self.local.path(), path);
                if !is_local_only(&key) && !is_temp(path) {
                    changed.push((path.clone(), key));
                }
            }
            let store = &self.store;
            for tier in 0..3 {
                let batch: Vec<_> = changed
                    .iter()
                    .filter(|(_, key)| upload_tier(key) == tier)
                    .collect();
                in_parallel(&batch, |(path, key)| {
                    store.put_file(path, key).map(|_| ()).map_err(remote_err)
                })?;
            }
            for (path, _) in &changed {
                self.stand_ins.remove(path);
            }
            self.known = now.into_iter().map(|(p, size, t)| (p, (size, t))).collect();
            Ok(())
        }

        /// Deletes every remote object under `prefix` (as listed now).
        fn delete_prefix(&self, prefix: &str) -> Result<(), RunError> {
            let objects = self.store.list(prefix).map_err(remote_err)?;
            in_parallel(&objects, |o| self.store.delete(&o.key).map_err(remote_err))
        }
    }

    /// Requests in flight at once: object stores answer each in tens of milliseconds, so a
    /// unit's many small files go up and down side by side.
    const TRANSFERS: usize = 16;

    /// Runs `f` over `items` on up to [`TRANSFERS`] threads; the first error wins.
    fn in_parallel<T: Sync>(
        items: &[T],
        f: impl Fn(&T) -> Result<(), RunError> + Sync,
    ) -> Result<(), RunError> {
        if items.len() <= 1 {
            return items.iter().try_for_each(&f);
        }
        let next = std::sync::atomic::AtomicUsize::new(0);
        let first_error = std::sync::Mutex::new(None);
        std::thread::scope(|scope| {
            for _ in 0..TRANSFERS.min(items.len()) {
                scope.spawn(|| loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    if let Err(e) = f(item) {
                        if let Ok(mut slot) = first_error.lock() {
                            slot.get_or_insert(e);
                        }
                        break;
                    }
                });
            }
        });
        match first_error.into_inner() {
            Ok(Some(e)) => Err(e),
            _ => Ok(()),
        }
    }

    /// A sparse file of `size` zero bytes: takes no disk space.
    fn stand_in(path: &Path, size: u64) -> Result<(), RunError> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| crate::runner::io_err(parent, e))?;
        }
        let f = std::fs::File::create(path).map_err(|e| crate::runner::io_err(path, e))?;
        f.set_len(size).map_err(|e| crate::runner::io_err(path, e))
    }

    /// When a file goes up: data (0) before what vouches for it, the MinHash ids file that
    /// marks a shard's signatures complete (1) and the JSON markers (2).
    fn upload_tier(key: &str) -> u8 {
        if key.ends_with(".json") {
            2
        } else if key.ends_with(".minhash.ids") {
            1
        } else {
            0
        }
    }

    /// Files that describe the local folder, not the run: never synced.
    fn is_local_only(key: &str) -> bool {
        key.rsplit('/').next() == Some("manifest.json")
    }

    /// Temporary files of atomic writes (`.<name>.tmp-…`).
    fn is_temp(path: &Path) -> bool {
        path.file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'))
    }

    fn key_of(root: &Path, path: &Path) -> String {
        let rel = path.strip_prefix(root).unwrap_or(path);
        rel.components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/")
    }

    /// Every file under `root`: path, size, modification time.
    fn local_files(root: &Path) -> Vec<(PathBuf, u64, SystemTime)> {
        let mut out = Vec::new();
        let mut stack = vec![root.to_path_buf()];
        while let Some(dir) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for e in entries.flatten() {
                let Ok(meta) = e.metadata() else { continue };
                if meta.is_dir() {
                    stack.push(e.path());
                } else if meta.is_file() {
                    let mtime = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
                    out.push((e.path(), meta.len(), mtime));
                }
            }
        }
        out
    }

    /// The run's small JSON state: fingerprint, markers, stage summaries.
    fn is_state(key: &str) -> bool {
        key.starts_with(".thresher/") && key.ends_with(".json")
    }

    /// The JSON state a unit reads. Per-shard units read their own shard's markers (and
    /// their own unit's stage marker) only, so that a unit costs a fixed number of requests
    /// however many shards the run has; the few units of a stage read all of it.
    pub(super) fn needs_state(
        per_shard: bool,
        unit: usize,
        shard: Option<&str>,
        key: &str,
    ) -> bool {
        if !is_state(key) {
            return false;
        }
        if key == ".thresher/run.json" {
            return true;
        }
        let name = key.rsplit('/').next().unwrap_or(key);
        let shard_marker = key
            .strip_prefix(".thresher/done/")
            .is_some_and(|r| !r.contains('/'))
            || key
                .strip_prefix(".thresher/work/")
                .is_some_and(|r| !r.contains('/') && r.ends_with(".pass1.json"));
        if !per_shard {
            // Stages only check that the shards' markers exist: stand-ins do.
            return !shard_marker;
        }
        let own_name = |suffix: &str| shard.is_some_and(|s| name == format!("{s}{suffix}"));
        if let Some(rest) = key.strip_prefix(".thresher/done/") {
            return !rest.contains('/') && own_name(".json");
        }
        if let Some(rest) = key.strip_prefix(".thresher/work/") {
            if !rest.contains('/') {
                return own_name(".pass1.json");
            }
            // A stage's per-unit markers (`done/<shard>.json`, `done/<pass>-<unit>.json`).
            if rest.contains("/done/") {
                return own_name(".json") || name.ends_with(&format!("-{unit:05}.json"));
            }
            return true;
        }
        false
    }

    /// The folders of the run's state a unit of `phase` lists (one level each): the run's
    /// markers and first-pass files, and the stage folders the unit reads or checks. Never a
    /// whole stage recursively: MinHash signatures alone are a file per shard and bucket.
    fn folders(phase: &str, unit: usize, corpus: Option<&Corpus>) -> Vec<String> {
        let mut f = vec![
            STATE.to_string(),
            format!("{STATE}/done"),
            format!("{STATE}/work"),
        ];
        let minhash = |sub: &str| format!("{STATE}/work/minhash/{sub}");
        let boilerplate = |sub: &str| format!("{STATE}/work/boilerplate/{sub}");
        match phase {
            "minhash.buckets" => f.extend([
                minhash("signatures"),
                minhash(&format!("signatures/bucket_{unit:03}")),
                minhash("pairs"),
            ]),
            "minhash.clusters" => {
                f.extend([minhash("signatures"), minhash("pairs"), minhash("clusters")])
            }
            "boilerplate.count" => f.push(boilerplate("done")),
            "boilerplate.find" => f.extend([
                boilerplate("done"),
                boilerplate(&format!("count/part_{unit:03}")),
                boilerplate("find"),
            ]),
            "pass2" => match corpus {
                Some(Corpus::Minhash(_)) => f.extend([minhash("signatures"), minhash("clusters")]),
                Some(Corpus::Boilerplate(_)) => {
                    f.extend([boilerplate("find"), boilerplate("done")])
                }
                _ => {}
            },
            _ => {}
        }
        f
    }

    /// What a unit of `phase` reads besides the JSON state: the keys (relative to the output
    /// folder) it needs in full. `unit` is the unit's number, `shard` its shard for the
    /// per-shard phases.
    pub(super) fn needs(
        phase: &str,
        unit: usize,
        shard: Option<&str>,
        corpus: Option<&Corpus>,
        key: &str,
    ) -> bool {
        if is_state(key) {
            return needs_state(shard.is_some(), unit, shard, key);
        }
        let Some(rest) = key.strip_prefix(".thresher/work/") else {
            return false;
        };
        let own = |rest: &str, suffix: &str| shard.is_some_and(|s| rest == format!("{s}.{suffix}"));
        let own_docs = |rest: &str| own(rest, "pass1.jsonl.zst");
        match phase {
            "minhash.signatures" | "boilerplate.count" => own_docs(rest),
            "minhash.buckets" => {
                rest.strip_prefix("minhash/signatures/bucket_")
                    .and_then(|r| r.split_once('/'))
                    .and_then(|(b, _)| b.parse::<usize>().ok())
                    == Some(unit)
            }
            "minhash.clusters" => {
                rest.starts_with("minhash/pairs/")
                    || (rest.starts_with("minhash/signatures/") && rest.ends_with(".minhash.ids"))
            }
            "boilerplate.find" => rest.starts_with("boilerplate/count/"),
            "pass2" => {
                own_docs(rest)
                    || own(rest, "keys")
                    || match corpus {
                        Some(Corpus::Keyed(_)) => rest.ends_with(".keys") && !rest.contains('/'),
                        Some(Corpus::Minhash(_)) => {
                            let own = |suffix: &str| rest.ends_with(&format!("{unit:05}.{suffix}"));
                            (rest.starts_with("minhash/clusters/")
                                && (own("minhash.decisions")
                                    || rest.ends_with("kept.minhash.clusters")))
                                || (rest.starts_with("minhash/signatures/") && own("minhash.ids"))
                        }
                        Some(Corpus::Boilerplate(_)) => rest.starts_with("boilerplate/find/"),
                        None => false,
                    }
            }
            _ => false,
        }
    }

    /// A call's view of the run: the shards, and the output staged locally when remote.
    struct Call {
        shards: Vec<Shard>,
        staging: Option<Staging>,
        /// `cfg` with the local output folder.
        local_cfg: PipelineConfig,
        /// Where fetched inputs go while their unit runs.
        inputs: tempfile::TempDir,
        /// The output folder as given (a URL when staged).
        url: String,
    }

    impl Call {
        fn new(cfg: &PipelineConfig) -> Result<Call, RunError> {
            let shards = discover(cfg)?;
            let staging = if is_url(&cfg.output.dir) {
                Some(Staging::open(&cfg.output.dir)?)
            } else {
                None
            };
            let mut local_cfg = cfg.clone();
            if let Some(s) = &staging {
                local_cfg.output.dir = s.dir().display().to_string();
            }
            let root = cache_root();
            let inputs = tempfile::Builder::new()
                .prefix("thresher-inputs-")
                .tempdir_in(&root)
                .map_err(|e| crate::runner::io_err(&root, e))?;
            Ok(Call {
                shards,
                staging,
                local_cfg,
                inputs,
                url: cfg.output.dir.clone(),
            })
        }

        /// An error of the local phase code, with the staging folder named by its URL.
        fn relabel(&self, e: RunError) -> RunError {
            let Some(s) = &self.staging else { return e };
            let from = s.dir().display().to_string();
            let fix = |m: String| m.replace(&from, &self.url);
            match e {
                RunError::Config(m) => RunError::Config(fix(m)),
                RunError::State(m) => RunError::State(fix(m)),
                RunError::Remote(m) => RunError::Remote(fix(m)),
                RunError::Step { step, message } => RunError::Step {
                    step,
                    message: fix(message),
                },
                RunError::Io(io) => {
                    let m = io.to_string();
                    if m.contains(&from) {
                        RunError::State(fix(m))
                    } else {
                        RunError::Io(io)
                    }
                }
            }
        }

        /// Whether every shard has its completion marker (a finished run, run again).
        fn all_done(&self) -> Result<bool, RunError> {
            let have: HashSet<String> = match &self.staging {
                Some(s) => s
                    .store
                    .list_dir(".thresher/done")
                    .map_err(remote_err)?
                    .into_iter()
                    .map(|o| o.key)
                    .collect(),
                None => {
                    let dir = Path::new(&self.local_cfg.output.dir).join(".thresher/done");
                    std::fs::read_dir(&dir)
                        .map(|d| {
                            d.flatten()
                                .map(|e| {
                                    format!(".thresher/done/{}", e.file_name().to_string_lossy())
                                })
                                .collect()
                        })
                        .unwrap_or_default()
                }
            };
            Ok(self
                .shards
                .iter()
                .all(|s| have.contains(&format!(".thresher/done/{}.json", s.name))))
        }

        fn opts(&self, opts: &PhaseOptions, shards: Vec<Shard>) -> PhaseOptions {
            PhaseOptions {
                threads: opts.threads,
                overwrite: opts.overwrite,
                shards: Some(shards),
            }
        }

        fn pull(
            &mut self,
            folders: &[String],
            want: &dyn Fn(&str) -> bool,
        ) -> Result<(), RunError> {
            match &mut self.staging {
                Some(s) => s.pull(folders, want),
                None => Ok(()),
            }
        }

        fn push(&mut self) -> Result<(), RunError> {
            match &mut self.staging {
                Some(s) => s.push(),
                None => Ok(()),
            }
        }

        /// Downloads shard `i`'s input if it is remote and the shard has no marker yet;
        /// returns the shards with that input readable.
        fn fetch_input(&self, i: usize, corpus: bool) -> Result<Vec<Shard>, RunError> {
            let mut shards = self.shards.clone();
            let shard = &mut shards[i];
            if shard.input.remote.is_none() {
                return Ok(shards);
            }
            // Skip the download exactly when the local unit will skip the shard: a marker for
            // this input (URL and size), the first-pass one only with a corpus-wide step.
            let out = Path::new(&self.local_cfg.output.dir);
            let state = crate::markers::StateDir::new(out);
            let id = crate::runner::input_id(&shard.input);
            let valid = |p: &Path| matches!(crate::markers::read_marker(p, &id), Ok(Some(_)));
            if valid(&state.done(&shard.name)) || (corpus && valid(&state.pass1(&shard.name))) {
                return Ok(shards);
            }
            let url = shard.input.path.display().to_string();
            let (parent, name) = url
                .rsplit_once('/')
                .ok_or_else(|| RunError::Remote(format!("{url}: not an object URL")))?;
            let local = self.inputs.path().join(format!("{i}-{name}"));
            Store::open(parent)
                .and_then(|s| s.get_to_file(name, &local))
                .map_err(remote_err)?;
            if let Some(remote) = &mut shard.input.remote {
                remote.local = Some(local);
            }
            Ok(shards)
        }
    }

    pub(crate) fn plan(
        cfg: &PipelineConfig,
        opts: &PhaseOptions,
    ) -> Result<Vec<PhaseInfo>, RunError> {
        let mut call = Call::new(cfg)?;
        call.pull(&[STATE.into()], &|k| k == ".thresher/run.json")?;
        let before = call
            .staging
            .as_ref()
            .and_then(|s| std::fs::read(s.dir().join(".thresher/run.json")).ok());
        let o = call.opts(opts, call.shards.clone());
        let phases = phases::local_plan(&call.local_cfg, &o).map_err(|e| call.relabel(e))?;
        if let Some(s) = &call.staging {
            let now = std::fs::read(s.dir().join(".thresher/run.json")).ok();
            // `overwrite` claimed the folder for a different run: its remote state goes too.
            if before.is_some() && before != now {
                // Also the old run's rejects: a local run removes a stale rejects file when it
                // writes none, but uploads never delete.
                for prefix in [".thresher/done", ".thresher/work", "rejects"] {
                    s.delete_prefix(prefix)?;
                }
            }
        }
        call.push()?;
        Ok(phases)
    }

    pub(crate) fn run_phase(
        cfg: &PipelineConfig,
        phase: &str,
        rank: RankSpec,
        opts: &PhaseOptions,
    ) -> Result<PhaseReport, RunError> {
        if opts.overwrite {
            return Err(RunError::Config(
                "overwrite is for plan only: workers of a phase share the output folder".into(),
            ));
        }
        let started = std::time::Instant::now();
        let mut call = Call::new(cfg)?;
        call.pull(&[STATE.into()], &|k| k == ".thresher/run.json")?;
        let o = call.opts(opts, call.shards.clone());
        let infos = phases::local_plan(&call.local_cfg, &o).map_err(|e| call.relabel(e))?;
        let Some(info) = infos.iter().find(|p| p.name == phase) else {
            // The local call names the phases this pipeline has.
            return phases::local_run_phase(&call.local_cfg, phase, rank, &o)
                .map_err(|e| call.relabel(e));
        };
        let per_shard = info.weights.len() == call.shards.len() && !info.weights.is_empty();
        let corpus = crate::Pipeline::build(cfg)?.corpus;
        let units = info.units;
        let mut total = PhaseReport {
            phase: phase.to_string(),
            ..PhaseReport::default()
        };
        let mut details = Vec::new();
        for unit in (0..units).filter(|u| rank.owns(*u)) {
            let shard = per_shard.then(|| call.shards[unit].name.clone());
            call.pull(&folders(phase, unit, corpus.as_ref()), &|k| {
                needs(phase, unit, shard.as_deref(), corpus.as_ref(), k)
            })?;
            let shards = if phase == "pass1" {
                call.fetch_input(unit, corpus.is_some())?
            } else {
                call.shards.clone()
            };
            let only = RankSpec {
                rank: unit,
                world_size: units,
            };
            let r = phases::local_run_phase(&call.local_cfg, phase, only, &call.opts(opts, shards))
                .map_err(|e| call.relabel(e));
            // The input's local copy is not needed past its unit, whatever happened.
            let _ = std::fs::remove_dir_all(call.inputs.path());
            let _ = std::fs::create_dir_all(call.inputs.path());
            let r = r?;
            call.push()?;
            total.units += r.units;
            total.units_skipped += r.units_skipped;
            total.stats.merge(&r.stats);
            if !r.detail.is_null() {
                details.push(r.detail);
            }
        }
        total.detail = match details.len() {
            0 => serde_json::Value::Null,
            1 => details.pop().unwrap_or_default(),
            _ => serde_json::Value::Array(details),
        };
        total.seconds = started.elapsed().as_secs_f64();
        Ok(total)
    }

    pub(crate) fn finish(cfg: &PipelineConfig, opts: &PhaseOptions) -> Result<RunReport, RunError> {
        let mut call = Call::new(cfg)?;
        call.pull(&[STATE.into(), format!("{STATE}/done")], &is_state)?;
        let o = call.opts(opts, call.shards.clone());
        let mut report = phases::local_finish(&call.local_cfg, &o).map_err(|e| call.relabel(e))?;
        call.push()?;
        if let Some(s) = &call.staging {
            s.delete_prefix(".thresher/work")?;
            report.out_dir = PathBuf::from(&cfg.output.dir);
        }
        Ok(report)
    }

    /// `thresher run` against object storage: every phase in turn, by this process.
    pub(crate) fn run(cfg: &PipelineConfig, opts: &RunOptions) -> Result<RunReport, RunError> {
        if opts.rank.world_size > 1 {
            return Err(RunError::Config(
                "with object storage, split a run with phases (--plan, --phase) rather than --rank/--world-size"
                    .into(),
            ));
        }
        let popts = PhaseOptions {
            threads: opts.threads,
            overwrite: opts.overwrite,
            shards: None,
        };
        let infos = plan(cfg, &popts)?;
        let popts = PhaseOptions {
            overwrite: false,
            ..popts
        };
        // A finished run's intermediate files are gone: run again, it only re-reports.
        if !Call::new(cfg)?.all_done()? {
            for info in &infos {
                run_phase(cfg, &info.name, RankSpec::default(), &popts)?;
            }
        }
        finish(cfg, &popts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_paths() {
        assert!(is_url("s3://bucket/prefix"));
        assert!(is_url("gs://b"));
        assert!(is_url("abfss://c@a.dfs.core.windows.net/p"));
        assert!(!is_url("file:///tmp/x"));
        assert!(!is_url("/tmp/s3://x"));
        assert!(!is_url("data/sample"));
        assert!(!is_url("@list.txt"));
    }

    #[cfg(feature = "object-store")]
    #[test]
    fn a_unit_pulls_its_own_share_of_the_state() {
        use enabled::{needs, needs_state};
        // Per-shard units: their own markers, not every shard's.
        assert!(needs_state(true, 3, Some("a"), ".thresher/run.json"));
        assert!(needs_state(true, 3, Some("a"), ".thresher/done/a.json"));
        assert!(!needs_state(true, 3, Some("a"), ".thresher/done/b.json"));
        assert!(needs_state(
            true,
            3,
            Some("a"),
            ".thresher/work/a.pass1.json"
        ));
        assert!(!needs_state(
            true,
            3,
            Some("a"),
            ".thresher/work/ab.pass1.json"
        ));
        assert!(needs_state(
            true,
            3,
            Some("a"),
            ".thresher/work/boilerplate/done/count-00003.json"
        ));
        assert!(!needs_state(
            true,
            3,
            Some("a"),
            ".thresher/work/boilerplate/done/count-00004.json"
        ));
        assert!(needs_state(
            true,
            3,
            Some("a"),
            ".thresher/work/minhash/clusters/summary.json"
        ));
        // Stage units read the stage's state, and only check that shard markers exist (their
        // stand-ins do); data files are not state.
        assert!(!needs_state(false, 0, None, ".thresher/done/b.json"));
        assert!(!needs_state(false, 0, None, ".thresher/work/b.pass1.json"));
        assert!(needs_state(
            false,
            0,
            None,
            ".thresher/work/boilerplate/done/count-00004.json"
        ));
        assert!(!needs_state(
            false,
            0,
            None,
            ".thresher/work/a.pass1.jsonl.zst"
        ));
        // Data: the unit's own inputs only.
        let n = |phase: &str, unit: usize, shard: Option<&str>, key: &str| {
            needs(phase, unit, shard, None, key)
        };
        assert!(n(
            "minhash.signatures",
            2,
            Some("a"),
            ".thresher/work/a.pass1.jsonl.zst"
        ));
        assert!(!n(
            "minhash.signatures",
            2,
            Some("a"),
            ".thresher/work/b.pass1.jsonl.zst"
        ));
        assert!(!n(
            "pass1",
            2,
            Some("a"),
            ".thresher/work/a.pass1.jsonl.zst"
        ));
        assert!(n(
            "minhash.buckets",
            7,
            None,
            ".thresher/work/minhash/signatures/bucket_007/00001.minhash.sig"
        ));
        assert!(!n(
            "minhash.buckets",
            7,
            None,
            ".thresher/work/minhash/signatures/bucket_008/00001.minhash.sig"
        ));
        assert!(n(
            "minhash.clusters",
            0,
            None,
            ".thresher/work/minhash/pairs/00003.minhash.dups"
        ));
        assert!(n(
            "minhash.clusters",
            0,
            None,
            ".thresher/work/minhash/signatures/00003.minhash.ids"
        ));
        assert!(!n(
            "minhash.clusters",
            0,
            None,
            ".thresher/work/minhash/signatures/bucket_000/00003.minhash.sig"
        ));
        assert!(n("pass2", 1, Some("a"), ".thresher/work/a.keys"));
        assert!(!n("pass2", 1, Some("a"), ".thresher/work/b.keys"));
        assert!(!n("pass2", 1, Some("a"), "a.jsonl.zst"));
    }
}
