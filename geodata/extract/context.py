"""What the words right after a name say of it: what kind of place it is ("Idlib province"),
and which larger place it lies in ("Paris, Texas")."""
from __future__ import annotations

from ..names import norm
from .span import Span
from .tokens import Token, joinable
from .words import QUALIFIERS


def next_word(text: str, tokens: list[Token], j: int) -> Token | None:
    """The word right after token j-1, if `tokenize` kept it (nothing but space between)."""
    if j >= len(tokens) or text[tokens[j - 1].end:tokens[j].start] not in (" ", "-"):
        return None
    return tokens[j]


def qualifier(text: str, tokens: list[Token], j: int) -> str:
    """What the words right after a name say it is: 'Idlib province', 'Aleppo city',
    "Hama's countryside"."""
    nxt = next_word(text, tokens, j)
    if nxt is None and j < len(tokens) and text[tokens[j - 1].end:tokens[j].start] in ("'s ", "’s "):
        nxt = tokens[j]
    return QUALIFIERS.get(nxt.key, "") if nxt else ""


def after(text: str, tokens: list[Token], j: int, keys) -> str:
    """The key (one of the index's `keys`) of the capitalised words after a comma: the "Texas"
    of "Paris, Texas"."""
    if j >= len(tokens) or text[tokens[j - 1].end:tokens[j].start].strip() != ",":
        return ""
    if not tokens[j].cap or tokens[j].sent != tokens[j - 1].sent:
        return ""
    k = j + 1
    while k < len(tokens) and k - j < 4 and tokens[k].cap and joinable(
            text, tokens[k - 1], tokens[k]):
        k += 1
    for end in range(k, j, -1):
        key = norm(text[tokens[j].start:tokens[end - 1].end])
        dotted = norm(text[tokens[j].start:tokens[end - 1].end + 1])
        if dotted in keys:
            return dotted
        if key in keys:
            return key
    return ""


def phrase_span(text: str, tokens: list[Token], sents: list[tuple[int, int]], a: int, b: int,
                key: str, keys, **found) -> Span:
    """A span over the words [a, b) of a proper-noun phrase no exact name matched, with what
    the words after it say; `found` tells how it was found (loose=..., unknown=True)."""
    sa, sb = sents[tokens[a].sent]
    return Span(a, b, tokens[a].start, tokens[b - 1].end, key, False, (sa, sb),
                qualifier(text, tokens, b), after(text, tokens, b, keys), **found)
