"""The Python API: extraction, per-document steps, MinHash, runs and phases."""

import json

import pytest

import thresher

ARTICLE = b"""<html lang="en"><head><meta charset="windows-1252"><title>River walk \x96 Town News</title>
<meta property="og:site_name" content="Town News"></head><body>
<nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a></nav>
<article><h1>River walk opens to the public</h1>
<p>The new river walk opened on Saturday after two years of work by volunteers and the town council.</p>
<p>It runs for four kilometres along the east bank, from the old mill to the railway bridge, and has benches every few hundred metres.</p>
<p>\x93We wanted something everyone could use,\x94 said the project's organiser, who thanked the hundreds of people who helped.</p>
</article><footer>Copyright Town News. All rights reserved.</footer></body></html>"""


def test_extract_decodes_the_charset_and_keeps_the_article():
    r = thresher.extract(ARTICLE, "https://town.example/news/river-walk")
    assert "four kilometres along the east bank" in r["text"]
    assert "\u201cWe wanted something everyone could use,\u201d" in r["text"]
    assert "All rights reserved" not in r["text"]
    assert "Sport" not in r["text"]
    assert r["title"].startswith("River walk")


def test_extract_many_keeps_order_and_reports_empty_pages():
    pages = [ARTICLE, "<html><body></body></html>", ARTICLE.decode("cp1252")]
    out = thresher.extract_many(pages, [None, None, None])
    assert len(out) == 3
    assert out[1]["text"] == ""
    assert out[0]["text"] == out[2]["text"]
    md = thresher.extract(ARTICLE, markdown=True)["text"]
    assert "the town council.\n\nIt runs" in md  # Markdown paragraphs
    assert "the town council.\nIt runs" in out[0]["text"]


def test_extract_rejects_other_types_and_backends():
    with pytest.raises(TypeError):
        thresher.extract(42)
    with pytest.raises(thresher.ThresherError, match="unknown extraction backend"):
        thresher.extract(ARTICLE, backend="nope")


STEPS_TOML = """
name = "t"
[[steps]]
type = "extract"
[[steps]]
type = "langid"
drop = false
[[steps]]
type = "length"
min_words = 10
"""


def test_pipeline_steps_keep_rewrite_and_drop_with_reasons():
    p = thresher.Pipeline(STEPS_TOML)
    assert p.steps == ["extract", "langid", "length"]
    docs = [
        {"id": "a", "html": ARTICLE, "url": "https://town.example/a", "metadata": {"crawl": 7}},
        {"id": "b", "html": b"<html><body><p>Too short.</p></body></html>"},
        {"id": "c", "html": b"<html><body></body></html>"},
    ]
    out = p.process(docs)
    assert [d["id"] for d in out] == ["a", "b", "c"]
    a, b, c = out
    assert a["dropped_by"] is None and a["reason"] is None
    assert "river walk" in a["text"].lower()
    assert a["metadata"]["language"] == "en" and a["metadata"]["crawl"] == 7
    assert a["metadata"]["url"] == "https://town.example/a"
    assert (b["dropped_by"], b["reason"]) == ("length", "too_short")
    assert c["dropped_by"] == "extract"


def test_pipeline_on_text_documents_and_bad_input():
    p = thresher.Pipeline(preset="extract")
    with pytest.raises(ValueError, match="document 1"):
        p.process([{"id": "x", "text": "fine"}, {"id": "y", "text": 3}])
    with pytest.raises(TypeError, match="document 0"):
        p.process(["not a dict"])
    with pytest.raises(thresher.ThresherError, match="exact_dedup"):
        thresher.Pipeline(preset="default")
    with pytest.raises(thresher.ThresherError, match="unknown preset"):
        thresher.Pipeline(preset="nope")


def test_minhash_signatures_match_for_near_duplicates():
    import itertools

    # datatrove's normalisation folds digits, so the words are made of letters only
    words = ["".join(w) for w in itertools.product("abcdefgh", repeat=3)]
    base = " ".join(words[:300])
    near = base.replace(words[150], "changed")
    other = " ".join(reversed(words[200:500]))
    sigs = thresher.minhash_signatures([base, near, other, "two words"])
    assert all(len(s) == 14 * 8 for s in sigs[:3])
    assert sigs[3] is None
    buckets = lambda s: [tuple(s[i : i + 8]) for i in range(0, len(s), 8)]  # noqa: E731
    assert any(x == y for x, y in zip(buckets(sigs[0]), buckets(sigs[1])))
    assert not any(x == y for x, y in zip(buckets(sigs[0]), buckets(sigs[2])))
    assert thresher.minhash_signatures([base])[0] == sigs[0]


