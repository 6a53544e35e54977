//! Parquet input, one document per row, read one row group at a time.
//!
//! * The text column ([`ReadOptions::parquet_text_column`], default `text`) must exist and be a
//!   string (or binary) column; a null text is read as empty text.
//! * The id column ([`ReadOptions::parquet_id_column`], default `id`) may be a string or an
//!   integer; missing or null → `{file_stem}/{row}` with the zero-based row index in the file.
//! * A `metadata` column holding a JSON object as a string (as thresher writes it), or a
//!   struct, is merged into the document's metadata.
//! * Every other column goes into `metadata.extra` under its name (a `url` column becomes the
//!   document's URL, as with JSONL). Nested values become JSON objects and arrays; dates become
//!   `YYYY-MM-DD`, timestamps ISO 8601 in UTC, binary values a UTF-8 string when they are valid
//!   UTF-8 and base64 otherwise.
//!
//! Reading uses the `parquet` crate's row API without Arrow, which keeps the build small.
//! Memory is bounded by one row group's pages and a small batch of decoded rows. A row group
//! that fails to decode (or makes the decoder panic, which corrupt files can) is reported as
//! one [`ReadEvent::Problem`] and skipped; reading goes on with the next row group.

use crate::discover::file_stem;
use crate::{EventStream, Input, IoError, ReadEvent, ReadOptions};
use parquet::basic::Type as PhysicalType;
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::reader::{ReaderIter, TreeBuilder};
use parquet::record::{Field, Row};
use parquet::schema::types::SchemaDescPtr;
use serde_json::{Map, Value};
use std::fs::File;
use std::panic::{catch_unwind, AssertUnwindSafe};
use thresher_core::{Document, RecordProblem, SourceRef};

/// Rows decoded per column batch; small, because text values can be large.
const BATCH_ROWS: usize = 128;
/// Nesting depth beyond which values are not converted further.
const MAX_DEPTH: usize = 64;

/// Opens a Parquet input. Fails if the file cannot be opened, is not Parquet (its footer
/// cannot be read), or has no usable text column.
pub fn open(input: &Input, opts: &ReadOptions) -> Result<EventStream, IoError> {
    let path = &input.path;
    let file = File::open(input.read_path()?).map_err(|e| IoError::io(path, e))?;
    let file_len = file.metadata().map_err(|e| IoError::io(path, e))?.len();
    let format_err = |message: String| IoError::Format {
        path: path.clone(),
        message,
    };
    let reader = match catch_unwind(AssertUnwindSafe(|| SerializedFileReader::new(file))) {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => return Err(format_err(format!("not a readable Parquet file: {e}"))),
        Err(p) => {
            return Err(format_err(format!(
                "not a readable Parquet file: {}",
                panic_message(&p)
            )))
        }
    };
    let descr = reader.metadata().file_metadata().schema_descr_ptr();
    let fields = descr.root_schema().get_fields();
    let text_col = &opts.parquet_text_column;
    match fields.iter().find(|f| f.name() == text_col) {
        None => {
            let names: Vec<&str> = fields.iter().map(|f| f.name()).collect();
            return Err(format_err(format!(
                "no text column `{text_col}` (columns: {})",
                names.join(", ")
            )));
        }
        Some(f) if !f.is_primitive() || f.get_physical_type() != PhysicalType::BYTE_ARRAY => {
            return Err(format_err(format!(
                "text column `{text_col}` is not a string column"
            )));
        }
        Some(_) => {}
    }
    let mut group_start = Vec::with_capacity(reader.num_row_groups());
    let mut group_offset = Vec::with_capacity(reader.num_row_groups());
    let mut start: u64 = 0;
    for rg in reader.metadata().row_groups() {
        group_start.push(start);
        start = start.saturating_add(rg.num_rows().max(0) as u64);
        let offset = rg
            .columns()
            .iter()
            .map(|c| c.dictionary_page_offset().unwrap_or(c.data_page_offset()))
            .filter(|&o| o >= 0)
            .min()
            .unwrap_or(0);
        group_offset.push(offset as u64);
    }
    Ok(Box::new(ParquetEvents {
        reader,
        descr,
        file: path.display().to_string(),
        stem: file_stem(path),
        text_col: opts.parquet_text_column.clone(),
        id_col: opts.parquet_id_column.clone(),
        group_start,
        group_offset,
        file_len,
        next_group: 0,
        rows: None,
        row: 0,
        group_end: 0,
    }))
}

