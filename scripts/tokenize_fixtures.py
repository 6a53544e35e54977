#!/usr/bin/env python3
"""Build the test fixtures of crates/thresher-tokenize from datatrove's word tokens.

Subcommands (run from the repository root):

  combined ORACLE_OUT
      ORACLE_OUT: datatrove_oracle.py --emit-words output for
      ../shared/data/webtext-docs/combined.jsonl.gz. Writes
      crates/thresher-tokenize/tests/fixtures/combined.words.jsonl.

  edge [--python PY]
      Writes the edge-case inputs tests/fixtures/edge_cases.jsonl.gz, runs the oracle on
      them (PY: the datatrove venv's python) and writes tests/fixtures/edge_cases.words.jsonl.

  langs [--python PY] [--per-lang N]
      Runs the oracle with --language CODE over the first N lingua test sentences of each
      language in ../shared/data/langid/lingua-testdata/sentences/ and writes
      tests/fixtures/langs.words.jsonl: per language the word count and the first 16 hex
      digits of the words' SHA-1 per sentence (the sentences stay in shared/).

Each fixture line has "id", "n_words" and "words_sha1" (SHA-1 of the words joined with
U+001F); combined also has "block_sha1" (first 8 hex digits of the SHA-1 of each run of
256 words) so that a failing test can say where the first difference is; edge cases also
keep the words themselves when there are at most 200.

Needs only the standard library (the oracle runs in the datatrove venv).
"""

import argparse
import gzip
import hashlib
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIX = os.path.join(ROOT, "crates", "thresher-tokenize", "tests", "fixtures")
ORACLE = os.path.join(ROOT, "..", "shared", "peers", "datatrove_oracle.py")
DEFAULT_PY = os.path.expanduser("~/.cache/thresher-peers/datatrove/bin/python")
LINGUA = os.path.join(ROOT, "..", "shared", "data", "langid", "lingua-testdata", "sentences")
SEP = "\u001f"
BLOCK = 256


def words_sha1(words):
    return hashlib.sha1(SEP.join(words).encode("utf-8")).hexdigest()


