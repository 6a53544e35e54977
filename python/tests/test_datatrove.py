"""thresher.datatrove: thresher's extractor and steps inside a datatrove pipeline."""

import pytest

pytest.importorskip("datatrove")
from datatrove.data import Document  # noqa: E402

from thresher.datatrove import ThresherExtractor, ThresherSteps  # noqa: E402

from test_api import ARTICLE  # noqa: E402


def test_extractor_step_replaces_html_by_text_and_drops_empty_pages():
    docs = [
        Document(text=ARTICLE.decode("cp1252"), id="a", metadata={"url": "https://town.example/a"}),
        Document(text="<html><body></body></html>", id="b", metadata={}),
    ]
    step = ThresherExtractor()
    out = list(step.run(iter(docs)))
    assert [d.id for d in out] == ["a"]
    assert "four kilometres along the east bank" in out[0].text
    assert out[0].metadata["title"].startswith("River walk")
    assert step.stats["dropped_empty"].total == 1


def test_steps_wrapper_keeps_and_drops_with_reasons():
    toml = """
name = "t"
[[steps]]
type = "langid"
drop = false
[[steps]]
type = "length"
min_words = 10
"""
    docs = [
        Document(text="The river walk opened on Saturday after two years of work by volunteers.", id="a",
                 metadata={}),
        Document(text="Too short.", id="b", metadata={}),
    ]
    step = ThresherSteps(toml)
    out = list(step.run(iter(docs)))
    assert [d.id for d in out] == ["a"]
    assert out[0].metadata["language"] == "en"
    assert step.stats["dropped_too_short"].total == 1
    # datatrove's executors pickle their steps
    import pickle

    again = pickle.loads(pickle.dumps(step))
    assert [d.id for d in again.run(iter([Document(text="Too short.", id="c", metadata={})]))] == []
