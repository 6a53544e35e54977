//! Atomic output shards. TODO
/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat { JsonlZst }
/// Writer.
pub struct ShardWriter;