def test_run_and_phases_give_the_same_output(tmp_path, repo, compare):
    inputs = [str(repo / "data" / "sample")]
    pipeline = repo / "pipelines" / "default-minhash.toml"
    single = thresher.run(pipeline, inputs=inputs, output=tmp_path / "single", threads=2)
    assert single["docs_written"] > 30
    out = tmp_path / "phased"
    phases = thresher.plan(pipeline, inputs=inputs, output=out)
    assert [p for p, _ in phases] == [
        "pass1", "minhash.signatures", "minhash.buckets", "minhash.clusters", "pass2"]
    for phase, units in phases:
        for rank in range(2):
            r = thresher.run_phase(phase, rank, 2, pipeline, inputs=inputs, output=out)
            assert r["phase"] == phase
    stats = thresher.finish(pipeline, inputs=inputs, output=out)
    assert stats["docs_written"] == single["docs_written"]
    assert compare(str(tmp_path / "single"), str(out)) == []
    # running a phase again finds its units done
    again = thresher.run_phase("pass1", 0, 1, pipeline, inputs=inputs, output=out)
    assert again["units_skipped"] == again["units"] > 0


def test_phase_errors_are_thresher_errors(tmp_path, repo):
    inputs = [str(repo / "data" / "sample")]
    with pytest.raises(thresher.ThresherError, match="unknown phase"):
        thresher.run_phase("nope", 0, 1, preset="default", inputs=inputs, output=tmp_path)
    with pytest.raises(thresher.ThresherError, match="rank 2 of world size 2"):
        thresher.run_phase("pass1", 2, 2, preset="default", inputs=inputs, output=tmp_path)
    with pytest.raises(thresher.ThresherError, match="no input"):
        thresher.run(preset="default", inputs=[], output=tmp_path)
    assert "default" in thresher.presets() and "[[steps]]" in thresher.preset("default")
    assert json.loads(json.dumps(thresher.presets()))


def test_run_reads_and_writes_object_storage(moto_s3, tmp_path, repo, compare):
    """`thresher.run` with an S3 input prefix and output (moto on loopback) writes what a
    local run writes; a missing bucket is a ThresherError naming the URL."""
    from conftest import download_tree, remote_copies, upload_tree

    bucket, client = moto_s3
    (sample,) = remote_copies([repo / "data" / "sample"], tmp_path / "in")
    upload_tree(client, bucket, sample, "in")
    local = tmp_path / "local"
    thresher.run(preset="default", inputs=[str(sample)], output=local)
    stats = thresher.run(preset="default", inputs=[f"s3://{bucket}/in"], output=f"s3://{bucket}/out")
    assert stats["docs_written"] > 0
    got = download_tree(client, bucket, "out", tmp_path / "got")

    def as_url(doc):
        src = doc.get("metadata", {}).get("source") or {}
        if "file" in src:
            src["file"] = src["file"].replace(str(sample), f"s3://{bucket}/in")
        return doc

    assert compare(str(local), str(got), normalize=as_url) == []
    # A second run finds every shard done.
    again = thresher.run(preset="default", inputs=[f"s3://{bucket}/in"], output=f"s3://{bucket}/out")
    assert again["docs_written"] == stats["docs_written"]
    with pytest.raises(thresher.ThresherError, match="no-such-bucket"):
        thresher.run(preset="default", inputs=["s3://no-such-bucket/in"], output=str(tmp_path / "x"))


def test_process_table_goes_through_arrow_and_matches_process():
    pa = pytest.importorskip("pyarrow")
    p = thresher.Pipeline(STEPS_TOML)
    long = "The committee met on Tuesday to discuss the budget for the coming year. " * 8
    # Every row names every column: from_pylist takes the schema from the first row.
    rows = [
        {"id": "a", "text": long, "html": None, "url": "https://example.org/a", "metadata": {"lang": "en"}},
        {"id": "b", "text": "too short", "html": None, "url": None, "metadata": None},
        {"id": "h", "text": None, "html": ARTICLE, "url": "https://town.example/a", "metadata": {"crawl": 7}},
        {"id": "c", "text": "Ünïcödé \u2028 " + long, "html": None, "url": "https://example.org/c", "metadata": {"n": 1}},
    ]
    table = pa.Table.from_pylist(rows)
    want = p.process(table.to_pylist())  # a struct column gives every row every field
    kept, rejected = p.process_table(table)
    assert kept.column_names == ["id", "text", "metadata"]
    assert rejected.column_names == ["id", "text", "metadata", "dropped_by", "reason"]
    got = {r["id"]: r for r in kept.to_pylist() + rejected.to_pylist()}
    assert set(got) == {"a", "b", "c", "h"}
    assert "river walk" in got["h"]["text"].lower()
    for w in want:
        g = got[w["id"]]
        assert g["text"] == w["text"]
        assert json.loads(g["metadata"]) == w["metadata"]
        assert g.get("dropped_by") == w["dropped_by"] and g.get("reason") == w["reason"]
    # A stream (not a table) and JSON-string metadata work too; a bad column type is refused.
    reader = pa.Table.from_pylist([{"id": "x", "text": long, "metadata": '{"k": 2}'}]).to_reader()
    kept2, _ = p.process_table(reader)
    assert json.loads(kept2.column("metadata")[0].as_py())["k"] == 2
    with pytest.raises(ValueError, match="text"):
        p.process_table(pa.table({"id": ["1"], "text": [3]}))
