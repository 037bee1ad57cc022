"""Which runs of words may be a name: the proper-noun phrases of a text (`chains`), and the
longest name of the index that starts at a word (`NameMatcher`)."""
from __future__ import annotations

import re

from ..names import norm, unarticled
from .dateline import opens_date
from .known import Rule
from .tokens import Token, joinable
from .words import CHAIN_CONNECTORS, CONNECTORS

_POSSESSIVE = re.compile(r"['’]s$", re.I)
_ARTICLE_PREFIXES = frozenset("al el an ar as ash ad at az ath ed en er es et ez".split())
# Arabic articles that are English words too: they join a name only when hyphenated
_ENGLISH_ARTICLES = frozenset("as at an ad ash".split())


def chains(text: str, tokens: list[Token]) -> list[tuple[int, int]]:
    """Maximal runs of capitalised words (with inner connectors): proper-noun phrases."""
    out, i = [], 0
    while i < len(tokens):
        if not tokens[i].cap:
            i += 1
            continue
        j = i + 1
        while j < len(tokens) and joinable(text, tokens[j - 1], tokens[j]) and (
                tokens[j].cap or (tokens[j].key in CHAIN_CONNECTORS and j + 1 < len(tokens)
                                  and tokens[j + 1].cap
                                  and joinable(text, tokens[j], tokens[j + 1])
                                  and _article_joins(text, tokens, j))):
            if _POSSESSIVE.search(text[tokens[j - 1].start:tokens[j - 1].end + 2]):
                break
            if opens_date(text, tokens, j):
                break  # "Lagos April 4", "Idlib Monday": a date follows the name
            j += 1
        out.append((i, j))
        i = j
    return out


def _article_joins(text: str, tokens: list[Token], j: int) -> bool:
    """Whether the lower-case word j joins a proper-noun phrase. An Arabic article that is
    also an English word ("as", "at", "an") does only when hyphenated ("Deir ez-Zor",
    "Ras as-Sukkar"): "Georgia and Florida as Alabama braced" is three names."""
    t = tokens[j]
    if t.key not in _ENGLISH_ARTICLES:
        return True
    return text[t.end:t.end + 1] == "-" or text[t.start - 1:t.start] == "-"


class NameMatcher(Rule):
    """The longest exact name of the gazetteer's keys starting at a word."""

    MAX_WORDS = 7

    def longest(self, text: str, tokens: list[Token], i: int):
        """The longest exact name (key, end index, demonym?) starting at token i: a name starts
        at a capital, or at an Arabic article before one ("al-Bab", "as Suwayda")."""
        t = tokens[i]
        if not (t.cap or (t.key in _ARTICLE_PREFIXES and i + 1 < len(tokens)
                          and tokens[i + 1].cap and text[t.end:t.end + 1] in "-‐ ")):
            return None
        limit = self.gaz.max_words.get(t.key, 0)
        if not limit:
            return None
        best = None
        j = i + 1
        while True:
            last = tokens[j - 1]
            if last.cap or last.text.isdigit():
                key = t.key if j == i + 1 else norm(text[t.start:last.end])
                dotted = norm(text[t.start:last.end + 1]) if text[last.end:last.end + 1] == "." \
                    else None
                if dotted and dotted in self.gaz.keys:
                    best = (dotted, j, False)  # the span takes the dot: "W.Va."
                elif key in self.gaz.demonym_keys:  # "Canadian" the people, not the Texas town
                    best = (key, j, True)
                elif key in self.gaz.keys:
                    best = (key, j, False)
                elif (t.key == "al" and text[t.end:t.end + 1] == "-" and key not in self.lex[
                        "not_places"] and unarticled(key) in self.gaz.keys):
                    best = (unarticled(key), j, False)  # "Al-Raqqa": the index has "Raqqa"
            if j - i >= min(limit, self.MAX_WORDS) or j >= len(tokens):
                break
            nxt = tokens[j]
            if not joinable(text, last, nxt) or not (nxt.cap or nxt.key in CONNECTORS):
                break
            j += 1
        return best
