//! Building `metadata.extra` values without naming `serde_json` (it is only a dev-dependency
//! of this crate): the JSON value type is deserialised from serde's own value deserializers,
//! so the callers' `extra.insert(key, value)` infers it.

use serde::de::value::{Error, MapDeserializer, SeqDeserializer};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};

/// `[{"line": ..., "reason": ...}, ...]`.
pub(crate) fn line_records<T: DeserializeOwned>(items: &[(&str, &str)]) -> Option<T> {
    let seq = SeqDeserializer::<_, Error>::new(items.iter().map(|&(line, reason)| {
        MapDeserializer::<_, Error>::new([("line", line), ("reason", reason)].into_iter())
    }));
    T::deserialize(seq).ok()
}

/// `{"key": ["a", "b"], ...}` in the order given.
pub(crate) fn string_lists<T: DeserializeOwned>(fields: &[(&str, Vec<String>)]) -> Option<T> {
    let map = MapDeserializer::<_, Error>::new(fields.iter().map(|(k, v)| {
        (
            *k,
            SeqDeserializer::<_, Error>::new(v.iter().map(String::as_str)),
        )
    }));
    T::deserialize(map).ok()
}

/// One `{"line", "reason"}` record read back (from an earlier step's output).
#[derive(Deserialize)]
pub(crate) struct LineRecord {
    pub line: String,
    pub reason: String,
}

/// Reads `[{"line", "reason"}, ...]` from any deserializer (a JSON value); `None` when it has
/// another shape.
pub(crate) fn read_line_records<'de, D: Deserializer<'de>>(d: D) -> Option<Vec<LineRecord>> {
    Vec::<LineRecord>::deserialize(d).ok()
}
