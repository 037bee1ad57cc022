"""A sentence as the role rules read it: words with their tags, stretches, and the place names.

Only sentences that hold a mention are read. Each name is one token (its words are not looked
up), so "Saraqib" cannot be mistaken for a verb. A *chunk* is a stretch between punctuation
marks; a *clause* a stretch between strong marks (; : — parentheses) or a comma that opens a new
clause (", while", ", but", ", which"...). Names in a row joined by "and"/"or" ("Iran and
Russia", "Washington, Cairo and Doha") form a *group*, which takes one role.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .lexicon import Lexicon

_TOKEN = re.compile(r"['’]s\b|\w+(?:[-'’‐]\w+)*|[^\w\s]")
_STRONG = frozenset(";:()[]—–")
_WEAK = frozenset(',"“”')
_DASHES = frozenset("-‐")
# A comma before one of these opens a new clause.
_CLAUSE_OPENERS = frozenset(
    "while but whereas although though and which who where when after before as because "
    "according saying adding".split())
PLACE = "\x00"  # the word of a name's token: no list holds it
_NONE: dict[str, int] = {}  # the tags of a word that opens no phrase (shared, never changed)


@dataclass(slots=True)
class Token:
    start: int  # character offsets into the article's text
    end: int
    low: str  # lower-cased word, punctuation mark, or PLACE
    place: int  # index of its mention in the sentence's mentions; -1 for other words
    chunk: int  # -1 for punctuation
    clause: int


@dataclass(slots=True)
class Group:
    """Names in a row that take one role: token indices first..last, their mentions."""

    first: int
    last: int
    mentions: list[int]


class Sentence:
    """Tokens, their tags (`Lexicon.tags`), and the groups of the names in the sentence."""

    def __init__(self, text: str, start: int, end: int, spans: list[tuple[int, int]],
                 lex: Lexicon) -> None:
        self.text = text
        self.lex = lex
        tokens: list[Token] = []
        pos = start
        for m, (a, b) in enumerate(spans):
            self._words(text, pos, a, tokens)
            tokens.append(Token(a, b, PLACE, m, 0, 0))
            pos = b
        self._words(text, pos, end, tokens)
        self._segment(tokens)
        self.tokens = tokens
        self.words = [t.low for t in tokens]
        starts = lex.first_words  # most words open no phrase of the lists: no lookup for them
        self.tags = [lex.tags(self.words, i) if w in starts else _NONE for i, w in enumerate(self.words)]
        for i, t in enumerate(tokens):
            # an event word is written in lower case unless it opens the sentence or a stretch
            # of it ("Shelling hit..."): "in March", "Edmonton Fire Marshal" say nothing happened
            if (self.tags[i] and text[t.start].isupper() and i and tokens[i - 1].chunk >= 0
                    and any(tag.startswith("event:") for tag in self.tags[i])):
                self.tags[i] = {tag: e for tag, e in self.tags[i].items() if not tag.startswith("event:")}
        self.token_of = {t.place: i for i, t in enumerate(tokens) if t.place >= 0}
        self.groups = self._groups()
        self._tagged: dict[tuple, list[int]] = {}  # find's candidates, per tag prefixes

    @staticmethod
    def _words(text: str, a: int, b: int, out: list[Token]) -> None:
        out.extend([Token(*m.span(), m.group().lower(), -1, 0, 0) for m in _TOKEN.finditer(text, a, b)])

    def _segment(self, tokens: list[Token]) -> None:
        chunk = clause = 0
        text = self.text
        for i, t in enumerate(tokens):
            mark = t.low
            strong = mark in _STRONG or (
                mark in _DASHES and text[t.start - 1:t.start] == " " and text[t.end:t.end + 1] == " ")
            if strong or mark in _WEAK:
                chunk += 1
                if strong or (mark == "," and i + 1 < len(tokens)
                              and tokens[i + 1].low in _CLAUSE_OPENERS):
                    clause += 1
                t.chunk, t.clause = -1, clause
            else:
                t.chunk, t.clause = chunk, clause

    def _groups(self) -> list[Group]:
        """Names joined by "and"/"or" (a list may have commas: "A, B and C"); a comma alone
        joins none ("Nyala, Sudan's second city" is an apposition, not a list)."""
        places = [i for i, t in enumerate(self.tokens) if t.place >= 0]
        groups: list[Group] = []
        run: list[int] = []
        joined_by_word = False

        def close() -> None:
            if len(run) > 1 and not joined_by_word:  # commas only: each name alone
                groups.extend(Group(i, i, [self.tokens[i].place]) for i in run)
            elif run:
                groups.append(Group(run[0], run[-1], [self.tokens[i].place for i in run]))

        for i in places:
            if run:
                between = self.words[run[-1] + 1:i]
                # ", and" closes a list of commas ("A, B, and C"); after one name, or after
                # "A and B", it opens a clause ("operations in Nagorno-Karabakh, and Armenia said")
                if between in (["and"], ["or"]) or (
                        between in ([",", "and"], [",", "or"]) and len(run) > 1
                        and not joined_by_word):
                    run.append(i)
                    joined_by_word = True
                    continue
                if between == [","]:
                    run.append(i)
                    continue
                close()
            run, joined_by_word = [i], False
        close()
        return groups

    # --- reading -----------------------------------------------------------------------------

    def has(self, i: int, tag: str) -> bool:
        return 0 <= i < len(self.tags) and tag in self.tags[i]

    def any_tag(self, i: int, prefix: str) -> str | None:
        """The first tag of token i starting with `prefix` (longest phrase first)."""
        found = [(end, tag) for tag, end in self.tags[i].items() if tag.startswith(prefix)]
        return max(found)[1] if found else None

    def span(self, i: int, end: int | None = None) -> tuple[int, int]:
        """Character span of tokens i..end-1 (one token if end is None)."""
        last = self.tokens[(end if end is not None else i + 1) - 1]
        return self.tokens[i].start, last.end

    def tag_span(self, i: int, tag: str) -> tuple[int, int]:
        return self.span(i, self.tags[i][tag])

    def same(self, i: int, j: int, scope: str) -> bool:
        a, b = self.tokens[i], self.tokens[j]
        return a.clause == b.clause if scope == "clause" else a.chunk == b.chunk and a.chunk >= 0

    def find(self, g: Group, tags, scope: str) -> int | None:
        """The token nearest to the group in its chunk or clause with one of `tags` (prefixes
        allowed: "event:"); a word before the group counts as nearer than one after it."""
        best, best_d = None, float("inf")
        tags = tuple(tags)
        if tags not in self._tagged:
            self._tagged[tags] = [k for k, found in enumerate(self.tags)
                                  if found and any(tag.startswith(tags) for tag in found)]
        for k in self._tagged[tags]:
            if not self.same(k, g.first, scope):
                continue
            d = g.first - k if k < g.first else (k - g.last) * 1.5
            if d < best_d:
                best, best_d = k, d
        return best

    def chunk_words(self, i: int) -> list[str]:
        chunk = self.tokens[i].chunk
        return [t.low for t in self.tokens if t.chunk == chunk and chunk >= 0]

    def segment_words(self, g: Group) -> list[str]:
        """The words of the group's chunk between the names before and after it: what is said
        of these names and no other ("the battle for Bakhmut to the warfare at Verdun a century
        ago": the century is Verdun's)."""
        chunk = self.tokens[g.first].chunk
        a = g.first
        while a > 0 and self.tokens[a - 1].chunk == chunk and self.tokens[a - 1].place < 0:
            a -= 1
        b = g.last + 1
        while b < len(self.tokens) and self.tokens[b].chunk == chunk and self.tokens[b].place < 0:
            b += 1
        return self.words[a:b]
