"""Proper nouns the gazetteer lacks where the words before them say they are places: "in Kafr
Nabudah", "near Tal Tamr", "the village of Hish" (asked of an online geocoder)."""
from __future__ import annotations

from ..names import norm
from .context import phrase_span
from .known import Rule
from .span import Span
from .tokens import Token
from .words import CUED_OF, CUES


class UnknownNames(Rule):
    def find(self, text: str, tokens: list[Token], sents: list[tuple[int, int]],
             chains: list[tuple[int, int]], spans: list[Span]) -> list[Span]:
        """The chains of up to three words no span in `spans` covers, after a cue."""
        taken = {k for s in spans for k in range(s.i, s.j)}
        found = []
        for a, b in chains:
            if a == 0 or b - a > 3 or any(k in taken for k in range(a, b)):
                continue
            words, cue = tokens[a:b], tokens[a - 1]
            if text[cue.end:words[0].start] != " " or cue.cap or cue.key not in CUES:
                continue
            if cue.key == "of" and not (a > 1 and tokens[a - 2].key in CUED_OF
                                        and text[tokens[a - 2].end:cue.start] == " "):
                continue
            # the cue outweighs the guess that two unknown capitalised words are a person
            if any(w.key in self.lex["org_words"] or w.key in self.lex["not_places"]
                   or w.key in self.lex["titles"] or w.key in self.lex["function_words"]
                   for w in words):
                continue
            key = norm(text[words[0].start:words[-1].end])
            found.append(phrase_span(text, tokens, sents, a, b, key, self.gaz.keys, unknown=True))
        return found
