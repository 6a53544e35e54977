//! The document model and its JSON shape.
//!
//! On disk a document is datatrove's schema, `{"text", "id", "metadata": {...}}`, so Hugging
//! Face `datasets` and datatrove read thresher's shards as they are. In memory the fields that
//! pipeline steps rely on are typed; everything else rides along in [`Metadata::extra`].

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// One document: a web page, a WET record, a line of a JSONL file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Document {
    /// Stable identifier (WARC-Record-ID for WARC input, the input's `id` otherwise).
    pub id: String,
    /// The text. Empty until extraction for documents read from HTML.
    pub text: String,
    /// Raw payload bytes (HTML, undecoded) when the input had them. Never written to output.
    pub html: Option<Vec<u8>>,
    /// Where the document came from on the web, if known.
    pub url: Option<String>,
    /// Typed and free-form annotations.
    pub metadata: Metadata,
}

/// Where in an input file a document was read from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceRef {
    /// Input path as given on the command line or in the pipeline file.
    pub file: String,
    /// Byte offset of the record in the file (compressed offset of its gzip member when the
    /// file is gzipped per record, otherwise the offset in the decompressed stream).
    pub offset: u64,
    /// Zero-based index of the record (or line) in the file.
    pub record: u64,
}

/// Typed metadata. Serialises as one flat JSON object: typed fields that are `None` are
/// omitted and [`Metadata::extra`] is merged in.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Metadata {
    /// ISO 639 language code from language identification (`en`, `de`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// Confidence of [`Metadata::language`], 0..1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language_score: Option<f32>,
    /// Page or document title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Date of the capture (`WARC-Date` for crawl input), as datatrove writes it. A date the
    /// page itself states goes to `extra["published"]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Host name of [`Document::url`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// `WARC-Record-ID` of the record the document came from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warc_record_id: Option<String>,
    /// Input file, offset and record index.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<SourceRef>,
    /// MIME type of the payload as declared by the server.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    /// Character encoding (WHATWG name) the payload was decoded from; how it was chosen is in
    /// `extra["charset_source"]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub charset: Option<String>,
    /// All headers of the WARC record, as written (name → value; repeated names joined by
    /// `", "`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warc: Option<BTreeMap<String, String>>,
    /// Anything else: fields of JSONL input that thresher does not know, and annotations
    /// added by steps.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Keys of [`Document`] fields that live inside the JSON `metadata` object.
const URL_KEY: &str = "url";

impl Document {
    /// A document with only an id and text.
    pub fn new(id: impl Into<String>, text: impl Into<String>) -> Self {
        Document {
            id: id.into(),
            text: text.into(),
            ..Document::default()
        }
    }

    /// The datatrove-schema JSON object: `{"text", "id", "metadata"}`. The URL is written as
    /// `metadata.url`, as datatrove's readers do.
    pub fn to_json(&self) -> Value {
        let mut meta = match serde_json::to_value(&self.metadata) {
            Ok(Value::Object(m)) => m,
            _ => Map::new(),
        };
        if let Some(url) = &self.url {
            meta.insert(URL_KEY.to_string(), Value::String(url.clone()));
        }
        let mut obj = Map::with_capacity(3);
        obj.insert("text".into(), Value::String(self.text.clone()));
        obj.insert("id".into(), Value::String(self.id.clone()));
        obj.insert("metadata".into(), Value::Object(meta));
        Value::Object(obj)
    }