/// The text of a caught panic.
fn panic_message(p: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        format!("decoder panicked: {s}")
    } else if let Some(s) = p.downcast_ref::<String>() {
        format!("decoder panicked: {s}")
    } else {
        "decoder panicked".to_string()
    }
}

/// The iterator behind [`open`].
struct ParquetEvents {
    reader: SerializedFileReader<File>,
    descr: SchemaDescPtr,
    file: String,
    stem: String,
    text_col: String,
    id_col: String,
    /// Index of the first row of each row group.
    group_start: Vec<u64>,
    /// Byte offset of each row group's first column chunk.
    group_offset: Vec<u64>,
    /// Size of the file, to check column chunk bounds against.
    file_len: u64,
    next_group: usize,
    /// Rows of the current row group.
    rows: Option<ReaderIter>,
    /// Index of the next row in the file.
    row: u64,
    /// One past the last row of the current group.
    group_end: u64,
}

impl ParquetEvents {
    fn current_group(&self) -> usize {
        self.next_group.saturating_sub(1)
    }

    fn problem(&self, record: Option<u64>, message: String) -> ReadEvent {
        let g = self.current_group();
        ReadEvent::Problem(RecordProblem {
            file: self.file.clone(),
            offset: self.group_offset.get(g).copied().unwrap_or(0),
            record,
            message: format!("row group {g}: {message}"),
        })
    }

    /// Starts the next row group; `Err` is a problem event for a group that cannot be read.
    fn start_group(&mut self) -> Result<(), ReadEvent> {
        let g = self.next_group;
        self.next_group += 1;
        self.row = self.group_start[g];
        let num_rows = self.reader.metadata().row_group(g).num_rows();
        if num_rows < 0 {
            return Err(self.problem(None, format!("negative row count {num_rows}")));
        }
        self.group_end = self.row.saturating_add(num_rows as u64);
        // Column chunks pointing outside the file make the decoder panic; refuse them first.
        let bad_chunk = self
            .reader
            .metadata()
            .row_group(g)
            .columns()
            .iter()
            .position(|c| {
                let start = c.dictionary_page_offset().unwrap_or(c.data_page_offset());
                let len = c.compressed_size();
                start < 0 || len < 0 || (start as u64).saturating_add(len as u64) > self.file_len
            });
        if let Some(col) = bad_chunk {
            return Err(self.problem(
                Some(self.row),
                format!("column chunk {col} lies outside the file"),
            ));
        }
        let reader = &self.reader;
        let descr = self.descr.clone();
        let built = catch_unwind(AssertUnwindSafe(|| {
            let rg = reader.get_row_group(g)?;
            TreeBuilder::new()
                .with_batch_size(BATCH_ROWS)
                .as_iter(descr, &*rg)
        }));
        match built {
            Ok(Ok(iter)) => {
                self.rows = Some(iter);
                Ok(())
            }
            Ok(Err(e)) => Err(self.problem(Some(self.row), format!("cannot be read: {e}"))),
            Err(p) => Err(self.problem(Some(self.row), panic_message(&p))),
        }
    }

