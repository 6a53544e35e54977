//! thresher-py owns the Python face of thresher: the `thresher._thresher` extension module
//! (PyO3, stable ABI) that the `thresher` package in `python/` wraps. It exposes what a Python
//! pipeline, a Ray task or a datatrove step needs, and nothing else: extraction of HTML,
//! per-document pipeline steps on batches, MinHash signatures, and the phases of a run
//! (`thresher_pipeline::phases`). Work runs with the interpreter released, on rayon's pool.

mod arrow;
mod convert;

use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyCapsule, PyList, PyString};
use rayon::prelude::*;
use std::panic::{catch_unwind, AssertUnwindSafe};
use thresher_core::Verdict;
use thresher_pipeline::phases::{self, PhaseOptions};
use thresher_pipeline::rank::RankSpec;
use thresher_pipeline::{presets, PipelineConfig};

create_exception!(
    _thresher,
    ThresherError,
    PyException,
    "A failure of thresher: bad pipeline, unreadable input, unwritable output, corrupt state."
);

fn err(e: impl std::fmt::Display) -> PyErr {
    ThresherError::new_err(e.to_string())
}

/// Runs `f` with the interpreter released; a panic becomes a ThresherError (a PanicException
/// would slip past `except Exception`).
fn detached<T: Send, E: std::fmt::Display + Send>(
    py: Python<'_>,
    f: impl FnOnce() -> Result<T, E> + Send,
) -> PyResult<T> {
    py.detach(|| catch_unwind(AssertUnwindSafe(f)))
        .map_err(|p| {
            let msg = p
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| p.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            err(format!("internal error (panic): {msg}"))
        })?
        .map_err(err)
}

/// The pool the batch functions run on: thresher's worker stacks (deep but legal pages need
/// more than rayon's default 2 MiB, and a stack overflow would abort the interpreter).
fn pool() -> PyResult<&'static rayon::ThreadPool> {
    static POOL: std::sync::OnceLock<rayon::ThreadPool> = std::sync::OnceLock::new();
    if let Some(p) = POOL.get() {
        return Ok(p);
    }
    let p = thresher_pipeline::runner::thread_pool(0).map_err(err)?;
    Ok(POOL.get_or_init(|| p))
}

/// A checked rank and world size.
fn rank_spec(rank: usize, world_size: usize) -> PyResult<RankSpec> {
    if world_size == 0 || rank >= world_size {
        return Err(err(format!("rank {rank} of world size {world_size}")));
    }
    Ok(RankSpec { rank, world_size })
}

/// The pipeline a call names: TOML text, or a preset, with inputs and output replaced.
fn config(
    pipeline: Option<&str>,
    preset: Option<&str>,
    inputs: Option<Vec<String>>,
    output: Option<String>,
) -> PyResult<PipelineConfig> {
    let mut cfg = match (pipeline, preset) {
        (Some(_), Some(_)) => return Err(err("give a pipeline or a preset, not both")),
        (Some(text), None) => {
            PipelineConfig::from_toml(text).map_err(|e| err(format!("pipeline: {e}")))?
        }
        (None, name) => {
            let name = name.unwrap_or("default");
            presets::preset(name).ok_or_else(|| err(format!("unknown preset `{name}`")))?
        }
    };
    if let Some(inputs) = inputs {
        cfg.input.paths = inputs;
    }
    if let Some(out) = output {
        cfg.output.dir = out;
    }
    Ok(cfg)
}

/// Names and TOML texts of the built-in pipelines.
#[pyfunction]
fn presets_toml() -> Vec<(String, String)> {
    presets::PRESETS
        .iter()
        .map(|(n, t)| (n.to_string(), t.to_string()))
        .collect()
}

