"""Corpora for the page benchmark, written through the store.

`generate`: N articles naming M places. Deterministic (one seed): the same arguments give the
same store, so runs compare. Place names are made of Levantine-sounding syllables, placed over
Syria and its neighbours with a few governorates and countries among them; how often a place is
named follows a Zipf law, as in real reporting (a few places everywhere, most rarely). Dates span
three years, a few unknown. The store is written with geodata.store.Store, exactly as the CLI's
ingest writes it.

`real`: N articles made of the shared corpora's real texts (LGL, TR-News, GeoVirus, WikToR: news
and Wikipedia leads, about 14 place names each), parsed by the real geoparser through
geodata.ingest, the CLI's own loop; dates and sources assigned as above.
"""
from __future__ import annotations

import json
import random
from datetime import date, timedelta
from pathlib import Path

from geodata.model import Article, Mention, Place
from geodata.store import Store

REAL_TEXTS = ("lgl.jsonl", "trnews.jsonl", "geovirus.jsonl", "wiktor.jsonl")

SEED = 20200112
_PREFIXES = ["", "", "", "", "Tal ", "Khan ", "Kafr ", "Deir ", "Jisr ", "Ain ", "Maarat ", "Bab ", "al-"]
_SYLLABLES = "sar qeb mas rin hal ab ar iha dar at nab zaw iya kur ful tum sal qin mar ash jab ham bin tar".split()
_KINDS = [("city", 0.93), ("admin2", 0.03), ("admin1", 0.03), ("country", 0.01)]
_SOURCES = ["Reuters", "AP", "AFP", "Al Jazeera", "The Moscow Times", "Enab Baladi", "SANA", "Syria Direct",
            "The Guardian", "BBC", "Middle East Eye", "Anadolu"]
_WITH_PLACES = [
    "Shelling hit {0} and {1} on Sunday, residents said.",
    "Fighters moved from {0} towards {1} overnight.",
    "Aid convoys reached {0} after days of waiting.",
    "Thousands fled {0} for camps near {1}.",
    "Air strikes on {0} killed at least seven people, a monitor said.",
    "The road between {0} and {1} was cut again.",
]
_WITHOUT = [
    "The monitor said the toll was likely to rise.",
    "Officials did not respond to requests for comment.",
    "The ceasefire announced last week has not held.",
    "Hospitals in the area are running short of fuel and medicine.",
    "Witnesses described columns of smoke over the town.",
]


def _names(rng: random.Random, n: int) -> list[str]:
    names: set[str] = set()
    out = []
    while len(out) < n:
        root = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
        name = rng.choice(_PREFIXES) + root
        if name not in names:
            names.add(name)
            out.append(name)
    return out


def places(rng: random.Random, n: int) -> list[Place]:
    kinds = rng.choices([k for k, _ in _KINDS], weights=[w for _, w in _KINDS], k=n)
    return [
        Place(id=f"bench:{i}", name=name, kind=kind, country="SY",
              lat=round(rng.uniform(32.3, 37.3), 5), lon=round(rng.uniform(35.7, 42.3), 5))
        for i, (name, kind) in enumerate(zip(_names(rng, n), kinds))
    ]


def _sentence(rng: random.Random, pool: list[Place], weights: list[float]) -> tuple[str, list[tuple[int, Place]]]:
    """A sentence and the places it names, as (offset in the sentence, place)."""
    if rng.random() >= 0.4:
        return rng.choice(_WITHOUT), []
    template = rng.choice(_WITH_PLACES)
    head, *rest = template.split("{")
    sentence, named = head, []
    for piece, place in zip(rest, rng.choices(pool, weights=weights, k=len(rest))):
        named.append((len(sentence), place))
        sentence += place.name + piece.split("}", 1)[1]
    return sentence, named


def article(rng: random.Random, i: int, pool: list[Place], weights: list[float], start: date,
            always: Place | None = None) -> tuple[Article, list[Mention]]:
    """One article of 12 sentences, about 40% naming places (and `always` in the last one)."""
    sentences = [_sentence(rng, pool, weights) for _ in range(12)]
    if always is not None:
        sentences.append((f"Reports also came from {always.name}.", [(23, always)]))
    text, mentions = "", []
    for sentence, named in sentences:
        text += " " if text else ""
        at = len(text)
        text += sentence
        mentions += [
            Mention(at + off, at + off + len(p.name), p.name, at, len(text), norm=p.name.lower(),
                    context="SY", place=p, score=round(rng.uniform(0.5, 1.0), 2))
            for off, p in named
        ]
    day = None if rng.random() < 0.03 else (start + timedelta(days=rng.randrange(3 * 365))).isoformat()
    url = f"https://example.org/bench/{i}"
    title = f"Report {i}: {mentions[0].surface if mentions else 'the north'}"
    return Article(id=url, title=title, text=text, source=rng.choice(_SOURCES), url=url, date=day,
                   origin="benchmarks/corpus.py"), mentions


def generate(db: Path, n_articles: int = 10_000, n_places: int = 2_000, seed: int = SEED) -> dict:
    """Write the corpus into a new store at `db`; return its counts. Every place is named at least once."""
    rng = random.Random(seed)
    pool = places(rng, n_places)
    weights = [1 / (rank + 1) ** 1.1 for rank in range(n_places)]
    with Store(db) as store:
        batch = []
        for i in range(n_articles):
            batch.append(article(rng, i, pool, weights, date(2019, 1, 1), pool[i] if i < n_places else None))
            if len(batch) == 500:
                store.add_many(batch)
                batch.clear()
        store.add_many(batch)
        return store.counts()


def real(db: Path, corpora: Path, n_articles: int = 10_000, seed: int = SEED) -> dict:
    """Write N articles of the shared corpora's texts (taken in turn, again when they run out)
    into a new store at `db`, parsed by the real geoparser; return its counts."""
    from geodata.ingest import ingest

    texts = [json.loads(line)["text"] for name in REAL_TEXTS
             for line in (corpora / name).read_text(encoding="utf-8").splitlines() if line.strip()]
    rng = random.Random(seed)
    start = date(2019, 1, 1)

    def articles():
        for i in range(n_articles):
            text = texts[i % len(texts)]
            day = None if rng.random() < 0.03 else (start + timedelta(days=rng.randrange(3 * 365))).isoformat()
            url = f"https://example.org/real/{i}"
            yield Article(id=url, title=f"{text[:70].strip()}…", text=text, source=rng.choice(_SOURCES), url=url,
                          date=day, origin=f"benchmarks/corpus.py real {i}")

    with Store(db) as store:
        ingest(articles(), store, batch=500)
        return store.counts()
