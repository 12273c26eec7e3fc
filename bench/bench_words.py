"""Which words of the collection give no term at all, by the rule that drops them.

Usage: .venv/bin/python bench/bench_words.py [--index PATH] [--corpus DIR] [--top N]

Each distinct word is analysed alone and gets the same terms everywhere, so a content word
that gives no term is lost in every paper and every query. This lists the Hangul words of
the real corpus that give no term, grouped by the rule that drops their first morpheme
(its Kiwi tag, or the stop list that holds it), with how many distinct words and
occurrences each rule drops and its most frequent words, so every rule can be read for
content words it should not drop. Reads the lexicon of an index of the corpus (built into
a temporary directory when ``--index`` is not given).
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from kit.corpus import DEFAULT_CORPUS  # noqa: E402

from searchidx.fields import texts_to_analyze  # noqa: E402
from searchidx.index import current_generation  # noqa: E402
from searchidx.lexicon import LEXICON_FILE, Lexicon  # noqa: E402
from searchidx.parse import parse_paths  # noqa: E402
from searchidx.terms import STOP_STEMS, Morph  # noqa: E402
from searchidx.words import normalize, split_words  # noqa: E402
from searchidx.writer import build  # noqa: E402

_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_CONTENT_TAGS = ("NNG", "NNP", "NNB", "NR", "NP", "XR", "VV", "VA", "VX", "MAG", "MM", "IC", "MAJ", "XSN")


def rule(morphs: tuple[Morph, ...]) -> str:
    """The rule that leaves the word without a term: the tag of its first word-like morpheme."""
    for m in morphs:
        tag = m.tag.split("-")[0]
        if tag not in _CONTENT_TAGS:
            continue
        if tag == "NNB":
            return "NNB one syllable" if len(m.form) == 1 else "NNB function unit"
        if tag in ("VV", "VA", "VX", "NNG", "XR"):
            return f"{tag} stop stem" if m.form in STOP_STEMS else f"{tag} stray particle"
        return tag
    return "particles, endings and signs only"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, help="an index of the corpus (else built)")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--top", type=int, default=12, help="words shown per rule")
    args = parser.parse_args()
    papers = parse_paths([args.corpus]).papers
    occurrences: Counter[str] = Counter(
        word for p in papers for text in texts_to_analyze(p) for _, word in split_words(normalize(text)[0])
    )
    with tempfile.TemporaryDirectory(prefix="searchidx-words-") as tmp:
        index = args.index or Path(tmp) / "index"
        if args.index is None:
            build([args.corpus], index)
        lexicon = Lexicon(current_generation(index) / LEXICON_FILE)
        lost = [word for word, terms in lexicon.vocabulary() if not terms and _HANGUL.search(word)]
        morphs = lexicon.morphs(lost)
        lexicon.close()
    by_rule: dict[str, list[str]] = defaultdict(list)
    for word in lost:
        by_rule[rule(morphs[word])].append(word)
    print(f"{len(occurrences):,} distinct words; {len(lost):,} Hangul words give no term "
          f"({sum(occurrences[w] for w in lost):,} of {sum(occurrences.values()):,} occurrences)\n")
    print("| rule | distinct words | occurrences | most frequent |")
    print("|---|---|---|---|")
    for name, words in sorted(by_rule.items(), key=lambda kv: -sum(occurrences[w] for w in kv[1])):
        top = sorted(words, key=lambda w: (-occurrences[w], w))[: args.top]
        shown = ", ".join(f"{w} {occurrences[w]}" for w in top)
        print(f"| {name} | {len(words):,} | {sum(occurrences[w] for w in words):,} | {shown} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
