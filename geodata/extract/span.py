"""The extractor's answer: a candidate name as a span of tokens and characters."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Span:
    """A candidate name: tokens [i, j), and whether it matched as a demonym."""

    i: int
    j: int
    start: int
    end: int
    key: str
    demonym: bool
    sentence: tuple[int, int]
    qualifier: str = ""  # "admin1", "city", "admin2" when the text says "X province" etc.
    after: str = ""  # the key of a name that follows after a comma ("Paris, Texas")
    border: bool = False  # "the Turkish border": the border of that country with the story's
    loose: tuple[str, ...] = ()  # found by the transliteration skeleton: the place ids it may be
    unknown: bool = False  # not in the gazetteer; "in X"/"near X" says X is a place: ask online
