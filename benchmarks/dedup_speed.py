"""Grouping syndicated copies: speed and memory on 100,000 articles, next to an exact-hash baseline.

    python benchmarks/dedup_speed.py [--articles 100000] [--repeats 3]

The corpus (generated once per run, fixed seed): news-like articles written by a word-bigram
model trained on the shared corpora's texts (../shared/corpora: LGL, GeoVirus, TR-News,
WikToR), 4-6 paragraphs of 2-3 sentences of 20 words, so that independent articles share common phrases
as real reporting does; 10% of them are syndicated copies of another one, changed the ways
tests/fixtures/stories/pairs.py changes a story (new lede, copy-edits, trimmed, extended,
another site's furniture, reordered, combined). All articles go into a SQLite store through
geodata.store.Store, ungrouped.

Measured, each in a fresh process on its own copy of that store, interleaved in rounds:
- ours: `geodata.stories.group(store)`, the same incremental grouping ingest runs (each
  article is looked up against all before it and joins or starts a story; 500 a transaction);
- baseline: the plain exact-hash grouping (a SHA-1 of the article's folded words; an article
  with a known hash joins that story), same batches, same store, its keys in a table too.
Figures: articles per second (wall time of the grouping alone), peak resident memory of the
worker, the index's size in the store, and how many of the injected copies each one grouped.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `geodata` from this checkout
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "stories"))

from benchmarks.common import (  # noqa: E402
    SHARED, emit, median, peak_rss_mb, run_worker, spread, table, write_results,
)

SCRIPT = Path(__file__).resolve()
SEED = 20200120
COPY_SHARE = 0.10


# --------------------------------------------------------------------------- the corpus


class _Bigrams:
    """A word-bigram model of the shared corpora's texts, sampled for many sentences at once
    (numpy over a CSR table of each word's followers: a Python loop per word took half an hour
    for 100,000 articles)."""

    def __init__(self):
        import re

        import numpy as np

        ids: dict[str, int] = {}
        pairs: list[tuple[int, int]] = []
        for path in sorted((SHARED / "corpora").glob("*.jsonl")):
            if path.name == "lgl.coords_only.jsonl":
                continue
            for line in path.open(encoding="utf-8"):
                words = [ids.setdefault(w, len(ids)) for w in re.findall(r"[A-Za-z][\w'-]*|\d+", json.loads(line)["text"])]
                pairs += zip(words, words[1:])
        self.words = np.array(list(ids), dtype=object)
        order = np.array(pairs, dtype=np.int64)
        order = order[np.argsort(order[:, 0], kind="stable")]
        self.follow = order[:, 1]
        counts = np.bincount(order[:, 0], minlength=len(ids))
        self.start = np.concatenate([[0], np.cumsum(counts)[:-1]])
        self.count = counts
        self.starts = np.array([i for w, i in ids.items() if w[0].isupper() and counts[i]], dtype=np.int64)

    def sentences(self, rng, n: int, length: int = 20) -> list[str]:
        import numpy as np

        state = self.starts[rng.integers(0, len(self.starts), n)]
        out = np.empty((n, length), dtype=np.int64)
        for step in range(length):
            out[:, step] = state
            dead = self.count[state] == 0
            state = np.where(dead, self.starts[rng.integers(0, len(self.starts), n)],
                             self.follow[self.start[state] + (rng.random(n) * np.maximum(self.count[state], 1)).astype(np.int64)])
        return [" ".join(row) + "." for row in self.words[out]]


def write_corpus(path: Path, n: int) -> dict:
    """The store of n articles, 10% of them copies; returns {copy id: original id}."""
    import numpy as np
    from pairs import variants

    from geodata.model import Article
    from geodata.store import Store

    rng = random.Random(SEED)
    model = _Bigrams()
    pool = iter(model.sentences(np.random.default_rng(SEED), n * 16))  # at most 6 paragraphs of 3 sentences: enough
    originals = int(n * (1 - COPY_SHARE))
    copies: dict[str, str] = {}
    texts: list[str] = []
    with Store(path) as store:
        batch = []
        for i in range(n):
            if i < originals:
                paragraphs = [" ".join(next(pool) for _ in range(rng.randint(2, 3)))
                              for _ in range(rng.randint(4, 6))]
                text = "\n\n".join(paragraphs)
                aid = f"a{i}"
            else:
                source = rng.randrange(originals)
                story = {"town": "Idlib", "paragraphs": texts[source].split("\n\n")}
                text = rng.choice(list(variants(story).values()))
                aid = f"c{i}"
                copies[aid] = f"a{source}"
            texts.append(text)
            batch.append((Article(id=aid, title=aid, text=text, source="bench", url=""), []))
            if len(batch) == 2000:
                store.add_many(batch)
                batch = []
        store.add_many(batch)
    return copies


# --------------------------------------------------------------------------- the two groupings


def exact_group(store, batch: int = 500) -> list[tuple[str, str]]:
    """The baseline: an article whose folded words hash like a stored one's joins its story."""
    from geodata.stories import words

    store.conn.execute("CREATE TABLE IF NOT EXISTS exact_keys (hash TEXT PRIMARY KEY, story_id TEXT NOT NULL)")
    store.conn.execute("CREATE TABLE IF NOT EXISTS exact_members (article_id TEXT PRIMARY KEY, story_id TEXT)")
    done = []
    while True:  # the articles not grouped yet, oldest first, as geodata.stories.ungrouped reads them
        todo = store.conn.execute(
            """SELECT a.id, a.text FROM articles a LEFT JOIN exact_members m ON m.article_id = a.id
               WHERE m.article_id IS NULL ORDER BY a.added_at, a.id LIMIT :n""", {"n": batch}).fetchall()
        if not todo:
            return done
        with store.transaction() as conn:
            for aid, text in todo:
                key = hashlib.sha1(" ".join(words(text)).encode()).hexdigest()
                row = conn.execute("SELECT story_id FROM exact_keys WHERE hash = :h", {"h": key}).fetchone()
                story = row[0] if row else aid
                if row is None:
                    conn.execute("INSERT INTO exact_keys (hash, story_id) VALUES (:h, :s)", {"h": key, "s": aid})
                conn.execute("INSERT INTO exact_members (article_id, story_id) VALUES (:a, :s)", {"a": aid, "s": story})
                done.append((aid, story))


