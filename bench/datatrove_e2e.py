#!/usr/bin/env python3
"""datatrove end-to-end baseline: WarcReader -> Trafilatura -> LanguageFilter -> JsonlWriter.

The chain is the one of datatrove's FineWeb example (examples/fineweb.py) without its URL filter
and quality filters, with datatrove 0.10.1's defaults:

  WarcReader(<dir of FILE>, glob_pattern=<FILE name>)       warcio, gzip, UTF-8 / cchardet decoding
                                                            (payload type: see --magic-sniff)
  Trafilatura(favour_precision=True, timeout=1)             in datatrove's extraction sandbox process
  LanguageFilter()                                          fastText lid.176, languages=None (keep any
                                                            language), language_threshold=0.65
  JsonlWriter(<tmp dir>)                                    gzip, orjson

run by LocalPipelineExecutor(tasks=1, workers=1): one task in this process (datatrove itself adds
a multiprocess Manager process and the trafilatura sandbox process).

Offline: LanguageFilter normally downloads lid.176.bin through datatrove.io's
cached_asset_path_or_download. Here the filter's FT176LID is replaced by a subclass whose `model`
property loads a local fastText file (default ../shared/models/lid176/lid.176.ftz, the quantised
lid.176 that thresher bundles) with the same fasttext call datatrove makes (`_FastText(path)`);
datatrove's download helper is also replaced by one that raises, so any other download fails
loudly. The script re-executes itself under `unshare -n` (no network) when that works, and in any
case refuses AF_INET/AF_INET6 connections in-process (AF_UNIX stays: datatrove's Manager uses it).

Payload type: datatrove keeps a response record when its WARC-Identified-Payload-Type is HTML and,
when that header is missing, asks libmagic. Common Crawl's WARCs carry the header; the
warc-repacked files don't, and libmagic calls 106 of their 181 AEB pages (and 84 of the 988
trafilatura-eval pages) something other than HTML. By default the header is filled in from the HTTP
Content-Type (text/html for every page there) before datatrove's own process_record sees the
record, so datatrove processes the same pages thresher does; --magic-sniff keeps the stock
behaviour.

Measurement, per WARC file, each in a fresh worker process (so files don't share a heap):
  seconds          wall time of executor.run(): reading, gunzip, decoding, extraction, langid,
                   writing -- everything datatrove does for the file, interpreter start and
                   imports excluded (favours datatrove)
  process_seconds  wall time of the whole worker process, imports included
  cpu_seconds      user+sys CPU time of the worker and its children during executor.run()
                   (pages_per_cpu_s = pages / cpu_seconds: less sensitive to a busy machine)
  process_cpu_seconds  the same for the whole worker process tree, imports included
  pages            documents WarcReader produced (HTML responses), pages_per_s = pages / seconds
  docs_written     documents JsonlWriter wrote; dropped_* say where the rest went
  peak_rss_mb      the worker process alone (ru_maxrss)
  peak_tree_rss_mb / peak_tree_pss_mb
                   peak of the summed RSS / PSS of the worker and all its descendants (sandbox,
                   Manager), sampled every 0.1 s from /proc by this (parent) process. RSS double
                   counts pages shared after fork; PSS splits them, so PSS is the fairer total.

Prints one JSON line per file on stdout (logs go to stderr).

  python bench/datatrove_e2e.py ../shared/data/warc-repacked/scrapinghub-aeb.warc.gz \
      ../shared/data/warc-repacked/trafilatura-eval.warc.gz
"""
import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_MODEL = os.path.normpath(os.path.join(HERE, "..", "..", "shared", "models", "lid176", "lid.176.ftz"))


# ------------------------------------------------------------------ offline
def go_offline(argv):
    """Re-exec under `unshare -n` when possible; returns how the network is cut."""
    if os.environ.get("BENCH_NET") == "off":
        return "unshare -n"
    if os.environ.get("BENCH_NET") != "keep" and shutil.which("unshare"):
        for cmd in (["unshare", "-n"], ["unshare", "-rn"]):
            if subprocess.run(cmd + ["true"], capture_output=True).returncode == 0:
                os.environ["BENCH_NET"] = "off"
                os.execvp(cmd[0], cmd + [sys.executable] + argv)
    return "in-process socket block only"


def block_inet():
    import socket

    real_connect = socket.socket.connect
    real_getaddrinfo = socket.getaddrinfo

    def connect(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6):
            raise OSError("network disabled by bench/datatrove_e2e.py")
        return real_connect(self, address)

    def getaddrinfo(host, *args, **kwargs):
        if host not in (None, "localhost", "127.0.0.1", "::1"):
            raise OSError("network disabled by bench/datatrove_e2e.py")
        return real_getaddrinfo(host, *args, **kwargs)

    socket.socket.connect = connect
    socket.getaddrinfo = getaddrinfo


# ------------------------------------------------------------------ memory sampling
def _children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def _tree(pid):
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(_children(p))
    return out


def _rss_pss_kb(pid):
    rss = pss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Rss:"):
                    rss = int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss = int(line.split()[1])
    except OSError:
        pass
    return rss, pss


