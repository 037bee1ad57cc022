"""Does a one-word name name someone: a surname seen before in a person's name, a name after a
title, one that speaks or is described as a person ("Hartl said", "Farah, a 30-year-old
nurse")?"""
from __future__ import annotations

import re

from ..names import norm
from .context import next_word
from .known import Rule
from .tokens import Token, alternation
from .words import SPEECH, read_list

_PERSON_NOUNS = alternation(read_list("person_nouns.txt"))
# "Qasim, 19,", "Farah, a 30-year-old nurse", "Olena, a teacher", "Mariam, who"
_PERSON_AFTER = re.compile(
    r",\s+(?:\d{1,3}\s*,|who\b|(?:an?|the)\s+(?:[\w’'-]+\s+){0,3}?(?:\d+-year-old\b|"
    + _PERSON_NOUNS + r"(?:'s|’s)?\b))")
# "The driver, Salem, said", "her son, Jordan,"
_PERSON_BEFORE = re.compile(r"\b(?:" + _PERSON_NOUNS + r")(?:'s|’s)?,\s$")


class People(Rule):
    def words(self, tokens: list[Token], chains: list[tuple[int, int]]) -> set[str]:
        """Words seen as part of a person's name (after a title, or a first name + surname chain
        with no place in it): later lone uses of them are the person, not a place."""
        lex, out = self.lex, set()
        for a, b in chains:
            if b - a < 2:
                continue
            words = tokens[a:b]
            # a title, perhaps after a people's or country's name ("Russian President Vladimir
            # Putin", "Syria's Foreign Minister"): the name runs from it to an "of"
            # ("President Recep Tayyip Erdogan of Turkey")
            k = next((k for k, t in enumerate(words) if t.key in lex["titles"]), None)
            if k is not None and k + 1 < len(words) and all(
                    t.key in self.gaz.demonym_keys or self.known.major(t.key) for t in words[:k]):
                for t in words[k + 1:]:
                    if t.key == "of":
                        break
                    out.add(t.key)
            elif (b - a <= 3 and all(t.cap for t in words)
                  and words[0].key not in lex["toponym_heads"]  # "Khan Shaykhoun": a place
                  and not any(t.key in lex["place_words"] or t.key in lex["org_words"]
                              or t.key in lex["function_words"] or t.key in self.gaz.demonym_keys
                              for t in words)
                  and not self.known.known(norm(" ".join(t.text for t in words)))
                  # a country, state or big city is no surname: "Environment Canada"
                  and not self.known.major(words[-1].key)):
                out.add(words[-1].key)  # "Bob Jones ... Jones said"
        return out

    def names_one(self, text: str, tokens: list[Token], i: int, j: int, key: str, demonym: bool,
                  persons: set[str]) -> bool:
        """Whether the one-word name at tokens [i, j) is someone's; `persons`: the text's
        person words (`words`)."""
        t = tokens[i]
        if key in persons:
            return True
        prev = tokens[i - 1] if i and text[tokens[i - 1].end:t.start] in (" ", ". ") else None
        if prev and prev.sent == t.sent and prev.key in self.lex["titles"] and prev.cap:
            return True
        if demonym:
            return False
        nxt = next_word(text, tokens, j)
        of = i > 0 and tokens[i - 1].key == "of" and text[tokens[i - 1].end:t.start] == " "
        if nxt and nxt.key in SPEECH and not of and not self.known.major(key):
            # "Hartl said": people speak; of places only capitals and states do (and in
            # "residents of Saraqib said" the place is not the one speaking)
            return True
        end = tokens[j - 1].end
        # "Qasim, 19, a volunteer", "Farah, a 30-year-old nurse", "the driver, Salem,": a
        # person (even one named like a province)
        return bool((_PERSON_AFTER.match(text, end) or text[end:end + 1] == "," and text[
            t.start - 2:t.start] == ", " and _PERSON_BEFORE.search(
            text, max(0, t.start - 40), t.start)) and not self.known.country(key))
