"""Precision and recall of loanword mining on glossary pairs held out of training.

Run from the repository root after building an index of the corpus::

    .venv/bin/python bench/evaluate_transliteration.py --index bench/out/index-...

A fifth of the Hangul words of the glossary's one-word pairs is held out; the spelling model
is trained on the rest and mines the held-out words against every English word of the
collection, with and without the check the build applies (the loanword and its English
share papers more often than chance). A mined pair is correct when the glossary glosses that word with that English
term. Recall counts every held-out gloss, translations (환각 / hallucination) included, so
it is a lower bound of the recall on loanwords; precision is a lower bound too, since a
correct spelling the digests never glossed (마스킹 -> mask) counts as wrong.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from searchidx.glossary import load_glossary
from searchidx.index import current_generation
from searchidx.translations import glossary_pairs, load_counts
from searchidx.transliterate import LetterModel, held_out_check


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", type=Path, required=True, help="a searchidx index of the corpus")
    parser.add_argument("--scores", default="-2,-2.5,-3,-3.5,-4", help="thresholds to try")
    args = parser.parse_args(argv)
    generation = current_generation(args.index)
    counts = load_counts(generation)
    if counts is None:
        raise SystemExit(f"error: no translation counts in {generation}")
    _, words = counts.vocabulary()
    pairs = glossary_pairs(load_glossary(generation))
    print(f"{len(pairs)} one-word glossary pairs, {len(words)} English words")
    print("| min score | shared papers checked | held-out glosses | mined | correct | precision | recall |")
    print("|---|---|---|---|---|---|---|")
    for score in (float(s) for s in args.scores.split(",")):
        for select, name in ((None, "no"), (counts.spellings, "yes")):
            check = held_out_check(pairs, LetterModel(words), words, words, min_score=score, select=select)
            print(f"| {score:g} | {name} | {check.pairs} | {check.predicted} | {check.correct} | "
                  f"{check.precision:.3f} | {check.recall:.3f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