    /// Turns one row into a document event.
    fn row_event(&self, row: Row, index: u64) -> ReadEvent {
        let g = self.current_group();
        match row_to_doc(row, &self.text_col, &self.id_col) {
            Ok(mut doc) => {
                if doc.id.is_empty() {
                    doc.id = format!("{}/{index}", self.stem);
                }
                if doc.metadata.source.is_none() && !doc.metadata.extra.contains_key("source") {
                    doc.metadata.source = Some(SourceRef {
                        file: self.file.clone(),
                        offset: self.group_offset.get(g).copied().unwrap_or(0),
                        record: index,
                    });
                }
                ReadEvent::Doc(Box::new(doc))
            }
            Err(message) => self.problem(Some(index), format!("row {index}: {message}")),
        }
    }
}

impl Iterator for ParquetEvents {
    type Item = ReadEvent;

    fn next(&mut self) -> Option<ReadEvent> {
        loop {
            if let Some(rows) = self.rows.as_mut() {
                if self.row >= self.group_end {
                    self.rows = None;
                    continue;
                }
                match catch_unwind(AssertUnwindSafe(|| rows.next())) {
                    Ok(Some(Ok(row))) => {
                        let index = self.row;
                        self.row += 1;
                        return Some(self.row_event(row, index));
                    }
                    Ok(None) => {
                        self.rows = None;
                        if self.row < self.group_end {
                            let (at, end) = (self.row, self.group_end);
                            return Some(self.problem(
                                Some(at),
                                format!("ends at row {at}, before the {end} rows it declares"),
                            ));
                        }
                    }
                    Ok(Some(Err(e))) => {
                        self.rows = None;
                        let at = self.row;
                        return Some(self.problem(
                            Some(at),
                            format!(
                                "decoding failed at row {at}, rest of the row group skipped: {e}"
                            ),
                        ));
                    }
                    Err(p) => {
                        self.rows = None;
                        let at = self.row;
                        return Some(self.problem(
                            Some(at),
                            format!(
                                "decoding failed at row {at}, rest of the row group skipped: {}",
                                panic_message(&p)
                            ),
                        ));
                    }
                }
            }
            if self.next_group >= self.group_start.len() {
                return None;
            }
            if let Err(problem) = self.start_group() {
                return Some(problem);
            }
        }
    }
}

/// Builds a document from one row: text and id from their columns, a `metadata` column merged
/// into metadata, every other column into metadata under its name.
fn row_to_doc(row: Row, text_col: &str, id_col: &str) -> Result<Document, String> {
    let mut text = Value::Null;
    let mut lossy = false;
    let mut id = Value::Null;
    let mut meta = Map::new();
    let mut others: Vec<(String, Value)> = Vec::new();
    for (name, field) in row.into_columns() {
        if name == text_col {
            text = match field {
                Field::Null => Value::Null,
                Field::Str(s) => Value::String(s),
                Field::Bytes(b) => match String::from_utf8(b.data().to_vec()) {
                    Ok(s) => Value::String(s),
                    Err(e) => {
                        lossy = true;
                        Value::String(String::from_utf8_lossy(e.as_bytes()).into_owned())
                    }
                },
                other => {
                    return Err(format!(
                        "text column `{text_col}` holds {}, not a string",
                        json_kind(&field_to_json(&other, 0))
                    ))
                }
            };
        } else if name == id_col {
            id = match field {
                Field::Null => Value::Null,
                Field::Str(s) => Value::String(s),
                other => match field_to_json(&other, 0) {
                    Value::String(s) => Value::String(s),
                    Value::Null => Value::Null,
                    v => Value::String(v.to_string()),
                },
            };
        } else if name == "metadata" {
            match field {
                Field::Null => {}
                Field::Str(s) => match serde_json::from_str::<Value>(&s) {
                    Ok(Value::Object(m)) => merge(&mut meta, m),
                    _ => others.push((name, Value::String(s))),
                },
                Field::Group(r) => match field_to_json(&Field::Group(r), 0) {
                    Value::Object(m) => merge(&mut meta, m),
                    v => others.push((name, v)),
                },
                other => others.push((name, field_to_json(&other, 0))),
            }
        } else {
            others.push((name, field_to_json(&field, 0)));
        }
    }
    for (k, v) in others {
        meta.entry(k).or_insert(v);
    }
    if lossy {
        meta.insert("utf8_lossy".into(), Value::Bool(true));
    }
    let mut obj = Map::with_capacity(3);
    obj.insert("text".into(), text);
    obj.insert("id".into(), id);
    obj.insert("metadata".into(), Value::Object(meta));
    Document::from_json(Value::Object(obj))
}

