"""Syndicated copies: articles that tell the same story, grouped so a story counts once.

A wire story reprinted by forty outlets, with a new headline, a trimmed ending or the site's own
furniture, is one event. Each article's reporting (its paragraphs that are sentences, so link
lists, bylines and breadcrumbs stay out) is cut into overlapping word 5-grams, "shingles".
Two articles are one story when most of the shorter one's shingles are in the other
(containment, so a trimmed or extended copy still matches; a Jaccard measure would not).

Finding the candidates is a bottom-k MinHash sketch in the store: each article's ANCHORS
smallest shingle hashes go into `story_keys`; a new article looks up all of its shingles
there (its LOOKUP smallest: a shared anchor ranks low in both), so any stored article that
shares a good part of it is found with near certainty (missing one that shares half its
shingles takes sixteen misses in a row: p = 0.5^16), in one indexed query whatever the
store's size. Each candidate is then checked exactly. A match joins
the best match's story; no match starts one. Grouping is incremental: it runs at ingest, in
the store's write transaction, and an article already grouped is never regrouped.

Why not MinHash-LSH on Jaccard (datasketch)? It does not find a copy trimmed to half: the
pair's Jaccard is then about 0.3, where banded LSH misses most pairs, and its index lives in
memory or in Redis, not in our store. `benchmarks/dedup_quality.py` measures both on the test
set (tests/fixtures/stories) and prints precision and recall per threshold.
"""
from __future__ import annotations

import heapq
import re
import unicodedata
import zlib
from dataclasses import dataclass
from typing import Iterable

import numpy as np

from geodata import rollup

SHINGLE = 5  # words per shingle: different stories on the same town and day share few 5-grams
ANCHORS = 16  # smallest shingle hashes of each article kept in the index
LOOKUP = 4 * ANCHORS  # smallest shingle hashes of a new article looked up among the anchors
THRESHOLD = 0.45  # containment at or above which two articles are one story (measured)
MIN_SHARED = 12  # ...and at least this many shingles in common: short texts need near-identity
CANDIDATES = 20  # stored articles checked exactly per new article, those sharing most anchors first
COMMON = 20  # a shingle anchoring this many different stories is a stock phrase: no anchor, not looked up
MIN_WORDS = 8  # a paragraph of reporting: a sentence of at least this many words
LEDE_WORDS = 50  # the lede: the reporting's first paragraph, up to this many words
LEDE_SHARE = 0.2  # ...of whose shingles a copy keeps at least this share (measured)

_WORD = re.compile(r"\w+")
_NUMBER = re.compile(r"\d(?:[\d,.]*\d)?")  # 14, 380,000, 95.2
_MARKS = re.compile(r"[\u0300-\u036f]")  # combining accents, after NFKD
_SENTENCE_END = re.compile(r"""[.!?]["'”’)\]]*$""")


def words(text: str) -> list[str]:
    """The text's words, case and accents folded, so typography differences do not count."""
    text = text.casefold()
    if not text.isascii():
        text = _MARKS.sub("", unicodedata.normalize("NFKD", text))
    return _WORD.findall(text)


def reporting(text: str) -> list[str]:
    """The paragraphs that are reporting: those ending as a sentence does, of MIN_WORDS words
    or more. Navigation, "Read more" links, credits and breadcrumbs differ between outlets and
    would make two different stories of one site look alike. A text with no such paragraph
    is taken whole."""
    paragraphs = [p.strip() for p in text.split("\n\n") if p.strip()]
    kept = [p for p in paragraphs if _SENTENCE_END.search(p) and len(p.split()) >= MIN_WORDS]
    return kept or paragraphs


def _hash(text: str) -> int:
    """A signed 64-bit hash of a string (two fast C checksums side by side), for BIGINT columns."""
    data = text.encode("utf-8")
    return ((zlib.crc32(data) << 32) | zlib.adler32(data)) - (1 << 63)


# One odd 64-bit multiplier per position in a shingle: a shingle's hash is the sum of its word
# hashes times these (wrapping), then mixed (the finaliser of MurmurHash3), all in numpy.
_MULTIPLIERS = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9,
                         0xD6E8FEB86659FD93, 0xFF51AFD7ED558CCD], dtype=np.uint64)[:SHINGLE]