/// The phases of a run in order: name, unit count, and each unit's expected work (input bytes;
/// empty where unknown). Checks the pipeline and claims the output folder.
#[pyfunction]
#[pyo3(signature = (pipeline=None, *, preset=None, inputs=None, output=None, overwrite=false))]
fn plan(
    py: Python<'_>,
    pipeline: Option<&str>,
    preset: Option<&str>,
    inputs: Option<Vec<String>>,
    output: Option<String>,
    overwrite: bool,
) -> PyResult<Vec<(String, usize, Vec<u64>)>> {
    let cfg = config(pipeline, preset, inputs, output)?;
    let opts = PhaseOptions {
        threads: 1,
        overwrite,
        shards: None,
    };
    let phases = detached(py, || phases::plan(&cfg, &opts))?;
    Ok(phases
        .into_iter()
        .map(|p| (p.name, p.units, p.weights))
        .collect())
}

/// Runs units `i % world_size == rank` of one phase; returns the report as JSON text.
#[pyfunction]
#[pyo3(signature = (phase, rank, world_size, pipeline=None, *, preset=None, inputs=None, output=None, threads=1))]
#[allow(clippy::too_many_arguments)]
fn run_phase(
    py: Python<'_>,
    phase: &str,
    rank: usize,
    world_size: usize,
    pipeline: Option<&str>,
    preset: Option<&str>,
    inputs: Option<Vec<String>>,
    output: Option<String>,
    threads: usize,
) -> PyResult<String> {
    let rank = rank_spec(rank, world_size)?;
    let cfg = config(pipeline, preset, inputs, output)?;
    let opts = PhaseOptions {
        threads,
        overwrite: false,
        shards: None,
    };
    let report = detached(py, || phases::run_phase(&cfg, phase, rank, &opts))?;
    serde_json::to_string(&report).map_err(err)
}

/// After the last phase: writes `stats.json` and removes intermediate files; returns the
/// statistics as JSON text.
#[pyfunction]
#[pyo3(signature = (pipeline=None, *, preset=None, inputs=None, output=None))]
fn finish(
    py: Python<'_>,
    pipeline: Option<&str>,
    preset: Option<&str>,
    inputs: Option<Vec<String>>,
    output: Option<String>,
) -> PyResult<String> {
    let cfg = config(pipeline, preset, inputs, output)?;
    let report = detached(py, || phases::finish(&cfg, &PhaseOptions::default()))?;
    Ok(report.to_json().to_string())
}

/// A whole run in this process (`thresher run`); returns the statistics as JSON text.
#[pyfunction]
#[pyo3(signature = (pipeline=None, *, preset=None, inputs=None, output=None, threads=0, rank=0, world_size=1, overwrite=false))]
#[allow(clippy::too_many_arguments)]
fn run(
    py: Python<'_>,
    pipeline: Option<&str>,
    preset: Option<&str>,
    inputs: Option<Vec<String>>,
    output: Option<String>,
    threads: usize,
    rank: usize,
    world_size: usize,
    overwrite: bool,
) -> PyResult<String> {
    let rank = rank_spec(rank, world_size)?;
    let cfg = config(pipeline, preset, inputs, output)?;
    let opts = thresher_pipeline::RunOptions {
        threads,
        rank,
        quiet: true,
        overwrite,
    };
    let report = detached(py, || thresher_pipeline::run(&cfg, &opts))?;
    Ok(report.to_json().to_string())
}

/// The per-document steps of a pipeline, applied to batches of documents.
#[pyclass(frozen, module = "thresher._thresher")]
struct Pipeline {
    inner: thresher_pipeline::Pipeline,
}

#[pymethods]
impl Pipeline {
    #[new]
    #[pyo3(signature = (pipeline=None, *, preset=None))]
    fn new(pipeline: Option<&str>, preset: Option<&str>) -> PyResult<Self> {
        let cfg = config(pipeline, preset, None, None)?;
        let inner = thresher_pipeline::Pipeline::build(&cfg).map_err(err)?;
        if let Some(c) = &inner.corpus {
            return Err(err(format!(
                "`{}` needs the whole corpus: run the pipeline with thresher.run or thresher.ray, or leave the step out",
                c.name()
            )));
        }
        Ok(Pipeline { inner })
    }

