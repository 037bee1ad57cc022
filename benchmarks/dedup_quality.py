"""How well "same story" is told: precision and recall on the written pairs, per threshold.

    python benchmarks/dedup_quality.py

The pairs are tests/fixtures/stories (pairs.py builds them from base.yaml): copies of a story as
syndication changes it, and different stories, the hardest on the same town and day. Each text
goes through the loader's body cleaning first (geodata.articles.clean_paragraphs), as a stored
article has. Printed:
- precision and recall of geodata.stories' rule at each containment threshold, with and without
  its two checks (the numbers agree, the lede is kept), the chosen threshold marked;
- whether the candidate search finds each copy pair at all: ours (the bottom-k anchors) next
  to MinHash-LSH on Jaccard (datasketch, 128 permutations, at the thresholds its users pick);
- on real reporting of different stories (../shared/corpora: LGL, GeoVirus, TR-News, WikToR),
  how many articles our grouping puts into another's story (each one listed for a look: the
  corpora hold a few true duplicates).
"""
from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "stories"))

from benchmarks.common import SHARED, table, write_results  # noqa: E402
from geodata import stories  # noqa: E402
from geodata.articles import clean_paragraphs  # noqa: E402

THRESHOLDS = (0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7, 0.8)


def _stored(text: str) -> str:
    return "\n\n".join(clean_paragraphs(text))


def rule_table(pairs) -> str:
    prints = [(p, stories.fingerprint(_stored(p.a)), stories.fingerprint(_stored(p.b))) for p in pairs]
    copies = sum(p.same for p in pairs)
    rows = []
    for t in THRESHOLDS:
        row = [f"{t:.2f}" + (" (chosen)" if t == stories.THRESHOLD else "")]
        for checks in (True, False):
            said = []
            for p, a, b in prints:
                score, shared = stories.containment(a.shingles, b.shingles)
                same = score >= t and (shared >= stories.MIN_SHARED or a.shingles == b.shingles)
                if checks:
                    same = same and stories.numbers_agree(a, b) and stories.lede_kept(a, b)
                said.append((p, same))
            tp = sum(1 for p, s in said if s and p.same)
            fp = sum(1 for p, s in said if s and not p.same)
            row += [f"{tp / max(1, tp + fp):.3f}", f"{tp / copies:.3f}", str(fp)]
        rows.append(row)
    return table(["containment threshold", "precision", "recall", "false groupings",
                  "precision, containment alone", "recall, containment alone",
                  "false groupings, containment alone"], rows)


def candidate_table(pairs) -> str:
    from datasketch import MinHash, MinHashLSH

    copies = [p for p in pairs if p.same]
    ours = 0
    for p in copies:
        a, b = stories.fingerprint(_stored(p.a)).shingles, stories.fingerprint(_stored(p.b)).shingles
        # stored a, new b: a's anchors among b's LOOKUP smallest (and the other way round)
        ours += bool(set(stories.anchors(a)) & set(sorted(b)[:stories.LOOKUP])) and bool(
            set(stories.anchors(b)) & set(sorted(a)[:stories.LOOKUP]))
    rows = [["bottom-k anchors in the store (geodata.stories)", f"{ours / len(copies):.3f}"]]
    for threshold in (0.3, 0.5, 0.8):
        found = 0
        for p in copies:
            sketches = []
            for text in (p.a, p.b):
                m = MinHash(num_perm=128, seed=1)
                m.update_batch([" ".join(w).encode() for w in _grams(_stored(text))])
                sketches.append(m)
            lsh = MinHashLSH(threshold=threshold, num_perm=128)
            lsh.insert("a", sketches[0])
            found += bool(lsh.query(sketches[1]))
        rows.append([f"MinHash-LSH on Jaccard (datasketch), threshold {threshold}", f"{found / len(copies):.3f}"])
    return table(["candidate search", "copy pairs found"], rows)


def _grams(text: str):
    for paragraph in stories.reporting(text):
        w = stories.words(paragraph)
        yield from (w[i:i + stories.SHINGLE] for i in range(max(1, len(w) - stories.SHINGLE + 1)))


def corpus_check() -> tuple[str, int, int]:
    from geodata.model import Article
    from geodata.store import Store

    texts = []
    for name in ("lgl.jsonl", "geovirus.jsonl", "trnews.jsonl", "wiktor.jsonl"):
        for i, line in enumerate(open(SHARED / "corpora" / name, encoding="utf-8")):
            texts.append((f"{name}:{i}", json.loads(line)["text"]))
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "s.sqlite") as store:
        store.add_many([(Article(id=i, title=i, text=t), []) for i, t in texts])
        grouped = [g for g in stories.group(store) if g.match]
    text = dict(texts)
    rows = [[g.article_id, g.match, f"{g.score:.2f}", text[g.article_id][:70].replace("|", "/").replace("\n", " ")]
            for g in grouped]
    return table(["article", "grouped with", "containment", "its opening"], rows), len(grouped), len(texts)


def main() -> None:
    from pairs import pairs as make_pairs

    pairs = make_pairs()
    copies = sum(p.same for p in pairs)
    listing, grouped, total = corpus_check()
    body = (f"{len(pairs)} pairs: {copies} copies, {len(pairs) - copies} different stories "
            f"({sum('same town' in p.kind for p in pairs)} of them on the same town and day).\n\n"
            f"## The rule (shingles of {stories.SHINGLE} words, at least {stories.MIN_SHARED} shared, "
            f"half the numbers and {stories.LEDE_SHARE:.0%} of the lede kept)\n\n"
            + rule_table(pairs) + "\n\n## Finding the candidates\n\n" + candidate_table(pairs)
            + f"\n\n## Real reporting: {grouped} of {total} different articles grouped with another\n\n" + listing)
    write_results("dedup_quality", "Syndicated copies: precision and recall of \"same story\"",
                  "python benchmarks/dedup_quality.py", body)


if __name__ == "__main__":
    main()