_WORD_HASHES: dict[str, int] = {}


def _word_hashes(words: list[str]) -> list[int]:
    """crc32 of each word, remembered (looking words up is faster than hashing; news reuses them)."""
    hashes = list(map(_WORD_HASHES.get, words))
    if None in hashes:
        if len(_WORD_HASHES) > 500_000:
            _WORD_HASHES.clear()
        for i, h in enumerate(hashes):
            if h is None:
                hashes[i] = _WORD_HASHES[words[i]] = zlib.crc32(words[i].encode())
    return hashes


def _mix(h: np.ndarray) -> np.ndarray:
    h ^= h >> np.uint64(33)
    h *= np.uint64(0xFF51AFD7ED558CCD)
    h ^= h >> np.uint64(33)
    h *= np.uint64(0xC4CEB9FE1A85EC53)
    h ^= h >> np.uint64(33)
    return h


@dataclass(frozen=True)
class Fingerprint:
    """What two articles are compared by: their shingles, their lede's, and the numbers they report."""

    shingles: frozenset[int]
    lede: frozenset[int]
    numbers: frozenset[str]


def fingerprint(text: str) -> Fingerprint:
    paragraphs = reporting(text)
    lede = " ".join(paragraphs[0].split()[:LEDE_WORDS]) if paragraphs else ""
    return Fingerprint(shingles(paragraphs), shingles([lede]) if lede else frozenset(),
                       frozenset(_NUMBER.findall(" ".join(paragraphs))))


def shingles(paragraphs: list[str]) -> frozenset[int]:
    """The hashed word 5-grams of the paragraphs, within each (so reordered paragraphs change
    nothing); a paragraph shorter than five words is one shingle."""
    out: set[int] = set()
    for paragraph in paragraphs:
        w = words(paragraph)
        if len(w) <= SHINGLE:
            if w:
                out.add(_hash(" ".join(w)))
            continue
        hashed = np.array(_word_hashes(w), dtype=np.uint64)
        n = len(w) - SHINGLE + 1
        h = hashed[:n] * _MULTIPLIERS[0]
        for j in range(1, SHINGLE):
            h += hashed[j:j + n] * _MULTIPLIERS[j]
        out.update(_mix(h).view(np.int64).tolist())
    return frozenset(out)


def anchors(shingle_set: frozenset[int]) -> list[int]:
    """A shingle set's entry in the index: its ANCHORS smallest hashes (a bottom-k sketch; in the
    store, stock phrases are left out, see _usable)."""
    return heapq.nsmallest(ANCHORS, shingle_set)


def member_key(article_id: str) -> int:
    """An article's number in the index (a hash of its id: 8 bytes a row, not the whole URL)."""
    return _hash(article_id)


def containment(a: frozenset[int], b: frozenset[int]) -> tuple[float, int]:
    """(share of the smaller set found in the other, shingles in common)."""
    if not a or not b:
        return 0.0, 0
    shared = len(a & b)
    return shared / min(len(a), len(b)), shared


def numbers_agree(a: Fingerprint, b: Fingerprint) -> bool:
    """Whether at least half the numbers of the shorter text are in the other. A reprint keeps
    the death toll and the date; two bulletins from one template differ in them."""
    small, large = (a, b) if len(a.shingles) <= len(b.shingles) else (b, a)
    return not small.numbers or 2 * len(small.numbers & large.numbers) >= len(small.numbers)


def lede_kept(a: Fingerprint, b: Fingerprint) -> bool:
    """Whether the shorter text's lede is, in part at least, in the other. A copy keeps the top
    of the story (trims cut the end); a story on another event that reuses this one's background
    paragraphs word for word opens with its own news."""
    small, large = (a, b) if len(a.shingles) <= len(b.shingles) else (b, a)
    return not small.lede or len(small.lede & large.shingles) >= LEDE_SHARE * len(small.lede)


def same_story(a: Fingerprint, b: Fingerprint, threshold: float = THRESHOLD) -> bool:
    """Whether two articles are copies of one story (the measured rule)."""
    score, shared = containment(a.shingles, b.shingles)
    return (score >= threshold and (shared >= MIN_SHARED or a.shingles == b.shingles)
            and numbers_agree(a, b) and lede_kept(a, b))


