#!/usr/bin/env python3
"""Export spaCy's rule-based tokenizer DATA for thresher-tokenize.

Run with the datatrove peer venv (spaCy 3.8 + datatrove 0.10.1):

    ~/.cache/thresher-peers/datatrove/bin/python scripts/export_spacy_tokenizer.py

Writes crates/thresher-tokenize/data/:
  spacy/<lang>.json.gz   per spaCy language: prefix/suffix/infix/token_match/url_match
                         regexes as a lowered syntax tree, the tokenizer exceptions
                         (special cases), and the special-case matcher patterns
  common.json.gz         Python's str.isspace() set and datatrove's language-code ->
                         (tokenizer class, spaCy code) assignments
and crates/thresher-tokenize/src/spacy_data.rs (the include_bytes! table).

Only data is exported: the regexes are parsed with Python's own `re` parser so that the
Rust matcher sees exactly what Python's `re` would match. Every single-character matcher
(literal, class, category, `.`) is resolved, with its flags (IGNORECASE, ASCII, DOTALL),
into an explicit set of code points by running Python's `re` over every code point, so
Unicode-version and case-folding details are Python's, not Rust's.
"""

import argparse
import gzip
import json
import os
import re
import re._compiler as sre_compile
import re._constants as C
import re._parser as sre_parse
import sys

import spacy
from spacy.symbols import ORTH
from spacy.tokenizer import Tokenizer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CRATE = os.path.join(ROOT, "crates", "thresher-tokenize")

# spaCy languages whose blank pipeline is not the rule-based Tokenizer (external segmenters).
NOT_RULE_BASED = {"ja", "zh", "vi", "ko", "th"}

ALL_CHARS = "".join(map(chr, range(0x110000)))

_set_cache = {}


def char_set(node, flags):
    """Code points matched by one single-character node, as [lo, hi, lo, hi, ...]."""
    key = (repr(node), flags)
    hit = _set_cache.get(key)
    if hit is not None:
        return hit
    state = sre_parse.State()
    state.flags = flags
    sub = sre_parse.SubPattern(state, [node])
    pat = sre_compile.compile(sub, flags)
    ranges = []
    for m in pat.finditer(ALL_CHARS):
        c = m.start()
        if ranges and ranges[-1] == c - 1:
            ranges[-1] = c
        else:
            ranges.extend((c, c))
    _set_cache[key] = ranges
    return ranges


class Lowerer:
    """Turns a parsed `re` pattern into nested JSON lists the Rust matcher reads."""

    def __init__(self):
        self.sets = []
        self.set_ids = {}

    def set_id(self, ranges):
        k = tuple(ranges)
        i = self.set_ids.get(k)
        if i is None:
            i = len(self.sets)
            self.sets.append(ranges)
            self.set_ids[k] = i
        return i

    def seq(self, items, flags):
        return [self.node(op, av, flags) for op, av in items]

    def node(self, op, av, flags):
        if op in (C.LITERAL, C.NOT_LITERAL, C.IN, C.ANY, C.CATEGORY):
            return ["s", self.set_id(char_set((op, av), flags))]
        if op is C.BRANCH:
            return ["b", [self.seq(alt, flags) for alt in av[1]]]
        if op is C.SUBPATTERN:
            _group, add, dele, p = av
            return ["c", self.seq(p, (flags | add) & ~dele)]
        if op in (C.MAX_REPEAT, C.MIN_REPEAT):
            lo, hi, p = av
            return ["r", lo, -1 if hi is C.MAXREPEAT else hi, 1 if op is C.MAX_REPEAT else 0, self.seq(p, flags)]
        if op in (C.ASSERT, C.ASSERT_NOT):
            direction, p = av
            lo, hi = p.getwidth()
            if direction < 0 and lo != hi:
                raise ValueError("variable-width lookbehind")
            return ["l", direction, 1 if op is C.ASSERT_NOT else 0, lo, self.seq(p, flags)]
        if op is C.AT:
            return ["a", self.at(av, flags)]
        raise ValueError(f"unsupported regex construct {op} {av!r}")

    def at(self, code, flags):
        multi = flags & re.MULTILINE
        ascii_ = flags & re.ASCII
        if code is C.AT_BEGINNING:
            return "bol" if multi else "bos"
        if code is C.AT_BEGINNING_STRING:
            return "bos"
        if code is C.AT_END:
            return "eol" if multi else "eos_nl"
        if code is C.AT_END_STRING:
            return "eos"
        if code in (C.AT_BOUNDARY, C.AT_NON_BOUNDARY):
            word = self.set_id(char_set((C.IN, [(C.CATEGORY, C.CATEGORY_WORD)]), flags))
            kind = "wb" if code is C.AT_BOUNDARY else "nwb"
            return f"{kind}{'a' if ascii_ else ''}:{word}"
        raise ValueError(f"unsupported anchor {code}")

    def regex(self, fn):
        if fn is None:
            return None
        pat = getattr(fn, "__self__", None)
        if not isinstance(pat, re.Pattern):
            raise ValueError(f"not a compiled regex method: {fn!r}")
        parsed = sre_parse.parse(pat.pattern, pat.flags)
        flags = pat.flags | parsed.state.flags
        return {"method": fn.__name__, "alts": self.top_alts(parsed, flags)}

    def top_alts(self, parsed, flags):
        """The top-level alternatives: the Rust side scans them one by one, in order."""
        items = list(parsed)
        if len(items) == 1 and items[0][0] is C.BRANCH:
            return [self.seq(alt, flags) for alt in items[0][1][1]]
        return [self.seq(items, flags)]


