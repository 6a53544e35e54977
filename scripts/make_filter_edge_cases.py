#!/usr/bin/env python3
"""Writes the edge-case documents on which `thresher filter --decisions` must agree with
datatrove (crates/thresher/tests/fixtures/filter-edge-cases.jsonl.gz). Stdlib only.

    python3 scripts/make_filter_edge_cases.py OUT.jsonl.gz
"""
import gzip
import json
import sys

PROSE = ("The committee met on Tuesday to discuss the budget for the coming year. "
         "Members agreed that the library needs new books, and that the roof must be repaired "
         "before winter. The chair thanked everyone for their time and closed the meeting.")

cases = {
    "empty": "",
    "only-space": "   \n\t  \n",
    "one-word": "hello",
    "only-punctuation": "!!! ??? ... ,,, ;;; --- ***",
    "only-bullets": "\n".join(["•"] * 20),
    "bullet-list": "\n".join(f"• item number {i} of the list" for i in range(30)),
    "ellipsis-lines": "\n".join(f"This line {i} trails off…" for i in range(20)),
    "cjk": "東京は日本の首都です。人口は約千四百万人です。多くの観光客が訪れます。" * 5,
    "rtl-arabic": "هذه جملة عربية طويلة تتحدث عن الطقس في المدينة اليوم. " * 10,
    "rtl-hebrew": "זהו משפט בעברית שמדבר על מזג האוויר בעיר היום. " * 10,
    "emoji": "Great day 😀🎉 at the beach 🏖️ with family 👨‍👩‍👧‍👦! " * 12,
    "prose": PROSE,
    "prose-long": "\n".join([PROSE] * 3),
    "lorem": PROSE + "\nLorem ipsum dolor sit amet, consectetur adipiscing elit.",
    "javascript": PROSE + "\nPlease enable JavaScript to view this page.\n" + PROSE,
    "curly": PROSE + "\nfunction f() { return 1; }\n" + PROSE,
    "policy": PROSE + "\nBy using this site you agree to our terms of use and privacy policy.\n" + PROSE,
    "cookies": PROSE + "\nThis website uses cookies to improve your experience.\n" + PROSE,
    "citations": "The river is long.[1] It flows north.[2][3] Fish live in it.[citation needed] " * 5,
    "no-terminal-punct": "\n".join(["a line without an ending"] * 10),
    "short-lines": "\n".join(["Home", "About", "Contact", "News", "Login"] * 10),
    "duplicate-lines": "\n".join(["This exact line repeats many times in the page."] * 30),
    "duplicate-paragraphs": "\n\n".join([PROSE] * 10),
    "hash-heavy": "# # # # # # # # # # tag #tag #another " * 20,
    "numbers": "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 " * 10,
    "urls": "See https://example.com/a/b?c=d and http://foo.bar/baz for details. " * 10,
    "mixed-whitespace": "word\u00a0word\u2003word\u3000word\u200bword\u2028word\u2029word\x85word\x1cword " * 20,
    "crlf": "First line here.\r\nSecond line here.\r\nThird line, still going.\r\n" * 10,
    "upper": PROSE.upper(),
    "contractions": "I don't think we can't or won't. It's John's book, isn't it? " * 10,
    "one-mb-line": ("The quick brown fox jumps over the lazy dog. " * 23000)[:1_000_000],
}

with gzip.open(sys.argv[1], "wt", encoding="utf-8") as f:
    for k, v in cases.items():
        f.write(json.dumps({"id": k, "text": v, "metadata": {"language": "en"}}, ensure_ascii=False) + "\n")
