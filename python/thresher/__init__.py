"""thresher: clean, deduplicated, annotated text from web crawls.

The work is done by thresher's Rust crates (the ``_thresher`` extension module); this package
gives it a Python face:

- :func:`extract` / :func:`extract_many`: main text and metadata of HTML pages.
- :class:`Pipeline`: a pipeline's per-document steps (extraction, cleaning, language ID,
  quality filters...) on batches of document dicts, with the reason of every drop.
- :func:`minhash_signatures`: datatrove-compatible MinHash signatures.
- :func:`run`: a whole pipeline run in this process (what ``thresher run`` does).
- :func:`plan`, :func:`run_phase`, :func:`finish`: a run cut into phases of independent units,
  for schedulers; :mod:`thresher.ray` runs them on a Ray cluster.
- :mod:`thresher.datatrove`: thresher's extractor and filters as datatrove pipeline steps.
"""

from __future__ import annotations

import json
import os
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple, Union

from . import _thresher
from ._thresher import ThresherError, __version__

__all__ = [
    "Pipeline",
    "ThresherError",
    "extract",
    "extract_many",
    "finish",
    "minhash_signatures",
    "plan",
    "preset",
    "presets",
    "run",
    "run_phase",
    "__version__",
]

PathLike = Union[str, "os.PathLike[str]"]


def presets() -> List[str]:
    """Names of the built-in pipelines (``default``, ``extract``, ``fineweb``)."""
    return [name for name, _ in _thresher.presets_toml()]


def preset(name: str) -> str:
    """The TOML text of a built-in pipeline."""
    for n, text in _thresher.presets_toml():
        if n == name:
            return text
    raise ThresherError(f"unknown preset `{name}`; known: {', '.join(presets())}")


def _pipeline_text(pipeline: Optional[PathLike]) -> Optional[str]:
    """A pipeline given as a path to a TOML file, or as TOML text."""
    if pipeline is None:
        return None
    p = os.fspath(pipeline)
    if isinstance(pipeline, os.PathLike) or ("\n" not in p and "=" not in p):
        # A path, not TOML text (TOML needs `key = value`).
        with open(p, encoding="utf-8") as f:
            return f.read()
    return p


def _inputs(inputs: Union[None, PathLike, Sequence[PathLike]]) -> Optional[List[str]]:
    if inputs is None:
        return None
    if isinstance(inputs, (str, os.PathLike)):
        return [os.fspath(inputs)]
    return [os.fspath(i) for i in inputs]


def _out(output: Optional[PathLike]) -> Optional[str]:
    return None if output is None else os.fspath(output)


class Pipeline:
    """The per-document steps of a pipeline (a TOML file or text, or a preset).

    Corpus-wide steps (``exact_dedup``, ``minhash_dedup``, ``site_boilerplate``) need every
    document first: run those with :func:`run` or :mod:`thresher.ray`.
    """

    def __init__(self, pipeline: Optional[PathLike] = None, *, preset: Optional[str] = None):
        self._inner = _thresher.Pipeline(_pipeline_text(pipeline), preset=preset)

    @property
    def steps(self) -> List[str]:
        """Step names, in order."""
        return self._inner.steps()

    def process(self, docs: Iterable[Dict[str, Any]]) -> List[Dict[str, Any]]:
        """Runs the steps on documents (dicts with ``id``, ``text``, optional ``html`` bytes,
        ``url``, ``metadata``). Returns one dict per document, in order, with ``id``,
        ``text``, ``metadata``, and ``dropped_by``/``reason`` (None when kept)."""
        return self._inner.process(list(docs))

    def process_table(self, table: Any) -> Tuple[Any, Any]:
        """Runs the steps on an Arrow table (``pyarrow.Table``, or anything with
        ``__arrow_c_stream__``: a RecordBatchReader, a polars or DuckDB result) with columns
        ``id``, ``text``, optional ``html`` (binary or string), ``url`` and ``metadata``;
        returns ``(kept, rejected)`` pyarrow tables: ``id``, ``text``, ``metadata`` (a JSON
        string), and for rejected rows ``dropped_by`` and ``reason``. The data crosses through
        the Arrow C stream interface: no Python object is made per row. A ``metadata`` column
        that is not strings (a struct, say) is turned into JSON strings first."""
        import pyarrow as pa

        if not hasattr(table, "__arrow_c_stream__"):
            raise TypeError("process_table takes an Arrow table or stream (__arrow_c_stream__)")
        if isinstance(table, pa.Table) and "metadata" in table.column_names:
            i = table.column_names.index("metadata")
            if not (pa.types.is_string(table.schema.types[i]) or pa.types.is_large_string(table.schema.types[i])):
                meta = [None if m is None else json.dumps(m, default=str) for m in table.column(i).to_pylist()]
                table = table.set_column(i, "metadata", pa.array(meta, pa.string()))
        kept, rejected = self._inner.process_arrow(table.__arrow_c_stream__())
        return pa.table(_ArrowStream(kept)), pa.table(_ArrowStream(rejected))