    /// Step names in order.
    fn steps(&self) -> Vec<String> {
        self.inner.step_names()
    }

    /// Runs the steps on each document (dicts with `id`, `text`, optional `html` bytes, `url`
    /// and `metadata`). Returns one dict per input, in order: `id`, `text`, `metadata`, and
    /// `dropped_by`/`reason` (None when kept).
    fn process<'py>(
        &self,
        py: Python<'py>,
        docs: &Bound<'py, PyList>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let docs = convert::documents(py, docs)?;
        let outcomes = py.detach(|| self.run_steps(docs))?;
        let results: Vec<serde_json::Value> = outcomes
            .into_iter()
            .map(|o| {
                let mut v = o.doc.to_json();
                let (by, reason) = match o.dropped {
                    Some((by, r)) => (serde_json::json!(by), serde_json::json!(r)),
                    None => (serde_json::Value::Null, serde_json::Value::Null),
                };
                v["dropped_by"] = by;
                v["reason"] = reason;
                v
            })
            .collect();
        convert::json_to_py(py, &serde_json::Value::Array(results))
    }

    /// Runs the steps on an Arrow stream (a PyCapsule from `__arrow_c_stream__`) of documents
    /// (`id`, `text`, optional `html`, `url`, `metadata` as JSON strings); returns two Arrow
    /// stream capsules, kept (`id`, `text`, `metadata`) and rejected (plus `dropped_by`,
    /// `reason`). No Python object is made per row.
    fn process_arrow<'py>(
        &self,
        py: Python<'py>,
        stream: &Bound<'py, PyCapsule>,
    ) -> PyResult<(Bound<'py, PyCapsule>, Bound<'py, PyCapsule>)> {
        let docs = arrow::read_documents(stream)?;
        let outcomes = py.detach(|| self.run_steps(docs))?;
        arrow::write_outcomes(py, outcomes)
    }
}

impl Pipeline {
    /// The steps over documents in parallel on thresher's pool; a panicking step drops its
    /// document with `step_panicked`.
    fn run_steps(&self, docs: Vec<thresher_core::Document>) -> PyResult<Vec<arrow::Outcome>> {
        let names: Vec<&str> = self.inner.before.iter().map(|s| s.name()).collect();
        let pool = pool()?;
        Ok(pool.install(|| {
            docs.into_par_iter()
                .map(|mut doc| {
                    let mut dropped = None;
                    for (i, step) in self.inner.before.iter().enumerate() {
                        let v = catch_unwind(AssertUnwindSafe(|| step.process(&mut doc)))
                            .unwrap_or_else(|_| Verdict::drop("step_panicked"));
                        if let Verdict::Drop(reason) = v {
                            dropped = Some((names[i].to_string(), reason.to_string()));
                            break;
                        }
                    }
                    arrow::Outcome { doc, dropped }
                })
                .collect()
        }))
    }
}

fn backend_options(
    markdown: bool,
    include_tables: bool,
    include_comments: bool,
    include_images: bool,
) -> thresher_extract::BackendOptions {
    thresher_extract::BackendOptions {
        include_tables,
        include_comments,
        markdown,
        include_images,
        ..thresher_extract::BackendOptions::default()
    }
}

fn extraction_json(e: thresher_extract::Extraction) -> serde_json::Value {
    serde_json::json!({
        "text": e.text,
        "title": e.title,
        "author": e.author,
        "date": e.date,
        "description": e.description,
        "sitename": e.sitename,
        "language_hint": e.language_hint,
        "canonical_url": e.canonical_url,
        "tags": e.tags,
        "categories": e.categories,
        "fallback": e.fallback,
    })
}

fn html_bytes(html: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    if let Ok(b) = html.cast::<PyBytes>() {
        Ok(b.as_bytes().to_vec())
    } else if let Ok(s) = html.cast::<PyString>() {
        Ok(s.to_cow()?.as_bytes().to_vec())
    } else {
        Err(pyo3::exceptions::PyTypeError::new_err(
            "html must be bytes or str",
        ))
    }
}

