//! JSONL files: readers for plain, gzip and zstd JSONL, and a zstd writer that writes to a
//! temporary file beside its destination and renames it into place when finished.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// Opens `path` for reading lines, decompressing by extension (`.zst`, `.gz`, else plain).
pub fn open_lines(path: &Path) -> Result<Box<dyn BufRead + Send>> {
    let file = File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let name = path.to_string_lossy();
    Ok(if name.ends_with(".zst") {
        Box::new(BufReader::with_capacity(
            1 << 16,
            zstd::stream::read::Decoder::new(file)
                .with_context(|| format!("zstd {}", path.display()))?,
        ))
    } else if name.ends_with(".gz") {
        Box::new(BufReader::with_capacity(
            1 << 16,
            flate2::read::MultiGzDecoder::new(BufReader::new(file)),
        ))
    } else {
        Box::new(BufReader::with_capacity(1 << 16, file))
    })
}

/// Calls `f` on each non-empty line of a JSONL file, with its 1-based line number.
pub fn for_each_line(path: &Path, mut f: impl FnMut(usize, &str) -> Result<()>) -> Result<()> {
    let mut reader = open_lines(path)?;
    let mut line = String::new();
    let mut n = 0;
    loop {
        line.clear();
        let read = reader
            .read_line(&mut line)
            .with_context(|| format!("reading {}", path.display()))?;
        if read == 0 {
            return Ok(());
        }
        n += 1;
        let trimmed = line.trim_end_matches(['\n', '\r']);
        if trimmed.trim().is_empty() {
            continue;
        }
        f(n, trimmed).with_context(|| format!("{}:{n}", path.display()))?;
    }
}

/// Whether a file name is a JSONL file these readers understand.
pub fn is_jsonl_name(name: &str) -> bool {
    name.ends_with(".jsonl") || name.ends_with(".jsonl.zst") || name.ends_with(".jsonl.gz")
}

/// The JSONL files directly inside `dir` (not in subfolders; hidden files skipped), sorted
/// by name.
pub fn jsonl_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("listing {}", dir.display()))? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || !is_jsonl_name(&name) || !entry.file_type()?.is_file() {
            continue;
        }
        out.push(entry.path());
    }
    out.sort();
    Ok(out)
}

/// The temporary name used while writing `dest`.
fn temp_path(dest: &Path) -> PathBuf {
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    dest.with_file_name(format!(".{name}.tmp-{}", std::process::id()))
}

/// A zstd-compressed file written to a temporary name and renamed to its destination by
/// [`ZstWriter::finish`]; dropped unfinished, the temporary file is removed.
pub struct ZstWriter {
    dest: PathBuf,
    tmp: PathBuf,
    enc: Option<zstd::stream::write::Encoder<'static, BufWriter<File>>>,
}

impl ZstWriter {
    /// Starts writing `dest` at zstd `level`.
    pub fn create(dest: &Path, level: i32) -> Result<ZstWriter> {
        let tmp = temp_path(dest);
        let file = File::create(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
        let mut enc =
            zstd::stream::write::Encoder::new(BufWriter::with_capacity(1 << 16, file), level)
                .with_context(|| format!("zstd encoder for {}", dest.display()))?;
        // Shards are many and open at once: a 1 MiB window keeps each encoder small.
        enc.window_log(20)?;
        Ok(ZstWriter {
            dest: dest.to_path_buf(),
            tmp,
            enc: Some(enc),
        })
    }

    /// Writes `bytes` followed by a newline.
    pub fn write_line(&mut self, bytes: &[u8]) -> Result<()> {
        let enc = self.enc.as_mut().expect("writer used after finish");
        enc.write_all(bytes)
            .and_then(|()| enc.write_all(b"\n"))
            .with_context(|| format!("writing {}", self.tmp.display()))
    }

    /// Finishes the stream, syncs the file and renames it to its destination.
    pub fn finish(mut self) -> Result<()> {
        let enc = self.enc.take().expect("finish called once");
        let buf = enc
            .finish()
            .with_context(|| format!("finishing {}", self.tmp.display()))?;
        let file = buf
            .into_inner()
            .map_err(|e| e.into_error())
            .with_context(|| format!("flushing {}", self.tmp.display()))?;
        file.sync_all()
            .with_context(|| format!("syncing {}", self.tmp.display()))?;
        drop(file);
        std::fs::rename(&self.tmp, &self.dest)
            .with_context(|| format!("renaming to {}", self.dest.display()))
    }
}

impl Drop for ZstWriter {
    fn drop(&mut self) {
        if self.enc.is_some() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// Writes `bytes` to `dest` through a temporary file and a rename.
pub fn write_atomic(dest: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = temp_path(dest);
    let result = (|| {
        let mut f = File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, dest)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.with_context(|| format!("writing {}", dest.display()))
}
