"""Regenerates the Parquet fixtures of thresher-io's tests (needs pyarrow; not run by CI).

    python make_fixtures.py

Each file is tiny, written by pyarrow the way Hugging Face datasets / pandas write Parquet.
"""
import datetime
import json

import pyarrow as pa
import pyarrow.parquet as pq

rows = {
    "text": ["first document", None, "third \u00fc\u2713", "fourth"],
    "id": ["a", None, "c", "d"],
    "url": ["https://a.example/", None, "https://c.example/", None],
    "token_count": pa.array([2, None, 2, 1], type=pa.int64()),
    "score": pa.array([0.5, 1.25, None, -3.0], type=pa.float64()),
    "flag": [True, False, None, True],
    "tags": [["x", "y"], [], None, ["z"]],
    "meta": [{"k": 1, "s": "v"}, None, {"k": 3, "s": None}, {"k": 4, "s": "w"}],
    "day": pa.array([datetime.date(2024, 1, 2)] * 4, type=pa.date32()),
    "ts": pa.array([datetime.datetime(2023, 11, 14, 22, 13, 20, 123000)] * 4, type=pa.timestamp("ms")),
    "blob": pa.array([b"\xff\x00", b"ok", None, b""], type=pa.binary()),
    "small": pa.array([1, 2, 3, 4], type=pa.int8()),
    "metadata": [json.dumps({"language": "en", "dump": "CC-MAIN-2024-10"}), None, "not json", json.dumps({"language": "de"})],
}
table = pa.table(rows)
for codec in ["snappy", "zstd", "gzip", "none", "lz4"]:
    pq.write_table(table, f"pyarrow-{codec}.parquet", compression=codec, row_group_size=3)

# FineWeb-like: integer ids, a struct `metadata`, a different text column name
t2 = pa.table({
    "content": ["alpha", "beta"],
    "id": pa.array([10, 11], type=pa.int64()),
    "metadata": [{"language": "fr", "language_score": 0.9}, {"language": "it", "language_score": 0.8}],
})
pq.write_table(t2, "struct-metadata.parquet")
