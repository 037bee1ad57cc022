"""Is a one-word name an ordinary word, capitalised only where it stands ("Most", "Samples"
opening a sentence), or an acronym ("FDA", "SANA")?"""
from __future__ import annotations

from .context import after
from .dateline import dateline
from .known import Rule
from .tokens import Token, joinable


class CommonWords(Rule):
    def is_word(self, text: str, tokens: list[Token], i: int, j: int, key: str,
                demonym: bool) -> bool:
        """Whether the one-word name at tokens [i, j) is a word here, not a place."""
        t = tokens[i]
        if key in self.lex["function_words"] and (t.first or t.text.istitle()):
            return True
        if demonym:
            return False
        if key in self.gaz.common_words and not self.known.major(key):
            return True
        if t.first and key in self.gaz.english_words and not (
                self.known.major(key) or after(text, tokens, j, self.gaz.keys)
                or tokens[i + 1:i + 2] and tokens[i + 1].cap and joinable(text, t, tokens[i + 1])):
            return True  # "Samples from the ducks...": a word opening the sentence
        # short capitals are acronyms ("FDA", "UN", "SANA") unless they abbreviate a country
        # or state ("US", "UK", "NSW") or open a dateline ("ADEN (Reuters) -")
        return t.text.isupper() and len(t.text) <= 5 and all(
            c.place.kind == "city" for c in self.gaz.candidates(key)) and not \
            dateline(text, tokens, i, j, self.gaz.keys)
