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
