//! Documents between Python and Rust. Metadata crosses as JSON (the `json` module on the
//! Python side), which is what thresher writes anyway and keeps nesting bounded by Python's
//! own recursion limit.

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString};
use thresher_core::Document;

/// Reads a list of document dicts: `id` (default: the position), `text`, `html` (bytes or
/// str), `url`, `metadata` (a dict).
pub(crate) fn documents(py: Python<'_>, docs: &Bound<'_, PyList>) -> PyResult<Vec<Document>> {
    let json = py.import("json")?;
    let dumps = json.getattr("dumps")?;
    // Readers put datetimes and other non-JSON values into metadata: write them as strings.
    let kwargs = pyo3::types::PyDict::new(py);
    kwargs.set_item("default", py.import("builtins")?.getattr("str")?)?;
    let mut out = Vec::with_capacity(docs.len());
    for (i, item) in docs.iter().enumerate() {
        let d = item.cast::<PyDict>().map_err(|_| {
            pyo3::exceptions::PyTypeError::new_err(format!("document {i}: expected a dict"))
        })?;
        let get = |k: &str| -> PyResult<Option<Bound<'_, PyAny>>> {
            Ok(d.get_item(k)?.filter(|v| !v.is_none()))
        };
        let id = match get("id")? {
            Some(v) => v.str()?.to_cow()?.into_owned(),
            None => i.to_string(),
        };
        let text = match get("text")? {
            Some(v) => v
                .cast::<PyString>()
                .map_err(|_| bad(i, "text must be a str"))?
                .to_cow()?
                .into_owned(),
            None => String::new(),
        };
        let metadata: serde_json::Value = match get("metadata")? {
            Some(m) => {
                let s: String = dumps.call((m,), Some(&kwargs))?.extract()?;
                serde_json::from_str(&s).map_err(|e| bad(i, &format!("metadata: {e}")))?
            }
            None => serde_json::json!({}),
        };
        let mut doc = Document::from_json(serde_json::json!({
            "id": id, "text": text, "metadata": metadata,
        }))
        .map_err(|e| bad(i, &e))?;
        if let Some(h) = get("html")? {
            doc.html = Some(if let Ok(b) = h.cast::<PyBytes>() {
                b.as_bytes().to_vec()
            } else if let Ok(s) = h.cast::<PyString>() {
                s.to_cow()?.as_bytes().to_vec()
            } else {
                return Err(bad(i, "html must be bytes or str"));
            });
        }
        if let Some(u) = get("url")? {
            let url = u.str()?.to_cow()?.into_owned();
            doc.url = Some(url);
        }
        out.push(doc);
    }
    Ok(out)
}

fn bad(i: usize, what: &str) -> PyErr {
    pyo3::exceptions::PyValueError::new_err(format!("document {i}: {what}"))
}

/// A JSON value as Python objects (through `json.loads`).
pub(crate) fn json_to_py<'py>(
    py: Python<'py>,
    v: &serde_json::Value,
) -> PyResult<Bound<'py, PyAny>> {
    let text = serde_json::to_string(v).map_err(crate::err)?;
    py.import("json")?.getattr("loads")?.call1((text,))
}
