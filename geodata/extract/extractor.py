"""The extractor: the questions of this package asked in order of each name the index matches."""
from __future__ import annotations

from .brands import Brands
from .candidates import NameMatcher, chains
from .common_words import CommonWords
from .context import after, next_word, qualifier
from .dateline import dateline
from .known import KnownPlaces
from .longer_name import LongerNames
from .loose import LooseSpellings
from .people import People
from .span import Span
from .tokens import Token, sentences, tokenize
from .unknown import UnknownNames
from .words import lexicon


class Extractor:
    """Finds candidate spans with a gazetteer's name keys; resolution happens elsewhere."""

    def __init__(self, gazetteer, unknown_names: bool = False) -> None:
        self.gaz = gazetteer
        self.lex = lex = lexicon()
        rule = (gazetteer, lex, KnownPlaces(gazetteer))
        self.matcher = NameMatcher(*rule)
        self.longer = LongerNames(*rule)
        self.words = CommonWords(*rule)
        self.people = People(*rule)
        self.brands = Brands(*rule)
        self.loose = LooseSpellings(*rule)
        # only worth finding when an online geocoder is on
        self.unknown = UnknownNames(*rule) if unknown_names else None

    def extract(self, text: str) -> tuple[list[Span], list[Token], list[tuple[int, int]]]:
        sents = sentences(text)
        tokens = tokenize(text, sents)
        chain_of = {}
        phrases = chains(text, tokens)
        for a, b in phrases:
            for k in range(a, b):
                chain_of[k] = (a, b)
        persons = self.people.words(tokens, phrases)
        spans: list[Span] = []
        i = 0
        while i < len(tokens):
            m = self.matcher.longest(text, tokens, i)
            if not m:
                i += 1
                continue
            key, j, demonym = m
            if self._keep(text, tokens, i, j, key, demonym, chain_of, persons):
                spans.append(self._span(text, tokens, sents, i, j, key, demonym, chain_of))
            i = j
        spans += self.loose.find(text, tokens, sents, phrases, spans, persons)
        if self.unknown:
            spans += self.unknown.find(text, tokens, sents, phrases, spans)
        spans.sort(key=lambda s: s.start)
        return spans, tokens, sents

    def _keep(self, text, tokens, i, j, key, demonym, chain_of, persons) -> bool:
        """Whether the name at tokens [i, j) names a place (or a people): each question below
        can rule it out."""
        if key in self.lex["not_places"] or (j - i == 1 and key in self.lex["titles"]):
            return False
        if self.longer.inside(text, tokens, i, j, key, demonym, chain_of):
            return False
        if " " not in key and (  # a one-word name (as is "Al-Raqqa", keyed "raqqa")
                self.words.is_word(text, tokens, i, j, key, demonym)
                or self.people.names_one(text, tokens, i, j, key, demonym, persons)
                or self.brands.names_one(text, tokens, i, j, key, demonym)):
            return False
        return not self.brands.product(text, tokens, j)

    def _span(self, text, tokens, sents, i, j, key, demonym, chain_of) -> Span:
        """The span of a kept name, with what the words around it say of it."""
        t = tokens[i]
        end = tokens[j - 1].end + key.endswith(".")
        kind = qualifier(text, tokens, j)
        if kind and tokens[j].cap and chain_of.get(j):
            end = tokens[j].end  # "Laurel County", "Idlib Province": the name's own word
        if not kind and not demonym and dateline(text, tokens, i, j, self.gaz.keys) and any(
                c.place.kind == "city" and c.place.population >= 100_000
                for c in self.gaz.candidates(key)):
            kind = "city"  # "GAZA —", "HOMS (Reuters) -": a dateline names a city
        nxt = next_word(text, tokens, j)
        border = demonym and nxt is not None and nxt.key in ("border", "frontier")
        if border:
            end = tokens[j].end
        return Span(i, j, t.start, end, key, demonym, sents[t.sent], kind,
                    after(text, tokens, j, self.gaz.keys), border)
