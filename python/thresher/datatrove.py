"""thresher's extractor and per-document steps as datatrove pipeline steps.

    from datatrove.pipeline.readers import WarcReader
    from thresher.datatrove import ThresherExtractor, ThresherSteps

    pipeline = [
        WarcReader("crawl/"),
        ThresherExtractor(),                         # in place of Trafilatura()
        ThresherSteps("filters.toml"),               # a thresher pipeline of per-document steps
        ...
    ]

Needs datatrove (``pip install thresher[datatrove]``).
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, Optional

try:
    from datatrove.data import DocumentsPipeline
    from datatrove.pipeline.base import PipelineStep
except ImportError as e:  # pragma: no cover - depends on the environment
    raise ImportError("thresher.datatrove needs datatrove: pip install 'thresher[datatrove]'") from e

import thresher

__all__ = ["ThresherExtractor", "ThresherSteps"]


def _batches(data: Iterable[Any], size: int):
    batch: List[Any] = []
    for d in data:
        batch.append(d)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


class ThresherExtractor(PipelineStep):
    """Replaces each document's HTML (``doc.text``, as datatrove's readers leave it) by its main
    text, extracted by thresher's native extractor (or ``backend``). Documents with no text are
    dropped (stat ``dropped_empty``); the page's title, date, author go to metadata."""

    name = "🦀 thresher"
    type = "🛢 - EXTRAC"

    def __init__(self, backend: str = "native", markdown: bool = False, include_tables: bool = True,
                 include_comments: bool = False, include_images: bool = False, batch_size: int = 256):
        super().__init__()
        self.options: Dict[str, Any] = dict(backend=backend, markdown=markdown,
                                            include_tables=include_tables,
                                            include_comments=include_comments,
                                            include_images=include_images)
        self.batch_size = batch_size

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        for batch in _batches(data, self.batch_size):
            with self.track_time(unit="batch"):
                results = thresher.extract_many(
                    [d.text for d in batch], [d.metadata.get("url") for d in batch], **self.options
                )
            for doc, r in zip(batch, results):
                self.stat_update("total")
                if not r["text"]:
                    self.stat_update("dropped_empty")
                    continue
                doc.text = r["text"]
                for key in ("title", "author", "date"):
                    if r.get(key):
                        doc.metadata.setdefault(key if key != "date" else "published", r[key])
                self.stat_update("forwarded")
                yield doc


class ThresherSteps(PipelineStep):
    """Runs the per-document steps of a thresher pipeline (TOML path or text, or a preset) on
    datatrove documents: kept ones continue with thresher's text and metadata, dropped ones
    are counted by reason and, with ``exclusion_writer``, written with
    ``metadata["filter_reason"]`` as datatrove's filters do."""

    name = "🦀 thresher steps"
    type = "🔻 - FILTER"

    def __init__(self, pipeline: Optional[str] = None, *, preset: Optional[str] = None,
                 exclusion_writer: Any = None, batch_size: int = 256):
        super().__init__()
        # Kept as text and built in each worker: datatrove's executors pickle their steps,
        # and the native pipeline cannot be pickled.
        self.pipeline_text = thresher._pipeline_text(pipeline)
        self.preset = preset
        thresher.Pipeline(self.pipeline_text, preset=preset)  # fail early on a bad pipeline
        self.exclusion_writer = exclusion_writer
        self.batch_size = batch_size

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        import contextlib

        pipeline = thresher.Pipeline(self.pipeline_text, preset=self.preset)
        writer = self.exclusion_writer
        with writer if writer is not None else contextlib.nullcontext():
            for batch in _batches(data, self.batch_size):
                with self.track_time(unit="batch"):
                    results = pipeline.process(
                        [{"id": d.id, "text": d.text, "metadata": dict(d.metadata)} for d in batch]
                    )
                for doc, r in zip(batch, results):
                    self.stat_update("total")
                    if r["dropped_by"] is not None:
                        self.stat_update("dropped", f"dropped_{r['reason']}")
                        if writer is not None:
                            doc.metadata["filter_reason"] = r["reason"]
                            writer.write(doc, rank)
                        continue
                    doc.text = r["text"]
                    doc.metadata.update(r["metadata"])
                    self.stat_update("forwarded")
                    yield doc
