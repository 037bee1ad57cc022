"""Does a name name a thing rather than its place: an airline ("flew Delta"), a brand ("drove a
Lincoln to"), a product or a disease ("Aleppo soap", "Reston ebolavirus")?"""
from __future__ import annotations

import re

from .context import next_word
from .known import Rule
from .tokens import Token

# "drove a Lincoln to", "bought an Apple.": an indefinite article, then no noun (not "a Homs
# resident", where the place qualifies the noun)
_BRAND_BEFORE = re.compile(r"\b(?:a|an)\s$")
_BRAND_AFTER = re.compile(r"[.,;:!?)]|\s+(?:to|in|at|from|with|and|or|for|on|that|which|was|is)\b")
_FLOWN = re.compile(r"\b(?:flew|fly|flies|flying|flown)\s$")


class Brands(Rule):
    def names_one(self, text: str, tokens: list[Token], i: int, j: int, key: str,
                  demonym: bool) -> bool:
        """Whether the one-word name at tokens [i, j) is an airline's or a brand's."""
        if demonym:
            return False
        start, end = tokens[i].start, tokens[j - 1].end
        # "she flew Delta", "flew Emirates to": an airline, unless the name is a country's or a
        # big city's own ("flying Turkey's flag", "flew Damascus to Beirut"); "drove a Lincoln
        # to": a brand, unless a major place
        return bool((_FLOWN.search(text, max(0, start - 8), start) and not self.known.flown_over(key))
                    or (_BRAND_BEFORE.search(text, max(0, start - 12), start)
                        and _BRAND_AFTER.match(text, end) and not self.known.major(key)))

    def product(self, text: str, tokens: list[Token], j: int) -> bool:
        """Does a product's or a disease's noun follow ("Aleppo soap", "Reston ebolavirus")?"""
        nxt = next_word(text, tokens, j)
        return bool(nxt and not nxt.cap and (nxt.key in self.lex["products"]
                                             or nxt.key.endswith("virus")))
