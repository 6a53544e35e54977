//! Arrow tables in and out without a Python object per row, through the Arrow C stream
//! interface (a PyCapsule named `arrow_array_stream`, which pyarrow, polars and DuckDB export
//! with `__arrow_c_stream__`). Text is read straight from the Arrow buffers; the results are
//! built as Arrow arrays in Rust and handed back the same way.

use arrow_array::builder::StringBuilder;
use arrow_array::cast::AsArray;
use arrow_array::ffi_stream::{FFI_ArrowArrayStream, RecordBatchStreamReader};
use arrow_array::{Array, ArrayRef, RecordBatch, RecordBatchIterator};
use arrow_schema::{ArrowError, DataType, Field, Schema};
use pyo3::prelude::*;
use pyo3::types::PyCapsule;
use std::ffi::CString;
use std::sync::Arc;
use thresher_core::Document;

const STREAM: &std::ffi::CStr = c"arrow_array_stream";

fn value_err(message: String) -> PyErr {
    pyo3::exceptions::PyValueError::new_err(message)
}

/// A string column of any Arrow string layout.
enum Strings<'a> {
    Small(&'a arrow_array::StringArray),
    Large(&'a arrow_array::LargeStringArray),
    View(&'a arrow_array::StringViewArray),
}

impl<'a> Strings<'a> {
    fn of(col: &'a dyn Array) -> Option<Strings<'a>> {
        match col.data_type() {
            DataType::Utf8 => Some(Strings::Small(col.as_string::<i32>())),
            DataType::LargeUtf8 => Some(Strings::Large(col.as_string::<i64>())),
            DataType::Utf8View => Some(Strings::View(col.as_string_view())),
            _ => None,
        }
    }

    fn get(&self, i: usize) -> Option<&'a str> {
        match self {
            Strings::Small(a) => a.is_valid(i).then(|| a.value(i)),
            Strings::Large(a) => a.is_valid(i).then(|| a.value(i)),
            Strings::View(a) => a.is_valid(i).then(|| a.value(i)),
        }
    }
}

/// A bytes column (binary of any layout, or strings).
enum Bytes<'a> {
    Small(&'a arrow_array::BinaryArray),
    Large(&'a arrow_array::LargeBinaryArray),
    View(&'a arrow_array::BinaryViewArray),
    Text(Strings<'a>),
}

impl<'a> Bytes<'a> {
    fn of(col: &'a dyn Array) -> Option<Bytes<'a>> {
        match col.data_type() {
            DataType::Binary => Some(Bytes::Small(col.as_binary::<i32>())),
            DataType::LargeBinary => Some(Bytes::Large(col.as_binary::<i64>())),
            DataType::BinaryView => Some(Bytes::View(col.as_binary_view())),
            _ => Strings::of(col).map(Bytes::Text),
        }
    }

    fn get(&self, i: usize) -> Option<&'a [u8]> {
        match self {
            Bytes::Small(a) => a.is_valid(i).then(|| a.value(i)),
            Bytes::Large(a) => a.is_valid(i).then(|| a.value(i)),
            Bytes::View(a) => a.is_valid(i).then(|| a.value(i)),
            Bytes::Text(s) => s.get(i).map(str::as_bytes),
        }
    }
}

/// The documents of an Arrow stream: columns `id`, `text` (strings), optional `html`
/// (binary or strings), `url` (strings) and `metadata` (JSON objects as strings); other
/// columns are ignored. A row without `id` gets its position.
pub(crate) fn read_documents(capsule: &Bound<'_, PyCapsule>) -> PyResult<Vec<Document>> {
    let ptr = capsule.pointer_checked(Some(STREAM))?;
    // SAFETY: the capsule is named `arrow_array_stream`, so by the Arrow PyCapsule protocol it
    // holds an FFI_ArrowArrayStream; `from_raw` moves it out and marks the original released,
    // so the capsule's own destructor does nothing further.
    let reader = unsafe { RecordBatchStreamReader::from_raw(ptr.as_ptr().cast()) }
        .map_err(|e| value_err(format!("not a readable Arrow stream: {e}")))?;
    let mut docs = Vec::new();
    for batch in reader {
        let batch = batch.map_err(|e| value_err(format!("Arrow stream: {e}")))?;
        read_batch(&batch, &mut docs)?;
    }
    Ok(docs)
}

fn read_batch(batch: &RecordBatch, docs: &mut Vec<Document>) -> PyResult<()> {
    let strings = |name: &str| -> PyResult<Option<Strings<'_>>> {
        match batch.column_by_name(name) {
            None => Ok(None),
            Some(c) => Strings::of(c.as_ref()).map(Some).ok_or_else(|| {
                value_err(format!(
                    "column `{name}` must hold strings, not {}",
                    c.data_type()
                ))
            }),
        }
    };
    let ids = strings("id")?;
    let texts = strings("text")?;
    let urls = strings("url")?;
    let metas = strings("metadata")?;
    let html = match batch.column_by_name("html") {
        None => None,
        Some(c) => Some(Bytes::of(c.as_ref()).ok_or_else(|| {
            value_err(format!(
                "column `html` must hold bytes or strings, not {}",
                c.data_type()
            ))
        })?),
    };
    for row in 0..batch.num_rows() {
        let n = docs.len();
        let id = ids
            .as_ref()
            .and_then(|c| c.get(row))
            .map_or_else(|| n.to_string(), str::to_string);
        let text = texts
            .as_ref()
            .and_then(|c| c.get(row))
            .unwrap_or("")
            .to_string();
        let mut doc = match metas.as_ref().and_then(|c| c.get(row)) {
            None => Document::new(id, text),
            Some(m) => {
                let metadata: serde_json::Value = serde_json::from_str(m)
                    .map_err(|e| value_err(format!("row {n}: metadata is not JSON: {e}")))?;
                let doc = serde_json::json!({"id": id, "text": text, "metadata": metadata});
                Document::from_json(doc).map_err(|e| value_err(format!("row {n}: {e}")))?
            }
        };
        doc.url = urls.as_ref().and_then(|c| c.get(row)).map(str::to_string);
        doc.html = html.as_ref().and_then(|c| c.get(row)).map(<[u8]>::to_vec);
        docs.push(doc);
    }
    Ok(())
}

/// One processed document: kept, or dropped by a step with a reason.
pub(crate) struct Outcome {
    pub(crate) doc: Document,
    pub(crate) dropped: Option<(String, String)>,
}

/// Two Arrow streams (as capsules): kept documents (`id`, `text`, `metadata` as JSON) and
/// rejected ones (the same, plus `dropped_by` and `reason`).
pub(crate) fn write_outcomes<'py>(
    py: Python<'py>,
    outcomes: Vec<Outcome>,
) -> PyResult<(Bound<'py, PyCapsule>, Bound<'py, PyCapsule>)> {
    let (kept, rejected): (Vec<Outcome>, Vec<Outcome>) =
        outcomes.into_iter().partition(|o| o.dropped.is_none());
    let kept = batch(&kept, false).map_err(|e| value_err(e.to_string()))?;
    let rejected = batch(&rejected, true).map_err(|e| value_err(e.to_string()))?;
    Ok((capsule(py, kept)?, capsule(py, rejected)?))
}

fn batch(rows: &[Outcome], with_reason: bool) -> Result<RecordBatch, ArrowError> {
    let mut id = StringBuilder::new();
    let mut text = StringBuilder::new();
    let mut metadata = StringBuilder::new();
    let mut by = StringBuilder::new();
    let mut reason = StringBuilder::new();
    for o in rows {
        id.append_value(&o.doc.id);
        text.append_value(&o.doc.text);
        let meta = o.doc.to_json().get("metadata").cloned().unwrap_or_default();
        metadata.append_value(serde_json::to_string(&meta).unwrap_or_else(|_| "{}".into()));
        if let Some((b, r)) = &o.dropped {
            by.append_value(b);
            reason.append_value(r);
        }
    }
    let mut fields = vec![
        Field::new("id", DataType::Utf8, false),
        Field::new("text", DataType::Utf8, false),
        Field::new("metadata", DataType::Utf8, false),
    ];
    let mut columns: Vec<ArrayRef> = vec![
        Arc::new(id.finish()),
        Arc::new(text.finish()),
        Arc::new(metadata.finish()),
    ];
    if with_reason {
        fields.push(Field::new("dropped_by", DataType::Utf8, false));
        fields.push(Field::new("reason", DataType::Utf8, false));
        columns.push(Arc::new(by.finish()));
        columns.push(Arc::new(reason.finish()));
    }
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns)
}

fn capsule(py: Python<'_>, batch: RecordBatch) -> PyResult<Bound<'_, PyCapsule>> {
    let schema = batch.schema();
    let reader = RecordBatchIterator::new(vec![Ok(batch)], schema);
    let stream = FFI_ArrowArrayStream::new(Box::new(reader));
    PyCapsule::new(py, stream, Some(CString::from(STREAM)))
}
