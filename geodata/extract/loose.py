"""Proper-noun phrases no exact key matched, looked up by their transliteration skeleton
("Maaret al-Numan" for "Ma'arrat an-Nu'man", "Jisr al-Shughour")."""
from __future__ import annotations

from ..distance import nearest_km
from ..names import norm, skeleton
from .context import phrase_span
from .known import Rule
from .span import Span
from .tokens import Token


def _near(place, anchors, km: float = 150.0) -> bool:
    """Whether a place lies within `km` of any of the anchors."""
    return nearest_km(place.lat, place.lon, [(a.lat, a.lon) for a in anchors]) <= km


class LooseSpellings(Rule):
    def find(self, text: str, tokens: list[Token], sents: list[tuple[int, int]],
             chains: list[tuple[int, int]], spans: list[Span], persons: set[str]) -> list[Span]:
        """The chains that are a spelling of a place, kept only when the match lies within
        150 km of a place the document names exactly (`spans`), in a country whose names are
        transliterated: spelling varies for the places a story is about, in Syria, not Ohio."""
        # each exact name's best-known reading (the most populous; states before towns)
        best = [max(cs, key=lambda c: (c.place.kind != "city", c.place.population))
                for cs in (self.gaz.candidates(s.key) for s in spans if not s.demonym) if cs]
        anchors = [c.place for c in best if c.place.country in self.gaz.transliterated
                   and c.place.kind in ("city", "admin1", "admin2")]
        if not anchors:
            return []
        countries = tuple(sorted({a.country for a in anchors}))
        taken = {k for s in spans for k in range(s.i, s.j)}
        found = []
        for a, b in chains:
            while a < b and (tokens[a].key in self.lex["function_words"] or
                             tokens[a].key in self.lex["titles"]):
                a += 1
            if a >= b or b - a > 4 or any(k in taken for k in range(a, b)):
                continue
            words = tokens[a:b]
            key = norm(text[words[0].start:words[-1].end])
            # the skeleton of a short name or an English word finds too much
            if len(skeleton(key).replace(" ", "")) < 3 or words[-1].key in persons or any(
                    w.key in self.lex["org_words"] or w.key in self.lex["not_places"]
                    or w.key in self.lex["function_words"] or w.key in self.gaz.demonym_keys
                    or (w.cap and w.key in self.gaz.common_words) for w in words):
                continue
            # a name the index knows exactly was weighed, and ruled out, by the exact rules
            if key in self.gaz.keys or skeleton(key) not in self.gaz.loose_skeletons:
                continue
            near = tuple(c.place.id for c in self.gaz.loose_candidates(key, countries)
                         if _near(c.place, anchors))
            if not near:
                continue
            found.append(phrase_span(text, tokens, sents, a, b, key, self.gaz.keys, loose=near))
        return found
