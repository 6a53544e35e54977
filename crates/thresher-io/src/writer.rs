//! Atomic output shards.
//!
//! A [`ShardWriter`] writes documents in datatrove's schema (`{"text", "id", "metadata"}`) to a
//! temporary file beside its final path (`.{name}.tmp-{pid}-{time}-{n}`, hidden, so input discovery
//! never picks it up). [`ShardWriter::finish`] flushes, finishes the compressor, fsyncs and
//! renames it into place, so a final path either holds a complete shard or does not exist. A
//! writer dropped before `finish` deletes its temporary file.
//!
//! Formats ([`OutputFormat`]):
//!
//! * JSON lines, zstd (level 3, the default), gzip or plain: one `Document::to_json` object per
//!   line; rejects add top-level `dropped_by` and `reason` keys. [`crate::jsonl::open`] reads
//!   them back as the same documents.
//! * Parquet (zstd level 3): columns `text`, `id` and `metadata`, all UTF-8 strings; **the
//!   `metadata` column is the metadata object serialised as JSON** (Hugging Face `datasets` and
//!   pandas read it as a string column; [`crate::parquet::open`] parses it back into metadata).
//!   A rejects shard (one whose first write is [`ShardWriter::write_rejected`]) has two more
//!   optional UTF-8 columns, `dropped_by` and `reason`. Row groups hold at most
//!   [`PARQUET_ROW_GROUP_ROWS`] rows or about [`PARQUET_ROW_GROUP_BYTES`] bytes of strings, so
//!   memory stays bounded.

use crate::IoError;
use parquet::basic::{Compression, ZstdLevel};
use parquet::data_type::{ByteArray, ByteArrayType};
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;
use parquet::schema::types::ColumnPath;
use serde_json::Value;
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use thresher_core::Document;

/// zstd level used for JSONL and Parquet output.
pub const ZSTD_LEVEL: i32 = 3;
/// zstd level for a run's own intermediate files, read back once and deleted: speed over size.
pub const ZSTD_LEVEL_SCRATCH: i32 = 1;
/// Most rows in one Parquet row group.
pub const PARQUET_ROW_GROUP_ROWS: usize = 5_000;
/// A Parquet row group is closed once its buffered strings reach this many bytes.
pub const PARQUET_ROW_GROUP_BYTES: usize = 64 << 20;
/// Buffer size of output files.
const WRITE_BUF: usize = 256 << 10;

/// Counter that makes temporary file names unique within the process.
static TMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// The format of an output shard.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum OutputFormat {
    /// JSON lines, zstd-compressed (`.jsonl.zst`).
    #[default]
    JsonlZst,
    /// JSON lines, gzip-compressed (`.jsonl.gz`).
    JsonlGz,
    /// JSON lines, uncompressed (`.jsonl`).
    Jsonl,
    /// Parquet, zstd-compressed columns (`.parquet`).
    Parquet,
}

impl OutputFormat {
    /// Every format, in a fixed order.
    pub const ALL: [OutputFormat; 4] = [
        OutputFormat::JsonlZst,
        OutputFormat::JsonlGz,
        OutputFormat::Jsonl,
        OutputFormat::Parquet,
    ];

    /// File extension without the leading dot: `jsonl.zst`, `jsonl.gz`, `jsonl`, `parquet`.
    pub fn extension(self) -> &'static str {
        match self {
            OutputFormat::JsonlZst => "jsonl.zst",
            OutputFormat::JsonlGz => "jsonl.gz",
            OutputFormat::Jsonl => "jsonl",
            OutputFormat::Parquet => "parquet",
        }
    }

    /// The format a file name ends in (case-insensitive), if any: `x.jsonl.zst`, `x.jsonl.gz`,
    /// `x.jsonl` (also `.json`/`.ndjson` with the same compressions) and `x.parquet`.
    pub fn from_path(path: &Path) -> Option<OutputFormat> {
        let name = path.file_name()?.to_string_lossy().to_ascii_lowercase();
        let (base, compression) = if let Some(b) = name.strip_suffix(".zst") {
            (b, Some(OutputFormat::JsonlZst))
        } else if let Some(b) = name.strip_suffix(".gz") {
            (b, Some(OutputFormat::JsonlGz))
        } else {
            (name.as_str(), None)
        };
        let jsonl = [".jsonl", ".json", ".ndjson"]
            .iter()
            .any(|e| base.ends_with(e) && base.len() > e.len());
        if jsonl {
            return Some(compression.unwrap_or(OutputFormat::Jsonl));
        }
        if compression.is_none() && base.ends_with(".parquet") && base.len() > 8 {
            return Some(OutputFormat::Parquet);
        }
        None
    }
}

