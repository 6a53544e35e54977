"""thresher.ray on a local multi-node Ray cluster (three nodes on loopback): the output is
that of one `thresher run`, also when a worker node dies mid-run."""

import json
import threading
import time

import pytest

ray = pytest.importorskip("ray")
from ray.cluster_utils import Cluster  # noqa: E402

import thresher  # noqa: E402
import thresher.ray as tray  # noqa: E402
from conftest import download_tree, remote_copies, upload_tree  # noqa: E402

NODE = dict(num_cpus=1, object_store_memory=80 * 1024 * 1024, include_dashboard=False)


@pytest.fixture()
def cluster():
    # The head takes no tasks (killing it would end the cluster); two workers do.
    c = Cluster(initialize_head=True, head_node_args=dict(NODE, num_cpus=0))
    workers = [c.add_node(**NODE) for _ in range(2)]
    c.wait_for_nodes()
    ray.init(address=c.address)
    try:
        yield c, workers
    finally:
        ray.shutdown()
        c.shutdown()


@pytest.fixture(scope="module")
def single_run(tmp_path_factory, repo, real_warcs):
    out = tmp_path_factory.mktemp("single") / "out"
    thresher.run(repo / "pipelines" / "default-minhash.toml", inputs=real_warcs, output=out)
    return out


def test_ray_run_equals_single_machine_run(cluster, tmp_path, repo, real_warcs, single_run, compare):
    out = tmp_path / "ray"
    stats = tray.run(repo / "pipelines" / "default-minhash.toml", inputs=real_warcs, output=out,
                     progress=False)
    assert list(stats["phases"]) == [
        "pass1", "minhash.signatures", "minhash.buckets", "minhash.clusters", "pass2"]
    assert stats["phases"]["pass1"]["units"] == stats["shards_total"]
    assert compare(str(single_run), str(out)) == []
    assert stats["docs_written"] > 0


def test_ray_run_survives_a_dead_worker_node(cluster, tmp_path, repo, real_warcs, single_run, compare):
    c, workers = cluster
    c.add_node(**NODE)  # a spare, so the run goes on with two workers
    c.wait_for_nodes()
    out = tmp_path / "ray"
    log = tmp_path / "attempts.jsonl"
    killed = threading.Event()
    victim = workers[0].node_id

    def kill_when_started():
        # As soon as the node has started a first-pass unit, take it away with its tasks. The
        # biggest shards are submitted first and take seconds, so the unit is still running
        # (waiting for finished shards instead left the node idle between tasks at times).
        def started_there(line):
            try:
                a = json.loads(line)
            except ValueError:  # a line being written
                return False
            return a["node"] == victim and a["phase"] == "pass1"

        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            lines = log.read_text().splitlines() if log.exists() else []
            if any(started_there(x) for x in lines):
                c.remove_node(workers[0], allow_graceful=False)
                killed.set()
                return
            time.sleep(0.02)

    t = threading.Thread(target=kill_when_started)
    t.start()
    tray.run(repo / "pipelines" / "default-minhash.toml", inputs=real_warcs, output=out,
             progress=False, attempts_log=log)
    t.join()
    assert killed.is_set(), "the run ended before a node could be killed"
    assert compare(str(single_run), str(out)) == []
    # some unit was started on the dead node and again elsewhere
    attempts = [json.loads(line) for line in log.read_text().splitlines()]
    units = [(a["phase"], a["unit"]) for a in attempts]
    retried = {u for u in units if units.count(u) > 1}
    assert retried, "no task was retried"
    dead = workers[0].node_id
    assert any(a["node"] == dead for a in attempts if (a["phase"], a["unit"]) in retried)


def test_ray_run_on_s3_equals_single_machine_run(moto_s3, tmp_path, monkeypatch, repo, compare):
    """Inputs, intermediate files and output in an S3 bucket (moto on loopback); every task
    stages what it needs in THRESHER_CACHE and leaves nothing there. The bundled sample (7
    WARCs) keeps it short: moto answers a few hundred requests a second, and the real WARCs'
    run makes about 4,000."""
    bucket, client = moto_s3
    cache = tmp_path / "cache"
    cache.mkdir()
    monkeypatch.setenv("THRESHER_CACHE", str(cache))  # before the nodes start: they inherit it
    local = remote_copies([repo / "data" / "sample"], tmp_path / "in")
    for f in local:
        upload_tree(client, bucket, f, f"in/{f.name}")
    pipeline = repo / "pipelines" / "default-minhash.toml"
    single = tmp_path / "single"
    thresher.run(pipeline, inputs=[str(f) for f in local], output=single)

    c = Cluster(initialize_head=True, head_node_args=dict(NODE, num_cpus=0))
    for _ in range(2):
        c.add_node(**NODE)
    c.wait_for_nodes()
    ray.init(address=c.address)
    try:
        stats = tray.run(pipeline, inputs=[f"s3://{bucket}/in/{f.name}" for f in local],
                         output=f"s3://{bucket}/out", progress=False)
    finally:
        ray.shutdown()
        c.shutdown()
    assert stats["phases"]["pass1"]["units"] == stats["shards_total"]
    got = download_tree(client, bucket, "out", tmp_path / "got")
    assert not (got / ".thresher" / "work").exists(), "finish leaves no intermediate files"
    assert list(cache.iterdir()) == [], "tasks leave nothing in their local cache"
    prefix = str(tmp_path / "in")

    def as_url(doc):  # the inputs' paths are their URLs in the bucket run
        src = doc.get("metadata", {}).get("source") or {}
        if "file" in src:
            src["file"] = src["file"].replace(prefix, f"s3://{bucket}/in")
        return doc

    assert compare(str(single), str(got), normalize=as_url) == []
    assert stats["docs_written"] > 0
