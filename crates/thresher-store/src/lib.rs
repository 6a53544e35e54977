//! thresher-store owns thresher's access to object storage: where data lives ([`Location`]: a
//! local path or an `s3://`, `gs://`, `az://`/`abfs://` or `file://` URL) and a blocking
//! [`Store`] that lists, downloads, uploads and deletes objects under such a location.
//!
//! thresher is synchronous (threads and rayon), while the `object_store` crate it builds on is
//! async; a [`Store`] therefore owns a small tokio runtime and every method blocks the calling
//! thread until its transfer is done. Credentials and endpoints come from the environment the
//! way the clouds' own tools read them (`AWS_*`, `GOOGLE_*`, `AZURE_*`; see [`Store::open`]).
//!
//! Transfers keep memory bounded: downloads stream into a temporary file that is renamed into
//! place when complete, and large uploads go up in parts. An object becomes visible only once
//! it is complete, so readers never see half an object, locally or remotely.
//!
//! `thresher-pipeline` (its `remote` module, cargo feature `object-store`) builds remote runs
//! on it: inputs listed and fetched from a bucket, output and intermediate files staged
//! locally per unit and synced.

#![warn(missing_docs)]

mod error;
mod location;
mod store;

pub use error::StoreError;
pub use location::{Location, REMOTE_SCHEMES};
pub use store::{ObjectInfo, Store, PART_SIZE};