class _ArrowStream:
    """A stream capsule from the native module, as an object pyarrow can import."""

    def __init__(self, capsule: Any) -> None:
        self._capsule = capsule

    def __arrow_c_stream__(self, requested_schema: Any = None) -> Any:
        return self._capsule


def extract(
    html: Union[bytes, str],
    url: Optional[str] = None,
    *,
    backend: str = "native",
    markdown: bool = False,
    include_tables: bool = True,
    include_comments: bool = False,
    include_images: bool = False,
) -> Dict[str, Any]:
    """Main text and metadata of one page (bytes in any charset, or str)."""
    return extract_many(
        [html],
        [url],
        backend=backend,
        markdown=markdown,
        include_tables=include_tables,
        include_comments=include_comments,
        include_images=include_images,
    )[0]


def extract_many(
    pages: Sequence[Union[bytes, str]],
    urls: Optional[Sequence[Optional[str]]] = None,
    *,
    backend: str = "native",
    markdown: bool = False,
    include_tables: bool = True,
    include_comments: bool = False,
    include_images: bool = False,
) -> List[Dict[str, Any]]:
    """:func:`extract` over many pages, in parallel on all cores."""
    return _thresher.extract_many(
        list(pages),
        None if urls is None else list(urls),
        backend=backend,
        markdown=markdown,
        include_tables=include_tables,
        include_comments=include_comments,
        include_images=include_images,
    )


def minhash_signatures(
    texts: Sequence[str],
    *,
    language: str = "eng",
    n_grams: int = 5,
    buckets: int = 14,
    hashes_per_bucket: int = 8,
    seed: int = 1,
) -> List[Optional[List[int]]]:
    """datatrove's MinHash signatures (FineWeb's settings by default): ``buckets ×
    hashes_per_bucket`` 64-bit hashes per text, None for a text shorter than a shingle."""
    return _thresher.minhash_signatures(
        list(texts),
        language=language,
        n_grams=n_grams,
        buckets=buckets,
        hashes_per_bucket=hashes_per_bucket,
        seed=seed,
    )


def run(
    pipeline: Optional[PathLike] = None,
    *,
    preset: Optional[str] = None,
    inputs: Union[None, PathLike, Sequence[PathLike]] = None,
    output: Optional[PathLike] = None,
    threads: int = 0,
    rank: int = 0,
    world_size: int = 1,
    overwrite: bool = False,
) -> Dict[str, Any]:
    """A whole run in this process, as ``thresher run``; returns ``stats.json``'s content."""
    return json.loads(
        _thresher.run(
            _pipeline_text(pipeline),
            preset=preset,
            inputs=_inputs(inputs),
            output=_out(output),
            threads=threads,
            rank=rank,
            world_size=world_size,
            overwrite=overwrite,
        )
    )


def plan(
    pipeline: Optional[PathLike] = None,
    *,
    preset: Optional[str] = None,
    inputs: Union[None, PathLike, Sequence[PathLike]] = None,
    output: Optional[PathLike] = None,
    overwrite: bool = False,
) -> List[Tuple[str, int]]:
    """The phases of a run over all inputs and their unit counts, in the order they must run.
    Claims the output folder (``overwrite`` discards a different run's state there)."""
    phases = _thresher.plan(
        _pipeline_text(pipeline),
        preset=preset,
        inputs=_inputs(inputs),
        output=_out(output),
        overwrite=overwrite,
    )
    return [(name, units) for name, units, _ in phases]


def run_phase(
    phase: str,
    rank: int,
    world_size: int,
    pipeline: Optional[PathLike] = None,
    *,
    preset: Optional[str] = None,
    inputs: Union[None, PathLike, Sequence[PathLike]] = None,
    output: Optional[PathLike] = None,
    threads: int = 1,
) -> Dict[str, Any]:
    """Runs units ``i % world_size == rank`` of one phase; returns what it did. Safe to run
    again (a retried task): finished units are skipped, unfinished ones redone in full."""
    return json.loads(
        _thresher.run_phase(
            phase,
            rank,
            world_size,
            _pipeline_text(pipeline),
            preset=preset,
            inputs=_inputs(inputs),
            output=_out(output),
            threads=threads,
        )
    )


def finish(
    pipeline: Optional[PathLike] = None,
    *,
    preset: Optional[str] = None,
    inputs: Union[None, PathLike, Sequence[PathLike]] = None,
    output: Optional[PathLike] = None,
) -> Dict[str, Any]:
    """After every phase: checks every shard is done, writes ``stats.json``, removes the
    intermediate files; returns the statistics."""
    return json.loads(
        _thresher.finish(
            _pipeline_text(pipeline), preset=preset, inputs=_inputs(inputs), output=_out(output)
        )
    )
