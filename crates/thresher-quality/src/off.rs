//! `Option` thresholds in pipeline files: a number sets the threshold, `false` switches the
//! check off (datatrove's `None`). TOML has no null, so `false` stands for it.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum OffOr<T> {
    Off(bool),
    On(T),
}

/// Writes `None` as `false`.
pub fn serialize<T: Serialize, S: Serializer>(v: &Option<T>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(t) => t.serialize(s),
        None => false.serialize(s),
    }
}

/// Reads `false` as `None` and a value as `Some`; `true` is an error (it sets no threshold).
pub fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<T>, D::Error> {
    match OffOr::<T>::deserialize(d)? {
        OffOr::On(t) => Ok(Some(t)),
        OffOr::Off(false) => Ok(None),
        OffOr::Off(true) => Err(serde::de::Error::custom(
            "expected a value, or false to switch the check off",
        )),
    }
}
