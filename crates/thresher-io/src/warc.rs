//! TODO
use crate::{EventStream, Input, IoError, ReadOptions};
/// Opens the input.
pub fn open(input: &Input, _opts: &ReadOptions) -> Result<EventStream, IoError> {
    Err(IoError::Input(format!("{}: not implemented yet", input.path.display())))
}
