"""Is a name part of a longer proper noun: a person's ("President Assad", "Michael Smith"), an
organisation's ("The Moscow Times", "Syria TV")? Two places joined by a hyphen are not one
longer name ("the Damascus-Beirut highway")."""
from __future__ import annotations

from ..names import norm
from .known import Rule
from .tokens import Token

_HYPHENS = ("-", "‐", "–")
# A country's or state's own forces are named by it: "U.S. Army", "Texas National Guard"
_NATIONAL_FORCES = frozenset(
    "army navy air armed forces force marines marine guard coast national defense defence security "
    "police".split())


class LongerNames(Rule):
    def inside(self, text: str, tokens: list[Token], i: int, j: int, key: str, demonym: bool,
               chain_of: dict[int, tuple[int, int]]) -> bool:
        """Whether the name at tokens [i, j) is part of a longer proper noun; `chain_of` gives
        each word's proper-noun phrase."""
        lex = self.lex
        t = tokens[i]
        # the proper-noun phrase around the name ("al-Masjid an-Nabawi": a lower-case article
        # opens no phrase, the word after it does)
        a, b = chain_of.get(i) or chain_of.get(i + 1) or (i, j)
        head = a
        # words capitalised only because they open the sentence don't belong to the chain
        while a < i and tokens[a].first and tokens[a].key in lex["function_words"]:
            a += 1
        # nor the words before "of": "Most of Idlib", "Residents of Saraqib", "President
        # Erdogan of Turkey", "Steven Sachs of Alexandria", "the Embassy of Turkey" all name
        # the place; after an organisation's word, only a well-known place or a word that is no
        # English word is one ("Department of Commerce", "Ministry of Justice" are not)
        if i - 1 >= a and tokens[i - 1].key == "of" and text[tokens[i - 1].end:t.start] == " ":
            opening = tokens[a:i - 1]
            if not opening or not all(x.key in lex["place_words"] for x in opening) and (
                    not any(x.key in lex["org_words"] for x in opening)
                    or any(x.key in lex["titles"] for x in opening)
                    or self.known.major(key) or (" " not in key
                                                 and key not in self.gaz.english_words)):
                a = i
        before, after = tokens[a:i], tokens[j:b]
        if before and self._paired(text, tokens, a, i, j):
            before = []  # "the Damascus-Beirut highway": two places
        # "President Assad", "Gov. Smith": a title before a place name makes it a person,
        # any other proper noun before it makes the name part of a longer one
        if before and not all(x.key in lex["place_words"] for x in before):
            return True
        if after and self._paired(text, tokens, i, j, b):
            after = []
        if not after:
            return False
        # a place opening a newsroom's, an armed group's or a party's name is the
        # organisation's ("Syria TV", "Homs Revolutionary Council", "Kurdistan Islamic
        # Party"), though a country's or state's own army is named by it ("U.S. Army"); a
        # people's name there says whose group it is, and stays a demonym ("Syrian
        # Democratic Forces", "Lebanese Army", "Turkish TV")
        group = any(x.key in lex["group_words"] for x in after)
        if group and not demonym and not (
                after[0].key in _NATIONAL_FORCES and self.known.state_or_country(key)):
            return True
        # a name opening another organisation's still names the place ("Texas A&M
        # University", "Dublin City Council"), but not after "the", and a people's name
        # there is part of the name ("the European Union", "Canadian Food Inspection Agency")
        org = any(x.key in lex["org_words"] for x in after)
        if org and not group and (demonym or tokens[head].key == "the"):
            return True
        # "Michael Smith", "Paris Hilton": a person
        return not (org or demonym or after[0].key in lex["place_words"]
                    or after[0].key in lex["titles"])

    def _paired(self, text: str, tokens: list[Token], i: int, j: int, b: int) -> bool:
        """Whether tokens [i, j) and [j, b) are two places joined by a hyphen (a road, a route
        or a front between them: "Damascus-Beirut", "Kyiv-Odesa"), not one longer name.
        Both must be names the index knows that are no English words ("Coca-Cola")."""
        if j >= b or text[tokens[j - 1].end:tokens[j].start] not in _HYPHENS:
            return False
        left = norm(text[tokens[i].start:tokens[j - 1].end])
        right = norm(text[tokens[j].start:tokens[b - 1].end])
        return all(k in self.gaz.keys and (k not in self.gaz.english_words or self.known.major(k))
                   for k in (left, right))