/// Adds the entries of `from` that `into` does not have yet.
fn merge(into: &mut Map<String, Value>, from: Map<String, Value>) {
    for (k, v) in from {
        into.entry(k).or_insert(v);
    }
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a struct or map",
    }
}

fn float(f: f64) -> Value {
    serde_json::Number::from_f64(f)
        .map(Value::Number)
        .unwrap_or(Value::Null)
}

/// Converts a Parquet value to JSON without ever panicking.
fn field_to_json(field: &Field, depth: usize) -> Value {
    if depth > MAX_DEPTH {
        return Value::Null;
    }
    match field {
        Field::Null => Value::Null,
        Field::Bool(b) => Value::Bool(*b),
        Field::Byte(v) => Value::from(*v),
        Field::Short(v) => Value::from(*v),
        Field::Int(v) => Value::from(*v),
        Field::Long(v) => Value::from(*v),
        Field::UByte(v) => Value::from(*v),
        Field::UShort(v) => Value::from(*v),
        Field::UInt(v) => Value::from(*v),
        Field::ULong(v) => Value::from(*v),
        Field::Float16(v) => float(f64::from(f32::from(*v))),
        Field::Float(v) => float(f64::from(*v)),
        Field::Double(v) => float(*v),
        Field::Decimal(d) => Value::String(decimal_to_string(d.data(), d.scale())),
        Field::Str(s) => Value::String(s.clone()),
        Field::Bytes(b) => match std::str::from_utf8(b.data()) {
            Ok(s) => Value::String(s.to_string()),
            Err(_) => Value::String(base64(b.data())),
        },
        Field::Date(days) => Value::String(date_string(i64::from(*days))),
        Field::TimeMillis(ms) => Value::String(time_string(i64::from(*ms) * 1_000, 3)),
        Field::TimeMicros(us) => Value::String(time_string(*us, 6)),
        Field::TimestampMillis(ms) => Value::String(timestamp_string(*ms, 1_000, 3)),
        Field::TimestampMicros(us) => Value::String(timestamp_string(*us, 1_000_000, 6)),
        Field::Group(row) => {
            let mut m = Map::new();
            for (k, v) in row.get_column_iter() {
                m.insert(k.clone(), field_to_json(v, depth + 1));
            }
            Value::Object(m)
        }
        Field::ListInternal(list) => Value::Array(
            list.elements()
                .iter()
                .map(|f| field_to_json(f, depth + 1))
                .collect(),
        ),
        Field::MapInternal(map) => {
            let entries = map.entries();
            if entries.iter().all(|(k, _)| matches!(k, Field::Str(_))) {
                let mut m = Map::new();
                for (k, v) in entries {
                    if let Field::Str(k) = k {
                        m.insert(k.clone(), field_to_json(v, depth + 1));
                    }
                }
                Value::Object(m)
            } else {
                Value::Array(
                    entries
                        .iter()
                        .map(|(k, v)| {
                            Value::Array(vec![
                                field_to_json(k, depth + 1),
                                field_to_json(v, depth + 1),
                            ])
                        })
                        .collect(),
                )
            }
        }
    }
}