def worker(task: str, store_path: str, copies_path: str) -> None:
    from geodata import stories
    from geodata.store import Store

    copies = json.loads(Path(copies_path).read_text())
    with Store(store_path) as store:
        n = store.conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        started = time.perf_counter()
        if task == "ours":
            pairs = [(g.article_id, g.story_id) for g in stories.group(store)]
            tables = ("story_members", "story_keys")
        else:
            pairs = exact_group(store)
            tables = ("exact_members", "exact_keys")
        elapsed = time.perf_counter() - started
        story = dict(pairs)
        found = sum(story[c] == story[o] for c, o in copies.items())
        try:
            size = sum(store.conn.execute("SELECT sum(pgsize) FROM dbstat WHERE name LIKE :t || '%'", {"t": t})
                       .fetchone()[0] or 0 for t in tables)
        except sqlite3.Error:  # an SQLite without the dbstat table
            size = 0
    emit({"articles": n, "seconds": elapsed, "per_s": n / elapsed, "rss_mb": peak_rss_mb(),
          "copies_found": found, "copies": len(copies), "index_mb": size / 1024 / 1024})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=100_000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--worker", nargs=3, metavar=("TASK", "STORE", "COPIES"))
    args = ap.parse_args()
    if args.worker:
        worker(*args.worker)
        return
    with tempfile.TemporaryDirectory(prefix="placewire-dedup-") as tmp:
        base = Path(tmp) / "base.sqlite"
        started = time.perf_counter()
        copies = write_corpus(base, args.articles)
        (Path(tmp) / "copies.json").write_text(json.dumps(copies))
        print(f"corpus: {args.articles} articles ({len(copies)} copies) written in "
              f"{time.perf_counter() - started:.0f} s", file=sys.stderr)
        results: dict[str, list[dict]] = {"ours": [], "baseline": []}
        for round_ in range(args.repeats):
            for task in ("ours", "baseline"):
                store = Path(tmp) / f"{task}.sqlite"
                shutil.copy(base, store)
                results[task].append(run_worker(SCRIPT, task, str(store), str(Path(tmp) / "copies.json"),
                                                timeout=7200))
                store.unlink()
                r = results[task][-1]
                print(f"round {round_ + 1} {task}: {r['per_s']:.0f} articles/s, {r['rss_mb']:.0f} MB",
                      file=sys.stderr)
    rows = []
    for task, label in (("ours", "shingles + bottom-k index + containment (geodata.stories)"),
                        ("baseline", "exact hash of the folded words")):
        rs = results[task]
        rows.append([label, spread([r["per_s"] for r in rs], "{:.0f}"), spread([r["rss_mb"] for r in rs], "{:.0f}"),
                     f"{median([r['index_mb'] for r in rs]):.1f}",
                     f"{rs[0]['copies_found']} of {rs[0]['copies']} ({100 * rs[0]['copies_found'] / rs[0]['copies']:.1f}%)"])
    ratio = median([o["per_s"] / b["per_s"] for o, b in zip(results["ours"], results["baseline"])])
    body = table(["grouping", "articles/s, median (min-max)", "peak RSS MB", "index in the store, MB",
                  "injected copies grouped"], rows)
    body += (f"\n\n{args.articles} articles ({int(args.articles * COPY_SHARE)} syndicated copies), {args.repeats} "
             f"rounds, each grouping in a fresh process on a fresh copy of the store. Ours runs at "
             f"{ratio:.2f}x the baseline's rate (median of the rounds' ratios); the baseline finds only "
             "copies whose words are identical.\n")
    write_results("dedup_speed", "Syndicated copies: grouping speed and memory",
                  f"python benchmarks/dedup_speed.py --articles {args.articles} --repeats {args.repeats}", body)


if __name__ == "__main__":
    main()
