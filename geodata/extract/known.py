"""What the gazetteer knows a name to be: several rules let a well-known place stand where
they would rule out a lesser one ("Nice" is a word, "China" is not). `Rule` is what every rule
of the extractor is built with."""
from __future__ import annotations

from ..names import unarticled


class KnownPlaces:
    def __init__(self, gazetteer) -> None:
        self.gaz = gazetteer

    def known(self, key: str) -> bool:
        """Whether the index names a place so, with or without its article ("Al Raqqa")."""
        return key in self.gaz.keys or unarticled(key) in self.gaz.keys

    def major(self, key: str) -> bool:
        """A name whose best-known bearer is a country, state or big city: "China", "Nice"
        as a word would not stop it."""
        return key in self.gaz.keys and any(  # (most words asked are no name: no lookup)
            c.place.kind in ("country", "admin1", "continent", "region")
            or c.place.population >= 1_000_000 for c in self.gaz.candidates(key))

    def flown_over(self, key: str) -> bool:
        """Whether the name is the main name of a country or a city of a million people: what
        a flag or a flight is of, never an airline (an airline bears a region's name, "Delta",
        or a country's other one, "Emirates")."""
        return key in self.gaz.keys and any(
            c.primary and (c.place.kind == "country" or c.place.kind == "city"
                           and c.place.population >= 1_000_000) for c in self.gaz.candidates(key))

    def country(self, key: str) -> bool:
        return key in self.gaz.keys and any(
            c.place.kind in ("country", "continent") for c in self.gaz.candidates(key))

    def state_or_country(self, key: str) -> bool:
        return any(c.place.kind in ("country", "admin1") for c in self.gaz.candidates(key))


class Rule:
    """What every rule reads: the gazetteer, the word lists (geodata.extract.words.lexicon) and
    what the index knows a name to be."""

    def __init__(self, gazetteer, lex: dict[str, frozenset[str]], known: KnownPlaces) -> None:
        self.gaz = gazetteer
        self.lex = lex
        self.known = known