# ---------------------------------------------------------------------------------------------
# The index in the store (tables story_members and story_keys; see schema.sql)


@dataclass(frozen=True)
class Grouped:
    """Where one article went: its story (the id of the story's first article) and its best match."""

    article_id: str
    story_id: str
    match: str | None = None  # the stored copy it matched; None when it starts a story or was grouped
    score: float = 0.0


def assign(conn, articles: Iterable[tuple[str, str]]) -> list[Grouped]:
    """Group each (article id, text) with the stored articles; call inside a write transaction.

    Articles of one batch see each other (a feed round often brings several copies at once). An
    article already grouped keeps its story.
    """
    out = []
    for article_id, text in articles:
        known = conn.execute("SELECT story_id FROM story_members WHERE article_id = :id",
                             {"id": article_id}).fetchone()
        if known is not None:
            out.append(Grouped(article_id, known[0]))
            continue
        own = fingerprint(text)
        keys = _usable(conn, heapq.nsmallest(LOOKUP, own.shingles))  # sorted, stock phrases out
        best = _best_match(conn, own, keys)
        story = best[1] if best else article_id
        member = member_key(article_id)
        conn.execute("INSERT INTO story_members (article_id, member, story_id, size) VALUES (:id, :m, :s, :n)",
                     {"id": article_id, "m": member, "s": story, "n": len(own.shingles)})
        conn.executemany("INSERT INTO story_keys (shingle, member) VALUES (:k, :m)",
                         [{"k": key, "m": member} for key in keys[:ANCHORS]])
        out.append(Grouped(article_id, story, best[0] if best else None, best[2] if best else 0.0))
    stand(conn, {g.story_id for g in out if g.match is not None})
    return out


# The order of a story's copies (`sm` its member rows, `c` their articles): the first published
# stands for the story (unknown dates last; on the same day, the story's first stored).
FIRST = "c.published IS NULL, c.published, c.id <> sm.story_id, c.added_at, c.id"


def stand(conn, story_ids: Iterable[str]) -> None:
    """Mark, in each of these stories, the copy that stands for it (copy = 0) and the later copies
    (copy = 1, counted once: geodata.rollup.STORY_COPIES). An article whose mark changes moves
    its counts in the roll-ups, in this transaction."""
    ids = sorted(set(story_ids))
    for start in range(0, len(ids), 500):
        params = {f"s{i}": s for i, s in enumerate(ids[start:start + 500])}
        rows = conn.execute(
            f"""SELECT sm.article_id, sm.copy, row_number() OVER (PARTITION BY sm.story_id ORDER BY {FIRST})
                FROM story_members sm JOIN articles c ON c.id = sm.article_id
                WHERE sm.story_id IN ({', '.join(':' + k for k in params)})""", params).fetchall()
        changed = {f"a{i}": r[0] for i, r in enumerate(rows) if r[1] != (r[2] > 1)}
        if changed:
            marks = ", ".join(":" + k for k in changed)
            with rollup.recounted(conn, marks, changed):
                conn.execute(f"UPDATE story_members SET copy = 1 - copy WHERE article_id IN ({marks})", changed)


def _usable(conn, keys: list[int]) -> list[int]:
    """The keys, less those that already anchor COMMON different stories: stock phrases ("the
    Syrian Observatory for Human Rights said") would otherwise make every article a candidate
    and their index rows grow with the store. Forty copies of one story stay one story."""
    if not keys:
        return []
    marks = ", ".join(f":k{i}" for i in range(len(keys)))
    common = {r[0] for r in conn.execute(
        f"""SELECT k.shingle FROM story_keys k JOIN story_members sm ON sm.member = k.member
            WHERE k.shingle IN ({marks}) GROUP BY k.shingle HAVING count(DISTINCT sm.story_id) >= :common""",
        {**{f"k{i}": key for i, key in enumerate(keys)}, "common": COMMON})}
    return [k for k in keys if k not in common]