def plain_tokenizer(nlp):
    """The same affix rules with no special cases: spaCy's `_tokenize_affixes(s, False)`."""
    t = nlp.tokenizer
    return Tokenizer(
        nlp.vocab,
        rules={},
        prefix_search=t.prefix_search,
        suffix_search=t.suffix_search,
        infix_finditer=t.infix_finditer,
        token_match=t.token_match,
        url_match=t.url_match,
    )


def export_language(code):
    nlp = spacy.blank(code)
    t = nlp.tokenizer
    if type(t) is not Tokenizer:
        raise ValueError(f"{code}: tokenizer is {type(t).__name__}, not the rule-based Tokenizer")
    if not t.faster_heuristics:
        raise ValueError(f"{code}: faster_heuristics is off")
    low = Lowerer()
    out = {
        "lang": code,
        "spacy_version": spacy.__version__,
        "prefix": low.regex(t.prefix_search),
        "suffix": low.regex(t.suffix_search),
        "infix": low.regex(t.infix_finditer),
        "token_match": low.regex(t.token_match),
        "url_match": low.regex(t.url_match),
    }
    rules = {}
    for key, subs in sorted(t.rules.items()):
        orths = [s[ORTH] if ORTH in s else s["ORTH"] for s in subs]
        assert "".join(orths) == key
        rules[key] = orths
    out["rules"] = rules
    # Special cases that spaCy also re-finds after affix splitting (Tokenizer.add_special_case
    # with faster_heuristics): the token sequence each one is matched as.
    plain = plain_tokenizer(nlp)
    matcher = {}
    for key in rules:
        if t.find_prefix(key) or t.find_infix(key) or t.find_suffix(key) or " " in key:
            matcher[key] = [tok.text for tok in plain(key)]
    out["matcher"] = matcher
    out["sets"] = low.sets
    return out


def datatrove_assignments():
    from datatrove.utils.word_tokenizers import load_tokenizer_assignments

    out = {}
    for key, factory in sorted(load_tokenizer_assignments().items()):
        cls, arg = factory.args
        out[key] = [cls, arg or ""]
    return out


def write_gz(path, obj):
    data = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()
    with open(path, "wb") as f:
        # mtime=0 keeps the output byte-identical between runs
        with gzip.GzipFile(fileobj=f, mode="wb", compresslevel=9, mtime=0) as g:
            g.write(data)
    return len(data)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--langs", help="comma-separated spaCy codes (default: all datatrove uses)")
    args = ap.parse_args()

    assign = datatrove_assignments()
    if args.langs:
        langs = sorted(args.langs.split(","))
    else:
        langs = sorted({arg for cls, arg in assign.values() if cls == "SpaCyTokenizer" and arg} | {"xx"})
        langs = [c for c in langs if c not in NOT_RULE_BASED]

    data_dir = os.path.join(CRATE, "data")
    spacy_dir = os.path.join(data_dir, "spacy")
    os.makedirs(spacy_dir, exist_ok=True)

    isspace = [c for c in range(0x110000) if chr(c).isspace()]
    common = {
        "spacy_version": spacy.__version__,
        "python_version": sys.version.split()[0],
        "isspace": isspace,
        "assignments": assign,
        "rule_based": langs,
    }
    write_gz(os.path.join(data_dir, "common.json.gz"), common)

    for code in langs:
        n = write_gz(os.path.join(spacy_dir, f"{code}.json.gz"), export_language(code))
        print(f"{code}: {n} bytes of JSON", file=sys.stderr)

    rs = [
        "// @generated by scripts/export_spacy_tokenizer.py: do not edit.",
        "",
        "/// spaCy languages with exported rule-based tokenizer data, with their gzipped JSON.",
        "pub(crate) static SPACY_LANGS: &[(&str, &[u8])] = &[",
    ]
    for code in langs:
        rs.append(f'    ("{code}", include_bytes!("../data/spacy/{code}.json.gz")),')
    rs += ["];", ""]
    with open(os.path.join(CRATE, "src", "spacy_data.rs"), "w") as f:
        f.write("\n".join(rs))


if __name__ == "__main__":
    main()
