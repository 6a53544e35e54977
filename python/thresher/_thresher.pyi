"""Type stubs of the native module (crates/thresher-py). Use the wrappers in ``thresher``."""

from typing import Any, Dict, List, Optional, Tuple, Union

__version__: str

class ThresherError(Exception): ...

class Pipeline:
    def __init__(self, pipeline: Optional[str] = None, *, preset: Optional[str] = None) -> None: ...
    def steps(self) -> List[str]: ...
    def process(self, docs: List[Dict[str, Any]]) -> List[Dict[str, Any]]: ...
    def process_arrow(self, stream: Any) -> Tuple[Any, Any]: ...

def presets_toml() -> List[Tuple[str, str]]: ...
def plan(
    pipeline: Optional[str] = None,
    *,
    preset: Optional[str] = None,
    inputs: Optional[List[str]] = None,
    output: Optional[str] = None,
    overwrite: bool = False,
) -> List[Tuple[str, int, List[int]]]: ...
def run_phase(
    phase: str,
    rank: int,
    world_size: int,
    pipeline: Optional[str] = None,
    *,
    preset: Optional[str] = None,
    inputs: Optional[List[str]] = None,
    output: Optional[str] = None,
    threads: int = 1,
) -> str: ...
def finish(
    pipeline: Optional[str] = None,
    *,
    preset: Optional[str] = None,
    inputs: Optional[List[str]] = None,
    output: Optional[str] = None,
) -> str: ...
def run(
    pipeline: Optional[str] = None,
    *,
    preset: Optional[str] = None,
    inputs: Optional[List[str]] = None,
    output: Optional[str] = None,
    threads: int = 0,
    rank: int = 0,
    world_size: int = 1,
    overwrite: bool = False,
) -> str: ...
def extract_many(
    pages: List[Union[bytes, str]],
    urls: Optional[List[Optional[str]]] = None,
    *,
    backend: str = "native",
    markdown: bool = False,
    include_tables: bool = True,
    include_comments: bool = False,
    include_images: bool = False,
) -> List[Dict[str, Any]]: ...
def minhash_signatures(
    texts: List[str],
    *,
    language: str = "eng",
    n_grams: int = 5,
    buckets: int = 14,
    hashes_per_bucket: int = 8,
    seed: int = 1,
) -> List[Optional[List[int]]]: ...