def read_jsonl(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def write_jsonl(path, rows):
    with open(path, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


def fixture_row(rec, blocks=False, keep_words=0):
    words = rec.get("words")
    if words is None:
        return {"id": rec["id"], "n_words": None, "error": rec.get("words_error", "no words")}
    row = {"id": rec["id"], "n_words": len(words), "words_sha1": words_sha1(words)}
    if blocks:
        row["block_sha1"] = [words_sha1(words[i : i + BLOCK])[:8] for i in range(0, len(words), BLOCK)]
    if keep_words and len(words) <= keep_words:
        row["words"] = words
    return row


def run_oracle(py, inp, language=None):
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "out.jsonl")
        cmd = [py, ORACLE, inp, "--emit-words", "--filters", "gopher_quality", "-o", out]
        if language:
            cmd += ["--language", language]
        subprocess.run(cmd, check=True, stderr=subprocess.DEVNULL)
        return read_jsonl(out)


def edge_inputs():
    """Texts for the edge-case fixture. The first one makes datatrove's spaCy see the token
    IS_ALPHA once, so that the later ones show its steady state (see Tokenizer::words)."""
    sentence = "The quick brown fox (aged 5) didn't jump over the lazy dog's U.S.-made fence, e.g. at 10a.m.! "
    cases = [
        ("is_alpha_warmup", "IS_ALPHA"),
        ("empty", ""),
        ("one_word", "word"),
        ("only_spaces", "   \n\t  "),
        ("only_punct", "!!! ??? ... ,,, ;;; --- ***"),
        ("bullets", "• • •"),
        ("bullets_joined", "•••  ·  ● ○ ▪ ‣ ⁃"),
        ("cjk_zh", "我爱北京天安门。今天天气很好！你呢？"),
        ("cjk_ja", "こんにちは世界。東京は日本の首都です。"),
        ("cjk_ko", "안녕하세요 세계. 서울은 한국의 수도입니다."),
        ("arabic", "مرحبا بالعالم! هذا اختبار، أليس كذلك؟ ١٢٣ كم."),
        ("hebrew", "שלום עולם, זה מבחן. \"ציטוט\" (סוגריים)."),
        ("rtl_mixed", "He said \u202bשלום\u202c and left; العربية (Arabic) 2024."),
        ("emoji", "I ❤️ NY 👨‍👩‍👧‍👦 🏳️‍🌈 👍🏽! Great😀😀 job:) 🇬🇧🇫🇷"),
        ("urls", "Visit https://example.com/path?q=1&r=2#frag, or www.example.org. Also http://localhost:8080/x and ftp://a.b.c/d."),
        ("emails", "Mail john.doe+tag@example.co.uk. Or <info@ex-ample.com>; admin@localhost."),
        ("contractions", "don't Don't DON'T can't won't I'm we'll they'd y'all it’s rock'n'roll '90s O'Neill ain't"),
        ("abbrev", "U.S. U.S.A. e.g. i.e., a.m. p.m. Mr. Smith Dr. No. St. Louis etc. vs. Inc. Corp. Jan. Feb."),
        ("units", "5km 10kg $10.50 €5 £3 5% (5) 3.14 1,000,000 5°C 25 °F 10m/s 100km/h 3x 2nd 1st 50/50 24/7 10am 11pm 10a.m."),
        ("hyphens", "well-known state-of-the-art -5 +44 20 7946 0958 x-ray 1990-2000 A-B a--b a---b —dash— re-open"),
        ("is_alpha_alone", "foo IS_ALPHA bar"),
        ("is_alpha_glued", "xIS_ALPHAy and IS_ALPHA. (IS_ALPHA)"),
        ("whitespace", "a\tb a\u00a0b a\u2028b a\u2029b a\x1cb a\u200bb a\u3000b a  b a \n b\r\nc\x0bd\x0ce\x85f"),
        ("leading_trailing", "   leading and trailing   "),
        ("emoticons", ":) :-) ;) :D <3 :( ^_^ (: :-( word:) (:) :-)) <333 xD :P :p"),
        ("quotes", "“Hello,” she said. ‘Yes’ «oui» „ja“ 'single' \"double\" ``tex''"),
        ("code", "C++ C# .NET #hashtag @mention file.txt v1.2.3 C:\\path\\file ~/dir [1] {x} <tag> a=b x==y"),
        ("ellipsis", "...and wait...what … trailing... ....."),
        ("html", "<b>bold</b> &amp; &nbsp; <a href=\"x.html\">link</a>"),
        ("control", "a\x00b\x01c\x07d\x1b[0m e"),
        ("combining", "e\u0301 cafe\u0301 n\u0303o Zalgo: Z\u0351\u0336a\u0337l\u0338g\u0335o"),
        ("indic", "नमस्ते दुनिया। यह परीक्षण है। ১২৩ বাংলা"),
        ("thai", "สวัสดีชาวโลก นี่คือการทดสอบ"),
        ("cyrillic_greek", "Привет, мир! Это тест. Γειά σου Κόσμε; Ελλάδα."),
        ("numbers", "1.5 -2.5 +3 1e10 0x1F 3/4 ½ ¾ ²³ 1,234.56 12:30 2024-01-01 #1 No.1 100%"),
        ("brackets", "(a) [b] {c} <d> ((nested)) [[wiki]] f(x) a(b)c"),
        ("many_spaces", "word     word\n\n\n\nword\t\t\tword"),
        ("long_token", "a" * 5000),
        ("rep_a_dot", "a." * 2000),
        ("rep_colon", ":" * 3000),
        ("rep_parens", "(" * 1500 + ")" * 1500),
        ("rep_s", "'s" * 1500),
        ("rep_smiley", ":)" * 1500),
        ("rep_emoji", "😀" * 1000),
        ("rep_hyphen", "-a" * 1500),
        ("rep_url", "http://x.com/" * 300),
        ("rep_email", "a@b:" * 800),
        ("rep_egs", "e.g." * 800),
        ("css", "icon-\"]{cursor:pointer}.icon-glass{*zoom:expression(this.runtimeStyle.zoom=\"1\";this.innerHTML=\"&#xf000;\")}" * 20),
        ("one_mb_line", (sentence * (1_000_000 // len(sentence) + 1))[:1_000_000]),
    ]
    return [{"id": i, "text": t} for i, t in cases]


def cmd_combined(args):
    rows = [fixture_row(r, blocks=True) for r in read_jsonl(args.oracle_out)]
    write_jsonl(os.path.join(FIX, "combined.words.jsonl"), rows)
    print(f"{len(rows)} docs", file=sys.stderr)


def cmd_edge(args):
    os.makedirs(FIX, exist_ok=True)
    inp = os.path.join(FIX, "edge_cases.jsonl.gz")
    with open(inp, "wb") as raw:
        # mtime=0: the same inputs give the same bytes
        with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as g:
            for r in edge_inputs():
                g.write((json.dumps(r, ensure_ascii=False) + "\n").encode("utf-8"))
    rows = [fixture_row(r, keep_words=200) for r in run_oracle(args.python, inp, "eng")]
    write_jsonl(os.path.join(FIX, "edge_cases.words.jsonl"), rows)
    print(f"{len(rows)} edge cases", file=sys.stderr)


def cmd_langs(args):
    rows = []
    langs = sorted(f[: -len(".txt.gz")] for f in os.listdir(LINGUA) if f.endswith(".txt.gz"))
    if args.langs:
        langs = [l for l in langs if l in args.langs.split(",")]
    for lang in langs:
        with gzip.open(os.path.join(LINGUA, f"{lang}.txt.gz"), "rt", encoding="utf-8") as f:
            lines = [l.rstrip("\n") for l in f][: args.per_lang]
        with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as t:
            for i, line in enumerate(lines):
                t.write(json.dumps({"id": f"{lang}:{i}", "text": line}, ensure_ascii=False) + "\n")
            name = t.name
        try:
            out = run_oracle(args.python, name, lang)
        except subprocess.CalledProcessError as e:
            print(f"{lang}: oracle failed ({e})", file=sys.stderr)
            continue
        finally:
            os.unlink(name)
        # One compact row per language: word counts and 16-hex-digit hashes per sentence
        # (null where datatrove's tokenizer raised).
        n_words = [len(r["words"]) if r.get("words") is not None else None for r in out]
        sha = [words_sha1(r["words"])[:16] if r.get("words") is not None else None for r in out]
        errors = sum(1 for n in n_words if n is None)
        print(f"{lang}: {len(out)} sentences, {errors} tokenizer errors", file=sys.stderr)
        rows.append({"lang": lang, "n_words": n_words, "words_sha1": sha})
    write_jsonl(args.out or os.path.join(FIX, "langs.words.jsonl"), rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("combined")
    c.add_argument("oracle_out")
    c.set_defaults(fn=cmd_combined)
    e = sub.add_parser("edge")
    e.add_argument("--python", default=DEFAULT_PY)
    e.set_defaults(fn=cmd_edge)
    l = sub.add_parser("langs")
    l.add_argument("--python", default=DEFAULT_PY)
    l.add_argument("--per-lang", type=int, default=100)
    l.add_argument("--langs", help="comma-separated subset")
    l.add_argument("--out", help="output file (default: the crate's fixture)")
    l.set_defaults(fn=cmd_langs)
    args = ap.parse_args()
    args.fn(args)


if __name__ == "__main__":
    main()