# ------------------------------------------------------------------ worker: one file
def worker(args):
    t_proc = time.monotonic()
    block_inet()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from importlib.metadata import version

    import datatrove.io
    import datatrove.utils.lid as dt_lid
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.extractors import Trafilatura
    from datatrove.pipeline.filters import LanguageFilter
    from datatrove.pipeline.readers import WarcReader
    from datatrove.pipeline.writers import JsonlWriter

    def no_download(remote_path, *a, **kw):
        raise RuntimeError(f"bench/datatrove_e2e.py is offline; datatrove tried to download {remote_path}")

    datatrove.io.cached_asset_path_or_download = no_download
    dt_lid.cached_asset_path_or_download = no_download

    if not args.magic_sniff:
        # warc-repacked records carry no WARC-Identified-Payload-Type (Common Crawl's WARCs do), so
        # datatrove would sniff each payload with libmagic, which calls 106 of the 181 AEB pages
        # "application/javascript" and drops them. Supply the header from the HTTP Content-Type
        # (text/html for every page here) and let datatrove's own process_record do the rest.
        import datatrove.pipeline.readers.warc as dt_warc

        stock_process_record = dt_warc.process_record

        def process_record(record):
            if (
                record.rec_type == "response"
                and record.rec_headers.get_header("WARC-Identified-Payload-Type") is None
                and record.http_headers is not None
            ):
                ctype = record.http_headers.get_header("Content-Type")
                if ctype:
                    record.rec_headers.add_header("WARC-Identified-Payload-Type", ctype.split(";")[0].strip().lower())
            return stock_process_record(record)

        dt_warc.process_record = process_record

    class LocalFT176LID(dt_lid.FT176LID):
        """datatrove's FT176LID, loading a local model file instead of downloading lid.176.bin."""

        def __init__(self, model_path, languages=None, k=-1):
            super().__init__(languages, k)
            self.model_path = model_path

        @property
        def model(self):
            if self._model is None:
                from fasttext.FastText import _FastText

                self._model = _FastText(self.model_path)
            return self._model

    class OfflineLanguageFilter(LanguageFilter):
        def __init__(self, model_path, **kwargs):
            super().__init__(**kwargs)
            assert self.backend == "ft176"
            self.model = LocalFT176LID(model_path, self.languages)

    path = os.path.abspath(args.file)
    work = tempfile.mkdtemp(prefix="dt-e2e-", dir=args.tmp_dir)
    lang_kwargs = dict(language_threshold=args.threshold, label_only=args.label_only)
    if args.languages:
        lang_kwargs["languages"] = args.languages.split(",")
    pipeline = [
        WarcReader(os.path.dirname(path), glob_pattern=os.path.basename(path), recursive=False),
        Trafilatura(favour_precision=True, timeout=args.timeout),
        OfflineLanguageFilter(args.model, **lang_kwargs),
        JsonlWriter(os.path.join(work, "output")),
    ]
    executor = LocalPipelineExecutor(
        pipeline=pipeline, tasks=1, workers=1, logging_dir=os.path.join(work, "logs"), skip_completed=False
    )
    import resource

    def cpu_now():  # this process + its finished (waited-for) children: sandbox, Manager
        a, b = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return a.ru_utime + a.ru_stime + b.ru_utime + b.ru_stime

    c0 = cpu_now()
    t0 = time.monotonic()
    stats = executor.run()
    seconds = time.monotonic() - t0
    cpu_seconds = cpu_now() - c0

    steps = json.loads(stats.to_json()) if hasattr(stats, "to_json") else None
    if steps is None:
        with open(os.path.join(work, "logs", "stats.json")) as f:
            steps = json.load(f)

    def counts(prefix):
        for st in steps:
            if prefix in st["name"]:
                return {k: (v["total"] if isinstance(v, dict) else v) for k, v in st["stats"].items()}
        return {}

    reader, extractor, lang, writer = counts("🕷"), counts("⛏"), counts("🌍"), counts("🐿")
    pages = reader.get("documents", 0)
    written = writer.get("total", 0)
    out_bytes = sum(
        os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(os.path.join(work, "output")) for f in fs
    )

    result = {
        "tool": "datatrove",
        "file": os.path.relpath(path, os.getcwd()) if not args.abs_paths else path,
        "input_bytes": os.path.getsize(path),
        "pages": pages,
        "seconds": round(seconds, 3),
        "pages_per_s": round(pages / seconds, 2) if seconds else None,
        "cpu_seconds": round(cpu_seconds, 3),
        "pages_per_cpu_s": round(pages / cpu_seconds, 2) if cpu_seconds else None,
        "docs_written": written,
        "dropped_extract_empty": extractor.get("dropped", 0),
        "extract_timeouts": extractor.get("timeout", 0),
        "extract_errors": extractor.get("clean_error", 0) + extractor.get("broken_process", 0),
        "dropped_langid": lang.get("dropped", 0),
        "output_bytes": out_bytes,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "config": {
            "chain": "WarcReader -> Trafilatura -> LanguageFilter -> JsonlWriter(gzip)",
            "trafilatura": {"favour_precision": True, "timeout": args.timeout, "deduplicate": True},
            "language_filter": {
                "languages": lang_kwargs.get("languages"),
                "language_threshold": args.threshold,
                "label_only": args.label_only,
                "model": args.model,
            },
            "executor": "LocalPipelineExecutor(tasks=1, workers=1)",
            "payload_type": "libmagic sniffing (datatrove stock)" if args.magic_sniff
            else "WARC-Identified-Payload-Type, else HTTP Content-Type",
        },
        "versions": {
            "python": platform.python_version(),
            **{p: version(p) for p in ("datatrove", "trafilatura", "warcio", "fasttext-numpy2-wheel", "numpy")},
        },
        "step_stats": {"reader": reader, "extractor": extractor, "language_filter": lang, "writer": writer},
        "worker_process_seconds": round(time.monotonic() - t_proc, 3),
    }
    if args.keep_output:
        result["output_dir"] = work
    else:
        shutil.rmtree(work, ignore_errors=True)
    with open(args.result, "w") as f:
        json.dump(result, f)