/// Extracts the main text and metadata of pages (bytes in any charset, or str), in parallel.
/// Returns one dict per page: `text`, `title`, `author`, `date`, `description`, `sitename`,
/// `language_hint`, `canonical_url`, `tags`, `categories`, `fallback`.
#[pyfunction]
#[pyo3(signature = (pages, urls=None, *, backend="native", markdown=false, include_tables=true, include_comments=false, include_images=false))]
#[allow(clippy::too_many_arguments)]
fn extract_many<'py>(
    py: Python<'py>,
    pages: &Bound<'py, PyList>,
    urls: Option<Vec<Option<String>>>,
    backend: &str,
    markdown: bool,
    include_tables: bool,
    include_comments: bool,
    include_images: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let opts = backend_options(markdown, include_tables, include_comments, include_images);
    let extractor = thresher_extract::backend_with(backend, &opts).map_err(err)?;
    let pages: Vec<Vec<u8>> = pages
        .iter()
        .map(|p| html_bytes(&p))
        .collect::<PyResult<_>>()?;
    let urls = urls.unwrap_or_default();
    if !urls.is_empty() && urls.len() != pages.len() {
        return Err(err(format!(
            "{} pages but {} urls",
            pages.len(),
            urls.len()
        )));
    }
    let pool = pool()?;
    let out: Vec<serde_json::Value> = py.detach(|| {
        pool.install(|| {
            pages
                .par_iter()
                .enumerate()
                .map(|(i, bytes)| {
                    let url = urls.get(i).and_then(|u| u.as_deref());
                    let decoded = thresher_extract::decode_html_for_url(bytes, None, url);
                    let result =
                        catch_unwind(AssertUnwindSafe(|| extractor.extract(&decoded.text, url)));
                    match result {
                        Ok(Ok(e)) => extraction_json(e),
                        Ok(Err(e)) => serde_json::json!({"text": "", "error": e.to_string()}),
                        Err(_) => serde_json::json!({"text": "", "error": "extractor panicked"}),
                    }
                })
                .collect()
        })
    });
    convert::json_to_py(py, &serde_json::Value::Array(out))
}

/// MinHash signatures as datatrove computes them (FineWeb's settings by default): per text, a
/// list of `buckets × hashes_per_bucket` 64-bit hashes, or None when the text has fewer words
/// than a shingle.
#[pyfunction]
#[pyo3(signature = (texts, *, language="eng", n_grams=5, buckets=14, hashes_per_bucket=8, seed=1))]
fn minhash_signatures(
    py: Python<'_>,
    texts: Vec<String>,
    language: &str,
    n_grams: usize,
    buckets: usize,
    hashes_per_bucket: usize,
    seed: u32,
) -> PyResult<Vec<Option<Vec<u64>>>> {
    use thresher_dedup::minhash::{MinHasher, MinhashConfig};
    let config = MinhashConfig {
        n_grams,
        num_buckets: buckets,
        hashes_per_bucket,
        seed,
    };
    config.validate().map_err(err)?;
    let hasher = MinHasher::for_language(config, language).map_err(err)?;
    let pool = pool()?;
    Ok(py.detach(|| {
        pool.install(|| {
            texts
                .par_iter()
                .map(|t| hasher.signature(t).map(|s| s.hashes().to_vec()))
                .collect()
        })
    }))
}

/// The native module.
#[pymodule]
fn _thresher(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("ThresherError", m.py().get_type::<ThresherError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<Pipeline>()?;
    m.add_function(wrap_pyfunction!(presets_toml, m)?)?;
    m.add_function(wrap_pyfunction!(plan, m)?)?;
    m.add_function(wrap_pyfunction!(run_phase, m)?)?;
    m.add_function(wrap_pyfunction!(finish, m)?)?;
    m.add_function(wrap_pyfunction!(run, m)?)?;
    m.add_function(wrap_pyfunction!(extract_many, m)?)?;
    m.add_function(wrap_pyfunction!(minhash_signatures, m)?)?;
    Ok(())
}
