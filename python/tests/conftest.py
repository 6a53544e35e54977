import importlib.util
import os
import pathlib

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "data"


def _compare_module():
    spec = importlib.util.spec_from_file_location("compare_outputs", REPO / "scripts" / "compare_outputs.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="session")
def compare():
    """compare(a, b) -> list of differences between two thresher output folders."""
    return _compare_module().compare


@pytest.fixture(scope="session")
def load_docs():
    """load_docs(folder) -> {shard file: [document dicts]}."""
    return _compare_module().load


@pytest.fixture(scope="session")
def repo():
    return REPO


@pytest.fixture(scope="session")
def real_warcs():
    """The real WARCs of ../shared/data (repacked AEB and trafilatura-eval pages, and the
    crawls of warc-real) when present, else the bundled sample."""
    if (SHARED / "warc-repacked").is_dir() and (SHARED / "warc-real").is_dir():
        return [str(SHARED / "warc-repacked"), str(SHARED / "warc-real")]
    return [str(REPO / "data" / "sample")]


@pytest.fixture()
def moto_s3(tmp_path, monkeypatch):
    """An S3 server (moto) on loopback with an empty bucket; the ``AWS_*`` variables point
    thresher (and processes started from here, such as Ray nodes) at it. Yields
    ``(bucket, boto3 client)``."""
    pytest.importorskip("moto.server")
    boto3 = pytest.importorskip("boto3")
    import socket
    import subprocess
    import sys
    import time

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = open(tmp_path / "moto.log", "wb")
    server = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                              stdout=log, stderr=subprocess.STDOUT)
    endpoint = f"http://127.0.0.1:{port}"
    env = dict(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_REGION="us-east-1",
               AWS_ENDPOINT_URL=endpoint, AWS_ALLOW_HTTP="true")
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("moto server did not start: " + (tmp_path / "moto.log").read_text())
                time.sleep(0.1)
        client = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id="testing",
                              aws_secret_access_key="testing", region_name="us-east-1")
        client.create_bucket(Bucket="thresher-test")
        yield "thresher-test", client
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


def upload_tree(client, bucket, folder, prefix):
    """Uploads every file under ``folder`` to ``s3://bucket/prefix/<relative path>``."""
    folder = pathlib.Path(folder)
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            client.upload_file(str(p), bucket, f"{prefix}/{p.relative_to(folder).as_posix()}")


def download_tree(client, bucket, prefix, dest):
    """Downloads every object under ``s3://bucket/prefix/`` into ``dest``."""
    dest = pathlib.Path(dest)
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix + "/"):
        for o in page.get("Contents", []):
            target = dest / o["Key"][len(prefix) + 1:]
            target.parent.mkdir(parents=True, exist_ok=True)
            client.download_file(bucket, o["Key"], str(target))
    return dest


def remote_copies(folders, tmp):
    """Copies of input folders without the files that only the first bytes name (object
    storage inputs are recognised by name), with their names in order."""
    import shutil

    out = []
    for f in folders:
        dst = pathlib.Path(tmp) / pathlib.Path(f).name
        shutil.copytree(f, dst, ignore=lambda d, names: [n for n in names if n.endswith((".md", ".bad")) or n == "SHA256SUMS"])
        out.append(dst)
    return out