/// A big-endian two's-complement unscaled decimal as a string; very wide values (more than
/// 128 bits) come out as their hex bytes.
fn decimal_to_string(bytes: &[u8], scale: i32) -> String {
    if bytes.is_empty() {
        return "0".into();
    }
    if bytes.len() > 16 {
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        return format!("0x{hex}e-{scale}");
    }
    let negative = bytes[0] & 0x80 != 0;
    let mut v: i128 = if negative { -1 } else { 0 };
    for &b in bytes {
        v = (v << 8) | i128::from(b);
    }
    let digits = v.unsigned_abs().to_string();
    let sign = if negative { "-" } else { "" };
    if scale <= 0 {
        let zeros = "0".repeat(scale.unsigned_abs().min(64) as usize);
        return if digits == "0" {
            "0".into()
        } else {
            format!("{sign}{digits}{zeros}")
        };
    }
    let scale = scale.min(76) as usize;
    let padded = if digits.len() <= scale {
        format!("{}{digits}", "0".repeat(scale + 1 - digits.len()))
    } else {
        digits
    };
    let (int, frac) = padded.split_at(padded.len() - scale);
    format!("{sign}{int}.{frac}")
}

/// Civil date (year, month, day) of a day count since 1970-01-01 (proleptic Gregorian).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn date_string(days: i64) -> String {
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// `HH:MM:SS.fff` of a time of day in microseconds (`frac_digits` 3 or 6).
fn time_string(micros: i64, frac_digits: usize) -> String {
    let micros = micros.rem_euclid(86_400_000_000);
    let secs = micros / 1_000_000;
    let frac = micros % 1_000_000;
    let frac = if frac_digits == 3 {
        format!("{:03}", frac / 1_000)
    } else {
        format!("{frac:06}")
    };
    format!(
        "{:02}:{:02}:{:02}.{frac}",
        secs / 3_600,
        secs / 60 % 60,
        secs % 60
    )
}

/// ISO 8601 UTC timestamp of `value` units (`per_sec` per second) since the epoch.
fn timestamp_string(value: i64, per_sec: i64, frac_digits: usize) -> String {
    let secs = value.div_euclid(per_sec);
    let sub = value.rem_euclid(per_sec);
    let days = secs.div_euclid(86_400);
    let micros_of_day = secs.rem_euclid(86_400) * 1_000_000 + sub * (1_000_000 / per_sec);
    format!(
        "{}T{}Z",
        date_string(days),
        time_string(micros_of_day, frac_digits)
    )
}

/// Standard base64 with padding.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_times() {
        assert_eq!(date_string(0), "1970-01-01");
        assert_eq!(date_string(19_723), "2024-01-01");
        assert_eq!(date_string(-1), "1969-12-31");
        assert_eq!(date_string(11_016), "2000-02-29");
        assert_eq!(
            timestamp_string(1_700_000_000_123, 1_000, 3),
            "2023-11-14T22:13:20.123Z"
        );
        assert_eq!(
            timestamp_string(-1, 1_000_000, 6),
            "1969-12-31T23:59:59.999999Z"
        );
        // extreme values do not panic
        let _ = timestamp_string(i64::MIN, 1_000, 3);
        let _ = timestamp_string(i64::MAX, 1_000_000, 6);
        let _ = date_string(i64::from(i32::MIN));
        assert_eq!(time_string(3_723_004_000, 3), "01:02:03.004");
    }

    #[test]
    fn decimals() {
        assert_eq!(decimal_to_string(&12345i32.to_be_bytes(), 2), "123.45");
        assert_eq!(decimal_to_string(&(-5i32).to_be_bytes(), 3), "-0.005");
        assert_eq!(decimal_to_string(&7i64.to_be_bytes(), 0), "7");
        assert_eq!(decimal_to_string(&7i64.to_be_bytes(), -2), "700");
        assert_eq!(decimal_to_string(&[], 2), "0");
        let _ = decimal_to_string(&[0xff; 40], i32::MAX);
        let _ = decimal_to_string(&[0x80; 16], i32::MIN);
    }

    #[test]
    fn base64_encodes() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64(&[0xff, 0xfe]), "//4=");
    }
}