# ------------------------------------------------------------------ parent: sample memory, collect
def run_file(args, file, net):
    fd, result_path = tempfile.mkstemp(prefix="dt-e2e-", suffix=".json", dir=args.tmp_dir)
    os.close(fd)
    cmd = [sys.executable, os.path.abspath(__file__), "--worker", file, "--result", result_path,
           "--timeout", str(args.timeout), "--threshold", str(args.threshold), "--model", args.model]
    if args.languages:
        cmd += ["--languages", args.languages]
    for flag in ("label_only", "keep_output", "abs_paths", "magic_sniff"):
        if getattr(args, flag):
            cmd.append("--" + flag.replace("_", "-"))
    if args.tmp_dir:
        cmd += ["--tmp-dir", args.tmp_dir]
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=sys.stderr)
    peak_rss = peak_pss = 0
    max_procs = 0
    status = None
    while True:
        pids = _tree(proc.pid)
        max_procs = max(max_procs, len(pids))
        rss = pss = 0
        for p in pids:
            r, s = _rss_pss_kb(p)
            rss += r
            pss += s
        peak_rss, peak_pss = max(peak_rss, rss), max(peak_pss, pss)
        pid, status, rusage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        time.sleep(0.1)
    process_seconds = time.monotonic() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        os.unlink(result_path)
        raise SystemExit(f"datatrove worker failed on {file} (exit {proc.returncode})")
    with open(result_path) as f:
        result = json.load(f)
    os.unlink(result_path)
    result["process_seconds"] = round(process_seconds, 3)
    result["process_cpu_seconds"] = round(rusage.ru_utime + rusage.ru_stime, 3)
    result["peak_tree_rss_mb"] = round(peak_rss / 1024, 1)
    result["peak_tree_pss_mb"] = round(peak_pss / 1024, 1)
    result["max_processes"] = max_procs
    result["offline"] = net
    result["cpu"] = cpu_name()
    return result


def cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return f"{line.split(':', 1)[1].strip()} ({os.cpu_count()} CPUs)"
    except OSError:
        pass
    return platform.processor()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="*", help="WARC files; each is run in its own worker process")
    ap.add_argument("--model", default=DEFAULT_MODEL, help="local fastText lid.176 model (default: %(default)s)")
    ap.add_argument("--timeout", type=float, default=1.0,
                    help="Trafilatura per-document timeout in s (datatrove default and FineWeb: 1)")
    ap.add_argument("--threshold", type=float, default=0.65, help="LanguageFilter language_threshold (default 0.65)")
    ap.add_argument("--languages", help="comma-separated languages to keep (default: any)")
    ap.add_argument("--label-only", action="store_true", help="LanguageFilter(label_only=True): annotate, drop nothing")
    ap.add_argument("--magic-sniff", action="store_true",
                    help="datatrove's stock reader: records without WARC-Identified-Payload-Type are typed by "
                    "libmagic (drops 106 of the 181 AEB pages as application/javascript)")
    ap.add_argument("--keep-output", action="store_true", help="keep the output/log folder and print its path")
    ap.add_argument("--tmp-dir", help="where the output folders go (default: $TMPDIR)")
    ap.add_argument("--abs-paths", action="store_true", help="report absolute file paths")
    ap.add_argument("--worker", metavar="FILE", help=argparse.SUPPRESS)
    ap.add_argument("--result", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        args.file = args.worker
        worker(args)
        return
    if not args.files:
        ap.error("give at least one WARC file")
    for f in args.files:
        if not os.path.isfile(f):
            ap.error(f"no such file: {f}")
    if not os.path.isfile(args.model):
        ap.error(f"no such model: {args.model}")
    net = go_offline(sys.argv)
    block_inet()
    for f in args.files:
        print(json.dumps(run_file(args, f, net)), flush=True)


if __name__ == "__main__":
    main()
