//! Building metadata values without a `serde_json` dependency: a tiny JSON tree that is a
//! serde `Deserializer`, so `serde_json::Value::deserialize(tree)` (reached through the type
//! of `Metadata::extra`) builds the value.

use serde::de::value::{Error, MapDeserializer, SeqDeserializer};
use serde::de::{IntoDeserializer, Visitor};
use serde::{forward_to_deserialize_any, Deserializer};

/// A JSON value made of the few shapes the step writes.
#[derive(Debug, Clone)]
pub(crate) enum Json {
    U64(u64),
    Str(String),
    Seq(Vec<Json>),
    Map(Vec<(String, Json)>),
}

impl<'de> Deserializer<'de> for Json {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self {
            Json::U64(n) => visitor.visit_u64(n),
            Json::Str(s) => visitor.visit_string(s),
            Json::Seq(items) => visitor.visit_seq(SeqDeserializer::new(items.into_iter())),
            Json::Map(fields) => visitor.visit_map(MapDeserializer::new(fields.into_iter())),
        }
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

impl<'de> IntoDeserializer<'de, Error> for Json {
    type Deserializer = Json;

    fn into_deserializer(self) -> Json {
        self
    }
}