impl std::fmt::Display for OutputFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.extension())
    }
}

impl FromStr for OutputFormat {
    type Err = IoError;

    /// Accepts `jsonl.zst`/`zst`, `jsonl.gz`/`gz`, `jsonl` and `parquet` (case-insensitive,
    /// a leading dot allowed).
    fn from_str(s: &str) -> Result<Self, IoError> {
        let lower = s.trim().trim_start_matches('.').to_ascii_lowercase();
        Ok(match lower.as_str() {
            "jsonl.zst" | "zst" | "zstd" => OutputFormat::JsonlZst,
            "jsonl.gz" | "gz" | "gzip" => OutputFormat::JsonlGz,
            "jsonl" => OutputFormat::Jsonl,
            "parquet" => OutputFormat::Parquet,
            _ => {
                return Err(IoError::Input(format!(
                    "unknown output format `{s}` (expected jsonl.zst, jsonl.gz, jsonl or parquet)"
                )))
            }
        })
    }
}

/// Wraps a Parquet error as an I/O error on `path`.
fn pq_err(path: &Path, e: parquet::errors::ParquetError) -> IoError {
    IoError::io(path, std::io::Error::other(e))
}

/// Creates a new hidden temporary file beside `final_path`.
fn create_temp(final_path: &Path) -> Result<(PathBuf, File), IoError> {
    let name = final_path
        .file_name()
        .ok_or_else(|| IoError::Input(format!("{}: not a file path", final_path.display())))?
        .to_string_lossy()
        .into_owned();
    let dir = final_path.parent().unwrap_or(Path::new(""));
    // The time too, not only pid and counter: containers sharing a folder may all be pid 1.
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    loop {
        let n = TMP_COUNTER.fetch_add(1, Ordering::Relaxed);
        let tmp = dir.join(format!(".{name}.tmp-{}-{nanos:x}-{n}", std::process::id()));
        match OpenOptions::new().write(true).create_new(true).open(&tmp) {
            Ok(f) => return Ok((tmp, f)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(IoError::io(&tmp, e)),
        }
    }
}

/// Fsyncs `file`, renames `tmp` to `final_path` and fsyncs the folder (best effort).
fn commit(file: File, tmp: &Path, final_path: &Path) -> Result<(), IoError> {
    file.sync_all().map_err(|e| IoError::io(tmp, e))?;
    drop(file);
    std::fs::rename(tmp, final_path).map_err(|e| IoError::io(final_path, e))?;
    sync_parent(final_path);
    Ok(())
}

/// Fsyncs the folder holding `path`, so a rename survives a crash. Errors are ignored: not
/// every platform or file system can sync a folder.
fn sync_parent(path: &Path) {
    #[cfg(unix)]
    {
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

/// Writes `bytes` to `path` atomically: a temporary file beside it is written, fsynced and
/// renamed over `path`. For stats and marker files.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), IoError> {
    let (tmp, mut file) = create_temp(path)?;
    let result = file
        .write_all(bytes)
        .map_err(|e| IoError::io(&tmp, e))
        .and_then(|()| commit(file, &tmp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Serialises a document object as one JSON line, keys in datatrove's order: `text`, `id`,
/// `metadata`, then `dropped_by` and `reason` for rejects (metadata keys are sorted).
fn json_line(
    out: &mut Vec<u8>,
    value: &mut Value,
    reject: Option<(&str, &str)>,
) -> serde_json::Result<()> {
    let Value::Object(obj) = value else {
        return serde_json::to_writer(&mut *out, value);
    };
    out.push(b'{');
    let mut first = true;
    let mut field = |out: &mut Vec<u8>, key: &str, v: &Value| -> serde_json::Result<()> {
        if !first {
            out.push(b',');
        }
        first = false;
        serde_json::to_writer(&mut *out, key)?;
        out.push(b':');
        serde_json::to_writer(&mut *out, v)
    };
    for key in ["text", "id", "metadata"] {
        if let Some(v) = obj.remove(key) {
            field(out, key, &v)?;
        }
    }
    if let Some((by, reason)) = reject {
        for (key, v) in [("dropped_by", by), ("reason", reason)] {
            obj.remove(key);
            field(out, key, &Value::String(v.to_string()))?;
        }
    }
    for (key, v) in obj.iter() {
        field(out, key, v)?;
    }
    out.push(b'}');
    Ok(())
}

/// Where documents go.
enum Sink {
    Jsonl(BufWriter<File>),
    Gz(flate2::write::GzEncoder<BufWriter<File>>),
    Zst(zstd::stream::write::Encoder<'static, BufWriter<File>>),
    Parquet(Box<ParquetSink>),
}

/// Writes one output shard atomically; see the [module documentation](self).
pub struct ShardWriter {
    final_path: PathBuf,
    tmp_path: PathBuf,
    format: OutputFormat,
    sink: Option<Sink>,
    count: u64,
    line: Vec<u8>,
}

impl std::fmt::Debug for ShardWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShardWriter")
            .field("final_path", &self.final_path)
            .field("tmp_path", &self.tmp_path)
            .field("format", &self.format)
            .field("count", &self.count)
            .finish()
    }
}

impl ShardWriter {
    /// Starts a shard that [`ShardWriter::finish`] will move to `final_path`. The folder must
    /// exist. Nothing appears at `final_path` until `finish` succeeds.
    pub fn create(final_path: &Path, format: OutputFormat) -> Result<ShardWriter, IoError> {
        Self::create_with_level(final_path, format, ZSTD_LEVEL)
    }

    /// As [`ShardWriter::create`], with zstd at `zstd_level` for [`OutputFormat::JsonlZst`]
    /// ([`ZSTD_LEVEL_SCRATCH`] for intermediate files).
    pub fn create_with_level(
        final_path: &Path,
        format: OutputFormat,
        zstd_level: i32,
    ) -> Result<ShardWriter, IoError> {
        let (tmp_path, file) = create_temp(final_path)?;
        let buffered = BufWriter::with_capacity(WRITE_BUF, file);
        let sink = match format {
            OutputFormat::Jsonl => Ok(Sink::Jsonl(buffered)),
            OutputFormat::JsonlGz => Ok(Sink::Gz(flate2::write::GzEncoder::new(
                buffered,
                flate2::Compression::default(),
            ))),
            OutputFormat::JsonlZst => zstd::stream::write::Encoder::new(buffered, zstd_level)
                .and_then(|mut enc| {
                    enc.include_checksum(true)?;
                    Ok(enc)
                })
                .map(Sink::Zst)
                .map_err(|e| IoError::io(&tmp_path, e)),
            OutputFormat::Parquet => match buffered.into_inner() {
                Ok(file) => Ok(Sink::Parquet(Box::new(ParquetSink::new(file)))),
                Err(e) => Err(IoError::io(&tmp_path, e.into_error())),
            },
        };
        let sink = match sink {
            Ok(s) => s,
            Err(e) => {
                let _ = std::fs::remove_file(&tmp_path);
                return Err(e);
            }
        };
        Ok(ShardWriter {
            final_path: final_path.to_path_buf(),
            tmp_path,
            format,
            sink: Some(sink),
            count: 0,
            line: Vec::with_capacity(4096),
        })
    }

    /// The path the shard will have once finished.
    pub fn final_path(&self) -> &Path {
        &self.final_path
    }

    /// The output format.
    pub fn format(&self) -> OutputFormat {
        self.format
    }

    /// Documents written so far.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Writes one document (`Document::to_json`).
    pub fn write(&mut self, doc: &Document) -> Result<(), IoError> {
        self.write_value(doc.to_json(), None)
    }

    /// Writes one rejected document: the same as [`ShardWriter::write`] plus top-level
    /// `dropped_by` (the step's name) and `reason` keys.
    pub fn write_rejected(
        &mut self,
        doc: &Document,
        dropped_by: &str,
        reason: &str,
    ) -> Result<(), IoError> {
        self.write_value(doc.to_json(), Some((dropped_by, reason)))
    }

    /// Writes any JSON object as one line (reports such as `thresher filter --decisions`).
    /// JSON-lines formats only: a Parquet shard has the document schema, so this is an error
    /// there.
    pub fn write_record(&mut self, value: Value) -> Result<(), IoError> {
        if self.format == OutputFormat::Parquet {
            return Err(IoError::Input(format!(
                "{}: this output is JSON lines only; use .jsonl, .jsonl.gz or .jsonl.zst",
                self.final_path.display()
            )));
        }
        self.write_value(value, None)
    }

    fn write_value(
        &mut self,
        mut value: Value,
        reject: Option<(&str, &str)>,
    ) -> Result<(), IoError> {
        let sink = self.sink.as_mut().ok_or_else(|| {
            IoError::Input(format!(
                "{}: write after a failed write",
                self.final_path.display()
            ))
        })?;
        let path = &self.tmp_path;
        let result = match sink {
            Sink::Parquet(p) => p.push(value, reject).map_err(|e| pq_err(path, e)),
            jsonl => {
                self.line.clear();
                json_line(&mut self.line, &mut value, reject)
                    .map_err(std::io::Error::other)
                    .and_then(|()| {
                        self.line.push(b'\n');
                        match jsonl {
                            Sink::Jsonl(w) => w.write_all(&self.line),
                            Sink::Gz(w) => w.write_all(&self.line),
                            Sink::Zst(w) => w.write_all(&self.line),
                            Sink::Parquet(_) => Ok(()),
                        }
                    })
                    .map_err(|e| IoError::io(path, e))
            }
        };
        if self.line.capacity() > 1 << 20 {
            self.line = Vec::with_capacity(4096);
        }
        match result {
            Ok(()) => {
                self.count += 1;
                Ok(())
            }
            Err(e) => {
                // A half-written record cannot be taken back: the shard is unusable.
                self.sink = None;
                Err(e)
            }
        }
    }

    /// Finishes the shard: flushes, finishes the compressor, fsyncs, renames the temporary
    /// file to the final path and returns the number of documents written.
    pub fn finish(mut self) -> Result<u64, IoError> {
        let sink = self.sink.take().ok_or_else(|| {
            IoError::Input(format!(
                "{}: cannot finish after a failed write",
                self.final_path.display()
            ))
        })?;
        let tmp = self.tmp_path.clone();
        let file = match sink {
            Sink::Jsonl(w) => w.into_inner().map_err(|e| e.into_error()),
            Sink::Gz(w) => w
                .finish()
                .and_then(|b| b.into_inner().map_err(|e| e.into_error())),
            Sink::Zst(w) => w
                .finish()
                .and_then(|b| b.into_inner().map_err(|e| e.into_error())),
            Sink::Parquet(p) => p.finish().map_err(std::io::Error::other),
        }
        .map_err(|e| IoError::io(&tmp, e))?;
        commit(file, &tmp, &self.final_path)?;
        // Renamed: nothing left for Drop to clean up.
        self.tmp_path = PathBuf::new();
        Ok(self.count)
    }
}

impl Drop for ShardWriter {
    fn drop(&mut self) {
        if !self.tmp_path.as_os_str().is_empty() {
            drop(self.sink.take());
            let _ = std::fs::remove_file(&self.tmp_path);
        }
    }
}

/// Buffers rows and writes them as Parquet row groups.
struct ParquetSink {
    /// The file until the schema is known (at the first write or at finish).
    file: Option<File>,
    writer: Option<SerializedFileWriter<File>>,
    /// Whether the schema has the `dropped_by` and `reason` columns.
    rejects: bool,
    text: Vec<ByteArray>,
    id: Vec<ByteArray>,
    metadata: Vec<ByteArray>,
    /// Non-null values and definition levels of `dropped_by` and `reason`.
    dropped_by: (Vec<ByteArray>, Vec<i16>),
    reason: (Vec<ByteArray>, Vec<i16>),
    bytes: usize,
}

/// The Parquet schema of output shards.
fn parquet_schema(rejects: bool) -> &'static str {
    if rejects {
        "message document {
            required binary text (UTF8);
            required binary id (UTF8);
            required binary metadata (UTF8);
            optional binary dropped_by (UTF8);
            optional binary reason (UTF8);
        }"
    } else {
        "message document {
            required binary text (UTF8);
            required binary id (UTF8);
            required binary metadata (UTF8);
        }"
    }
}

type PqResult<T> = Result<T, parquet::errors::ParquetError>;

impl ParquetSink {
    fn new(file: File) -> Self {
        ParquetSink {
            file: Some(file),
            writer: None,
            rejects: false,
            text: Vec::new(),
            id: Vec::new(),
            metadata: Vec::new(),
            dropped_by: (Vec::new(), Vec::new()),
            reason: (Vec::new(), Vec::new()),
            bytes: 0,
        }
    }

    /// Creates the file writer with the schema chosen by the first write.
    fn start(&mut self, rejects: bool) -> PqResult<()> {
        let Some(file) = self.file.take() else {
            return Ok(());
        };
        self.rejects = rejects;
        let schema = Arc::new(parse_message_type(parquet_schema(rejects))?);
        let mut props = WriterProperties::builder()
            .set_compression(Compression::ZSTD(ZstdLevel::try_new(ZSTD_LEVEL)?))
            .set_created_by(format!("thresher {}", env!("CARGO_PKG_VERSION")))
            .set_dictionary_enabled(false)
            .set_statistics_enabled(EnabledStatistics::None);
        for col in ["dropped_by", "reason"] {
            props = props.set_column_dictionary_enabled(ColumnPath::from(col), true);
        }
        self.writer = Some(SerializedFileWriter::new(
            file,
            schema,
            Arc::new(props.build()),
        )?);
        Ok(())
    }

    fn push(&mut self, value: Value, reject: Option<(&str, &str)>) -> PqResult<()> {
        if self.writer.is_none() {
            self.start(reject.is_some())?;
        }
        if reject.is_some() && !self.rejects {
            return Err(parquet::errors::ParquetError::General(
                "a Parquet shard started with accepted documents cannot take rejected ones \
                 (its schema has no dropped_by/reason columns)"
                    .into(),
            ));
        }
        let Value::Object(mut obj) = value else {
            return Err(parquet::errors::ParquetError::General(
                "document did not serialise to an object".into(),
            ));
        };
        let text = match obj.remove("text") {
            Some(Value::String(s)) => s,
            _ => String::new(),
        };
        let id = match obj.remove("id") {
            Some(Value::String(s)) => s,
            _ => String::new(),
        };
        let metadata = obj
            .remove("metadata")
            .unwrap_or_else(|| Value::Object(Default::default()));
        let metadata = serde_json::to_string(&metadata)
            .map_err(|e| parquet::errors::ParquetError::External(Box::new(e)))?;
        self.bytes += text.len() + id.len() + metadata.len();
        self.text.push(ByteArray::from(text.into_bytes()));
        self.id.push(ByteArray::from(id.into_bytes()));
        self.metadata.push(ByteArray::from(metadata.into_bytes()));
        if self.rejects {
            for (col, v) in [
                (&mut self.dropped_by, reject.map(|r| r.0)),
                (&mut self.reason, reject.map(|r| r.1)),
            ] {
                match v {
                    Some(s) => {
                        self.bytes += s.len();
                        col.0.push(ByteArray::from(s.as_bytes().to_vec()));
                        col.1.push(1);
                    }
                    None => col.1.push(0),
                }
            }
        }
        if self.text.len() >= PARQUET_ROW_GROUP_ROWS || self.bytes >= PARQUET_ROW_GROUP_BYTES {
            self.flush_group()?;
        }
        Ok(())
    }

    /// Writes the buffered rows as one row group.
    fn flush_group(&mut self) -> PqResult<()> {
        if self.text.is_empty() {
            return Ok(());
        }
        let Some(writer) = self.writer.as_mut() else {
            return Ok(());
        };
        let mut rg = writer.next_row_group()?;
        let mut index = 0;
        while let Some(mut col) = rg.next_column()? {
            let (values, levels): (&[ByteArray], Option<&[i16]>) = match index {
                0 => (&self.text, None),
                1 => (&self.id, None),
                2 => (&self.metadata, None),
                3 => (&self.dropped_by.0, Some(&self.dropped_by.1)),
                _ => (&self.reason.0, Some(&self.reason.1)),
            };
            col.typed::<ByteArrayType>()
                .write_batch(values, levels, None)?;
            col.close()?;
            index += 1;
        }
        rg.close()?;
        self.text.clear();
        self.id.clear();
        self.metadata.clear();
        for col in [&mut self.dropped_by, &mut self.reason] {
            col.0.clear();
            col.1.clear();
        }
        self.bytes = 0;
        Ok(())
    }

    /// Writes the last row group and the footer, and hands back the file.
    fn finish(mut self) -> PqResult<File> {
        if self.writer.is_none() {
            self.start(false)?;
        }
        self.flush_group()?;
        match self.writer.take() {
            Some(w) => w.into_inner(),
            None => Err(parquet::errors::ParquetError::General(
                "parquet writer missing".into(),
            )),
        }
    }
}