def candidates(conn, own: frozenset[int], keys: list[int]) -> list[tuple[str, str]]:
    """(article id, story id) of the stored articles that may be copies: those whose anchors
    are among `keys`, the new article's LOOKUP smallest shingles, most shared first (at most
    CANDIDATES).

    A stored article's anchor that the new one shares ranks about as low among the new one's
    shingles as among its own (the hash order is the same), times the ratio of their sizes: the
    LOOKUP smallest find every copy up to four times the stored one's length. One shared anchor
    is chance (a common phrase) when a copy would share several: `_enough`.
    """
    if not keys:
        return []
    marks = ", ".join(f":k{i}" for i in range(len(keys)))
    rows = conn.execute(
        f"""SELECT sm.article_id, sm.story_id, sm.size, hits.n FROM (
                SELECT member, count(*) AS n FROM story_keys WHERE shingle IN ({marks}) GROUP BY member
            ) hits JOIN story_members sm ON sm.member = hits.member""",
        {f"k{i}": key for i, key in enumerate(keys)},
    ).fetchall()
    kept = [r for r in rows if _enough(r[3], len(own), r[2])]
    return [(r[0], r[1]) for r in sorted(kept, key=lambda r: (-r[3], r[0]))[:CANDIDATES]]


def _enough(hits: int, size: int, stored: int) -> bool:
    """Whether `hits` shared anchors can be a copy's: a copy of the stored article (`stored`
    shingles) shares a THRESHOLD part of the smaller one, so about ANCHORS * THRESHOLD *
    min(size, stored) / stored of the stored one's anchors; where that is 4 or more, one alone is
    chance (a copy shows fewer than 2 once in a thousand)."""
    expected = min(ANCHORS, stored) * THRESHOLD * min(size, stored) / max(stored, 1)
    return hits >= (2 if expected >= 4 else 1)


def _best_match(conn, own: Fingerprint, keys: list[int]) -> tuple[str, str, float] | None:
    """(article id, story id, containment) of the closest stored copy, or None."""
    found = candidates(conn, own.shingles, keys)
    if not found:
        return None
    marks = ", ".join(f":a{i}" for i in range(len(found)))
    texts = dict(conn.execute(f"SELECT id, text FROM articles WHERE id IN ({marks})",
                              {f"a{i}": a for i, (a, _) in enumerate(found)}).fetchall())
    best = None
    for article_id, story_id in found:
        text = texts[article_id]
        other = fingerprint(text)
        if not same_story(own, other):
            continue
        score = containment(own.shingles, other.shingles)[0]
        # ties go to the smaller story id, so the choice does not depend on the rows' order
        if best is None or score > best[2] or (score == best[2] and story_id < best[1]):
            best = (article_id, story_id, score)
    return best


def ungrouped(conn, limit: int) -> list[tuple[str, str]]:
    """(id, text) of stored articles not yet grouped (stored before grouping existed, or by a
    process killed between its two transactions), oldest first."""
    return [(r[0], r[1]) for r in conn.execute(
        """SELECT a.id, a.text FROM articles a LEFT JOIN story_members sm ON sm.article_id = a.id
           WHERE sm.article_id IS NULL ORDER BY a.added_at, a.id LIMIT :limit""", {"limit": limit})]


# Articles grouped per transaction: as many as the ingest stores in one (geodata.__main__.BATCH).
# Each transaction rewrites the roll-up and index pages its rows touch, and the new copies' rows
# lie all over them: four transactions for an ingest's one wrote a quarter of its bytes more.
GROUP_BATCH = 2000


def group(store, article_ids: Iterable[str] | None = None, batch: int = GROUP_BATCH) -> list[Grouped]:
    """Group the given stored articles (None: every one not yet grouped), one transaction a batch."""
    done: list[Grouped] = []
    if article_ids is None:
        while todo := ungrouped(store.conn, batch):
            with store.transaction() as conn:
                done += assign(conn, todo)
        return done
    ids = list(article_ids)
    for start in range(0, len(ids), batch):
        chunk = ids[start:start + batch]
        marks = ", ".join(f":a{i}" for i in range(len(chunk)))
        with store.transaction() as conn:
            texts = dict(conn.execute(f"SELECT id, text FROM articles WHERE id IN ({marks})",
                                      {f"a{i}": a for i, a in enumerate(chunk)}).fetchall())
            done += assign(conn, [(a, texts[a]) for a in chunk if a in texts])
    return done
