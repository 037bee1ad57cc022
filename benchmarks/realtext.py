"""A corpus of real-text articles at any size, made from the shared corpora's news and Wikipedia texts.

    python benchmarks/realtext.py OUT_DIR --articles 200000

Each article joins two runs of consecutive sentences, each from a text of LGL, TR-News,
GeoVirus or WikToR (../shared/corpora), so its place names are real reporting's and its
context holds together; about 14 mentions an article, as the issue's measurements had.
Deterministic: one seed, the same arguments give the same files, byte for byte. Written as
JSON lines the CLI reads (title, date, source, text; no url, so the id is the text's hash),
2,000 articles a file (about 4 MB, under the ingest's 20 MB file limit), in order:
part-00000.jsonl, part-00001.jsonl, ...
"""
from __future__ import annotations

import argparse
import json
import random
import re
import sys
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `benchmarks` from this checkout

from benchmarks.common import SHARED  # noqa: E402

SEED = 20130315
PER_FILE = 2_000
SOURCES = ("lgl.jsonl", "trnews.jsonl", "geovirus.jsonl", "wiktor.jsonl")
_OUTLETS = ("Reuters", "AP", "AFP", "Al Jazeera", "Enab Baladi", "SANA", "Syria Direct", "BBC",
            "The Guardian", "Middle East Eye", "Anadolu", "Local paper")
# A sentence ends at . ! ? before a capital (a rough split: only where runs are cut matters)
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“])")
# sentences per run: tuned so that an article holds about 14 mentions (13.8 found in the first
# 2,000 articles)
RUN = (4, 9)


def _texts(corpora: Path) -> list[list[str]]:
    """Every text of the shared corpora, as its list of sentences (short texts dropped)."""
    docs = []
    for name in SOURCES:
        with open(corpora / name, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    sentences = [s.strip() for s in _SENTENCE.split(json.loads(line)["text"])
                                 if s.strip()]
                    if len(sentences) >= 2:
                        docs.append(sentences)
    return docs


def articles(n: int, corpora: Path = SHARED / "corpora", seed: int = SEED):
    """The first `n` articles, as the dicts the JSON lines hold."""
    rng = random.Random(seed)
    docs = _texts(corpora)
    start = date(2015, 1, 1)
    for i in range(n):
        paragraphs = []
        for _ in range(2):
            doc = rng.choice(docs)
            size = min(len(doc), rng.randint(*RUN))
            at = rng.randrange(len(doc) - size + 1)
            paragraphs.append(" ".join(doc[at:at + size]))
        # a number the texts never hold keeps two draws of the same runs apart
        text = "\n\n".join(paragraphs) + f"\n\n(Report {i}.)"
        yield {"title": f"Report {i}: {paragraphs[0][:60]}", "source": rng.choice(_OUTLETS),
               "date": (start + timedelta(days=rng.randrange(3 * 365))).isoformat(), "text": text}


def write(out: Path, n: int, corpora: Path = SHARED / "corpora", seed: int = SEED) -> list[Path]:
    """Write the corpus's files into `out` (made if missing); returns them, in order."""
    out.mkdir(parents=True, exist_ok=True)
    files, f = [], None
    try:
        for i, article in enumerate(articles(n, corpora, seed)):
            if i % PER_FILE == 0:
                if f:
                    f.close()
                files.append(out / f"part-{i // PER_FILE:05d}.jsonl")
                f = open(files[-1], "w", encoding="utf-8")
            f.write(json.dumps(article, ensure_ascii=False) + "\n")
    finally:
        if f:
            f.close()
    return files


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--articles", type=int, default=10_000)
    args = ap.parse_args()
    files = write(args.out, args.articles)
    print(f"{args.articles} articles in {len(files)} files under {args.out}")


if __name__ == "__main__":
    main()