    /// Builds a document from a datatrove-schema JSON object. `id` may be a string or a number;
    /// `text` must be a string (or null, read as empty). Unknown top-level keys are kept in
    /// `metadata.extra` so nothing the input carried is lost.
    pub fn from_json(value: Value) -> Result<Self, String> {
        let Value::Object(mut obj) = value else {
            return Err("expected a JSON object".into());
        };
        let text = match obj.remove("text") {
            Some(Value::String(s)) => s,
            Some(Value::Null) | None => String::new(),
            Some(other) => return Err(format!("`text` is not a string but {}", kind(&other))),
        };
        let id = match obj.remove("id") {
            Some(Value::String(s)) => s,
            Some(Value::Number(n)) => n.to_string(),
            Some(Value::Null) | None => String::new(),
            Some(other) => return Err(format!("`id` is not a string but {}", kind(&other))),
        };
        let mut meta_obj = match obj.remove("metadata") {
            Some(Value::Object(m)) => m,
            Some(Value::Null) | None => Map::new(),
            Some(other) => return Err(format!("`metadata` is not an object but {}", kind(&other))),
        };
        // Top-level extras (e.g. `url` written beside `text`) are folded into metadata.
        for (k, v) in obj {
            meta_obj.entry(k).or_insert(v);
        }
        let url = match meta_obj.remove(URL_KEY) {
            Some(Value::String(s)) => Some(s),
            Some(other) => {
                meta_obj.insert(URL_KEY.into(), other);
                None
            }
            None => None,
        };
        let metadata = metadata_from_map(meta_obj);
        Ok(Document {
            id,
            text,
            html: None,
            url,
            metadata,
        })
    }
}

/// Typed fields are taken from the map when they have the right JSON type; a field of the
/// wrong type stays in `extra` untouched instead of failing the whole record.
fn metadata_from_map(mut m: Map<String, Value>) -> Metadata {
    fn take_str(m: &mut Map<String, Value>, k: &str) -> Option<String> {
        match m.get(k) {
            Some(Value::String(_)) => match m.remove(k) {
                Some(Value::String(s)) => Some(s),
                _ => None,
            },
            _ => None,
        }
    }
    let language = take_str(&mut m, "language");
    let language_score = match m.get("language_score").and_then(Value::as_f64) {
        Some(f) => {
            m.remove("language_score");
            Some(f as f32)
        }
        None => None,
    };
    let title = take_str(&mut m, "title");
    let date = take_str(&mut m, "date");
    let domain = take_str(&mut m, "domain");
    let warc_record_id = take_str(&mut m, "warc_record_id");
    let content_type = take_str(&mut m, "content_type");
    let charset = take_str(&mut m, "charset");
    let source = match m.get("source") {
        Some(v @ Value::Object(_)) => match serde_json::from_value::<SourceRef>(v.clone()) {
            Ok(s) => {
                m.remove("source");
                Some(s)
            }
            Err(_) => None,
        },
        _ => None,
    };
    let warc = match m.get("warc") {
        Some(v @ Value::Object(_)) => {
            match serde_json::from_value::<BTreeMap<String, String>>(v.clone()) {
                Ok(w) => {
                    m.remove("warc");
                    Some(w)
                }
                Err(_) => None,
            }
        }
        _ => None,
    };
    Metadata {
        language,
        language_score,
        title,
        date,
        domain,
        warc_record_id,
        source,
        content_type,
        charset,
        warc,
        extra: m,
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_round_trip_keeps_unknown_fields() {
        let v = json!({
            "text": "hello", "id": 7,
            "metadata": {"url": "https://a.example/x", "language": "en", "language_score": 0.5,
                         "custom": [1, 2], "date": 2024}
        });
        let doc = Document::from_json(v).unwrap();
        assert_eq!(doc.id, "7");
        assert_eq!(doc.url.as_deref(), Some("https://a.example/x"));
        assert_eq!(doc.metadata.language.as_deref(), Some("en"));
        // wrong-typed typed field stays in extra instead of being dropped
        assert_eq!(doc.metadata.date, None);
        assert_eq!(doc.metadata.extra["date"], json!(2024));
        let out = doc.to_json();
        assert_eq!(out["metadata"]["custom"], json!([1, 2]));
        assert_eq!(out["metadata"]["date"], json!(2024));
        assert_eq!(out["metadata"]["url"], json!("https://a.example/x"));
        assert_eq!(out["text"], json!("hello"));
    }

    #[test]
    fn rejects_non_object_and_bad_text() {
        assert!(Document::from_json(json!([1])).is_err());
        assert!(Document::from_json(json!({"text": 3})).is_err());
        assert!(Document::from_json(json!({"text": null})).is_ok());
    }
}
