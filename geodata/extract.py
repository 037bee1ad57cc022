"""Find the spans of a text that name places (toponyms) or their peoples (demonyms).

A gazetteer matcher over capitalised word sequences, longest match first, with the rules that
keep it from firing where there is no place: a name inside a longer proper noun ("The Moscow
Times", "Free Idlib Army", "Michael Jackson") is not a place; a person's title or a product
noun ("Aleppo soap") rules a name out; words capitalised only because they start a sentence
("Most", "Along") and months or weekdays are not places. Each span keeps its sentence.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .distance import nearest_km
from .names import WORD_FORMS, norm, skeleton, unarticled

_DATA = Path(__file__).resolve().parent / "data"

# A word: letters/digits with inner apostrophes ("Ma'arrat", "Turkey's" is split below).
_WORD = re.compile(r"\w+(?:['’ʿʾ‘]\w+)*")
_POSSESSIVE = re.compile(r"['’]s$", re.I)
_ANY_WORD = re.compile(r"\w")
_CONTRACTION = re.compile(r"['’](?:ve|re|ll|d|m|t)$|n['’]t$", re.I)
# A sentence ends at . ! ? (and closing quotes) before a capital, a quote or a new paragraph.
# (The end mark is matched, not looked behind at, so the engine skips to the next . ! ? or newline.)
_SENTENCE_END = re.compile(r"""[.!?](?P<gap>["'”’)\]]*\s+)(?=["“‘(\[]?[A-Z0-9])|\n\s*\n|\n(?=[A-Z"“])""")
# A period after an initial or one of these abbreviations ends no sentence. The list is explicit:
# any short capitalised word would take "Iraq." or "Homs." at a sentence's end for one.
_ABBREVIATIONS = (
    "Mr Mrs Ms Dr St Ste Gen Lt Col Sgt Capt Cmdr Adm Maj Brig Gov Sen Rep Pres Jr Sr Prof Rev Mt "
    "Ft No Vol Fig vs etc Inc Corp Co Ltd Bros Ave Blvd Rd Hwy Jan Feb Mar Apr Jun Jul Aug Sep "
    "Sept Oct Nov Dec Mon Tue Tues Wed Thu Thur Thurs Fri Sat Sun "
    # US states as AP style abbreviates them ("Evansville, Ind.")
    "Ala Ariz Ark Calif Colo Conn Del Fla Ga Ill Ind Kan Kans Ky La Md Mass Mich Minn Miss Mo Mont "
    "Neb Nebr Nev Okla Ore Pa Tenn Tex Vt Va Wash Wis Wyo").split()
_NO_SENTENCE_END = re.compile(r"(?:\b[A-Z]|\b(?:" + "|".join(_ABBREVIATIONS) + r"))\.$")
# Lower-case words allowed inside a multi-word name ("Ma'arrat an-Nu'man", "Isle of Man").
_CONNECTORS = frozenset(
    "of de del della di da do dos das du des la le les el al an ar as ash ad at az ath ed en er es "
    "et ez y e upon on the and sur am im bin ibn bint abu umm".split())
# Lower-case words that join a proper-noun phrase ("University of Texas", "Bashar al-Assad").
_CHAIN_CONNECTORS = frozenset(
    "of de del della di da du des la le les el al an ar as ash ad at az bin ibn abu van von der "
    "den".split())
_ARTICLE_PREFIXES = frozenset("al el an ar as ash ad at az ath ed en er es et ez".split())


def _words(name: str) -> frozenset[str]:
    path = _DATA / name
    return frozenset(
        norm(line.strip()) for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#"))


@lru_cache(maxsize=1)
def _lexicon() -> dict[str, frozenset[str]]:
    lex = {name: _words(f"{name}.txt") for name in
           ("not_places", "titles", "org_words", "place_words", "products", "function_words",
            "toponym_heads", "group_words")}
    lex["org_words"] |= lex["group_words"]  # a newsroom or an armed group is an organisation
    return lex


def _near(place, anchors, km: float = 150.0) -> bool:
    """Whether a place lies within `km` of any of the anchors."""
    return nearest_km(place.lat, place.lon, [(a.lat, a.lon) for a in anchors]) <= km


@dataclass(slots=True)
class Token:
    start: int
    end: int
    text: str
    key: str  # norm(text)
    cap: bool  # starts with a capital letter
    sent: int  # index of its sentence
    first: bool  # first word of its sentence


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


def sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans of a text (start, end), covering every non-blank stretch."""
    spans, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        end = m.start("gap") if m.start("gap") >= 0 else m.start()  # after the . ! ?
        if _NO_SENTENCE_END.search(text[max(0, end - 7):end]) and "\n" not in m.group():
            continue
        if text[start:end].strip():
            spans.append(_strip(text, start, end))
        start = m.end()
    if text[start:].strip():
        spans.append(_strip(text, start, len(text)))
    return spans


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def tokenize(text: str, sents: list[tuple[int, int]]) -> list[Token]:
    """The words a name can be made of or qualified by: capitalised words, numbers and the few
    lower-case words the rules read ("of", "province", "border"...). Other words are never
    matched (the gaps they leave keep names from joining across them), which makes this fast."""
    tokens: list[Token] = []
    for s, (a, b) in enumerate(sents):
        seen = False  # whether a kept word came before in this sentence
        for m in _KEPT_WORD.finditer(text, a, b):
            word = m.group()
            start, end = m.start(), m.end()
            if len(word) > 2 and word[-2] in "'’" and word[-1] in "sS":
                end -= 2
                word = word[:-2]  # "Turkey's"
            elif ("'" in word or "’" in word) and _CONTRACTION.search(word):
                continue  # "We're", "I've"
            low = word.lower()
            # plain words are most words: skip the full normalisation for them
            key = WORD_FORMS.get(low, low) if word.isascii() and word.isalnum() else norm(word)
            first = not seen and not _ANY_WORD.search(text, a, start)
            seen = True
            tokens.append(Token(start, end, word, key, word[0].isupper(), s, first))
    return tokens


class Extractor:
    """Finds candidate spans with a gazetteer's name keys; resolution happens elsewhere."""

    MAX_WORDS = 7

    def __init__(self, gazetteer, unknown_names: bool = False) -> None:
        self.gaz = gazetteer
        self.lex = _lexicon()
        self.unknown_names = unknown_names  # only worth finding when an online geocoder is on

    def _joinable(self, text: str, a: Token, b: Token) -> bool:
        """b continues a name begun before it: same sentence, separated by a space or a hyphen."""
        if a.sent != b.sent:
            return False
        gap = text[a.end:b.start]
        if a.end != b.start - len(gap):
            return False
        return gap in (" ", "-", "‐", "–") or gap == ". " and len(a.text) <= 2 or gap in (".", ". ")

    def _match_at(self, text: str, tokens: list[Token], i: int):
        """The longest exact name (key, end index, demonym?) starting at token i."""
        t = tokens[i]
        limit = self.gaz.max_words.get(t.key, 0)
        if not limit:
            return None
        best = None
        j = i + 1
        while True:
            last = tokens[j - 1]
            if last.cap or last.text.isdigit():
                key = t.key if j == i + 1 else norm(text[t.start:last.end])
                dotted = norm(text[t.start:last.end + 1]) if text[last.end:last.end + 1] == "." \
                    else None
                if dotted and dotted in self.gaz.keys:
                    best = (dotted, j, False)  # the span takes the dot: "W.Va."
                elif key in self.gaz.demonym_keys:  # "Canadian" the people, not the Texas town
                    best = (key, j, True)
                elif key in self.gaz.keys:
                    best = (key, j, False)
                elif (t.key == "al" and text[t.end:t.end + 1] == "-" and key not in self.lex[
                        "not_places"] and unarticled(key) in self.gaz.keys):
                    best = (unarticled(key), j, False)  # "Al-Raqqa": the index has "Raqqa"
            if j - i >= min(limit, self.MAX_WORDS) or j >= len(tokens):
                break
            nxt = tokens[j]
            if not self._joinable(text, last, nxt) or not (nxt.cap or nxt.key in _CONNECTORS):
                break
            j += 1
        return best

    def chains(self, text: str, tokens: list[Token]) -> list[tuple[int, int]]:
        """Maximal runs of capitalised words (with inner connectors): proper-noun phrases."""
        out, i = [], 0
        while i < len(tokens):
            if not tokens[i].cap:
                i += 1
                continue
            j = i + 1
            while j < len(tokens) and self._joinable(text, tokens[j - 1], tokens[j]) and (
                    tokens[j].cap or (tokens[j].key in _CHAIN_CONNECTORS and j + 1 < len(tokens)
                                      and tokens[j + 1].cap
                                      and self._joinable(text, tokens[j], tokens[j + 1])
                                      and self._article_joins(text, tokens, j))):
                if _POSSESSIVE.search(text[tokens[j - 1].start:tokens[j - 1].end + 2]):
                    break
                if self._is_date(text, tokens, j):
                    break  # "Lagos April 4", "Idlib Monday": a date follows the name
                j += 1
            out.append((i, j))
            i = j
        return out

    @staticmethod
    def _article_joins(text, tokens, j) -> bool:
        """Whether the lower-case word j joins a proper-noun phrase. An Arabic article that is
        also an English word ("as", "at", "an") does only when hyphenated ("Deir ez-Zor",
        "Ras as-Sukkar"): "Georgia and Florida as Alabama braced" is three names."""
        t = tokens[j]
        if t.key not in _ENGLISH_ARTICLES:
            return True
        return text[t.end:t.end + 1] == "-" or text[t.start - 1:t.start] == "-"

    @staticmethod
    def _is_date(text, tokens, j) -> bool:
        """Token j opens a date: a weekday, or a month before a number ("April 4")."""
        t = tokens[j]
        if t.key in _WEEKDAYS:
            return True
        return t.key in _MONTHS and j + 1 < len(tokens) and tokens[j + 1].text.isdigit() and \
            text[t.end:tokens[j + 1].start] in (" ", ". ")

    def extract(self, text: str) -> tuple[list[Span], list[Token], list[tuple[int, int]]]:
        sents = sentences(text)
        tokens = tokenize(text, sents)
        chain_of = {}
        chains = self.chains(text, tokens)
        for a, b in chains:
            for k in range(a, b):
                chain_of[k] = (a, b)
        persons = self._person_words(tokens, chains)
        spans: list[Span] = []
        i = 0
        while i < len(tokens):
            t = tokens[i]
            start_ok = t.cap or (t.key in _ARTICLE_PREFIXES and i + 1 < len(tokens)
                                 and tokens[i + 1].cap and text[t.end:t.end + 1] in "-‐ ")
            m = self._match_at(text, tokens, i) if start_ok else None
            if not m:
                i += 1
                continue
            key, j, demonym = m
            if self._keep(text, tokens, i, j, key, demonym, chain_of, persons):
                a, b = sents[t.sent]
                end = tokens[j - 1].end + key.endswith(".")
                qualifier = self._qualifier(text, tokens, j)
                if qualifier and tokens[j].cap and chain_of.get(j):
                    end = tokens[j].end  # "Laurel County", "Idlib Province": the name's own word
                if not qualifier and not demonym and self._dateline(text, tokens, i, j) and any(
                        c.place.kind == "city" and c.place.population >= 100_000
                        for c in self.gaz.candidates(key)):
                    qualifier = "city"  # "GAZA —", "HOMS (Reuters) -": a dateline names a city
                nxt = self._next_word(text, tokens, j)
                border = demonym and nxt is not None and nxt.key in ("border", "frontier")
                if border:
                    end = tokens[j].end
                spans.append(Span(i, j, t.start, end, key, demonym, (a, b), qualifier,
                                  self._after(text, tokens, j), border))
            i = j
        spans += self._loose(text, tokens, sents, chains, spans, persons)
        if self.unknown_names:
            spans += self._unknown(text, tokens, sents, chains, spans)
        spans.sort(key=lambda s: s.start)
        return spans, tokens, sents

    def _loose(self, text, tokens, sents, chains, spans, persons) -> list[Span]:
        """Proper-noun phrases no exact key matched, looked up by their transliteration skeleton
        ("Maaret al-Numan" for "Ma'arrat an-Nu'man", "Jisr al-Shughour"), kept only when the
        match lies within 150 km of a place the document names exactly, in a country whose names
        are transliterated: spelling varies for the places a story is about, in Syria, not Ohio."""
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
            sa, sb = sents[words[0].sent]
            found.append(Span(a, b, words[0].start, words[-1].end, key, False, (sa, sb),
                              self._qualifier(text, tokens, b), self._after(text, tokens, b),
                              loose=near))
        return found

    def _unknown(self, text, tokens, sents, chains, spans) -> list[Span]:
        """Proper nouns the gazetteer lacks where the words before them say they are places:
        "in Kafr Nabudah", "near Tal Tamr", "the village of Hish"."""
        taken = {k for s in spans for k in range(s.i, s.j)}
        found = []
        for a, b in chains:
            if a == 0 or b - a > 3 or any(k in taken for k in range(a, b)):
                continue
            words, cue = tokens[a:b], tokens[a - 1]
            if text[cue.end:words[0].start] != " " or cue.cap or cue.key not in _CUES:
                continue
            if cue.key == "of" and not (a > 1 and tokens[a - 2].key in _CUED_OF
                                        and text[tokens[a - 2].end:cue.start] == " "):
                continue
            # the cue outweighs the guess that two unknown capitalised words are a person
            if any(w.key in self.lex["org_words"] or w.key in self.lex["not_places"]
                   or w.key in self.lex["titles"] or w.key in self.lex["function_words"]
                   for w in words):
                continue
            sa, sb = sents[words[0].sent]
            key = norm(text[words[0].start:words[-1].end])
            found.append(Span(a, b, words[0].start, words[-1].end, key, False, (sa, sb),
                              self._qualifier(text, tokens, b), self._after(text, tokens, b),
                              unknown=True))
        return found

    def _person_words(self, tokens, chains) -> set[str]:
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
                    t.key in self.gaz.demonym_keys or self._major(t.key) for t in words[:k]):
                for t in words[k + 1:]:
                    if t.key == "of":
                        break
                    out.add(t.key)
            elif (b - a <= 3 and all(t.cap for t in words)
                  and words[0].key not in lex["toponym_heads"]  # "Khan Shaykhoun": a place
                  and not any(t.key in lex["place_words"] or t.key in lex["org_words"]
                              or t.key in lex["function_words"] or t.key in self.gaz.demonym_keys
                              for t in words)
                  and not self._is_key(norm(" ".join(t.text for t in words)))
                  # a country, state or big city is no surname: "Environment Canada"
                  and not self._major(words[-1].key)):
                out.add(words[-1].key)  # "Bob Jones ... Jones said"
        return out

    def _keep(self, text, tokens, i, j, key, demonym, chain_of, persons) -> bool:
        """Whether the name at tokens [i, j) names a place (or a people): each question below
        can rule it out."""
        if key in self.lex["not_places"] or (j - i == 1 and key in self.lex["titles"]):
            return False
        if self._inside_longer_name(text, tokens, i, j, key, demonym, chain_of):
            return False
        if " " not in key and (  # a one-word name (as is "Al-Raqqa", keyed "raqqa")
                self._is_a_word(text, tokens, i, j, key, demonym)
                or self._names_a_person_or_brand(text, tokens, i, j, key, demonym, persons)):
            return False
        return not self._is_a_product(text, tokens, j)

    def _inside_longer_name(self, text, tokens, i, j, key, demonym, chain_of) -> bool:
        """Is the name part of a longer proper noun: a person's ("President Assad", "Michael
        Smith"), an organisation's ("The Moscow Times", "Syria TV")?"""
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
                    or self._major(key) or (" " not in key
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
                after[0].key in _NATIONAL_FORCES and self._state_or_country(key)):
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

    def _is_a_word(self, text, tokens, i, j, key, demonym) -> bool:
        """Is the one-word name an ordinary word, capitalised only where it stands ("Most",
        "Samples" opening a sentence), or an acronym ("FDA", "SANA")?"""
        t = tokens[i]
        if key in self.lex["function_words"] and (t.first or t.text.istitle()):
            return True
        if demonym:
            return False
        if key in self.gaz.common_words and not self._major(key):
            return True
        if t.first and key in self.gaz.english_words and not (
                self._major(key) or self._after(text, tokens, j) or tokens[i + 1:i + 2] and
                tokens[i + 1].cap and self._joinable(text, t, tokens[i + 1])):
            return True  # "Samples from the ducks...": a word opening the sentence
        # short capitals are acronyms ("FDA", "UN", "SANA") unless they abbreviate a country
        # or state ("US", "UK", "NSW") or open a dateline ("ADEN (Reuters) -")
        return t.text.isupper() and len(t.text) <= 5 and all(
            c.place.kind == "city" for c in self.gaz.candidates(key)) and not \
            self._dateline(text, tokens, i, j)

    def _names_a_person_or_brand(self, text, tokens, i, j, key, demonym, persons) -> bool:
        """Is the one-word name someone's (a surname seen before, a name after a title, one
        that speaks or is described as a person) or a brand's?"""
        t = tokens[i]
        if key in persons:
            return True
        prev = tokens[i - 1] if i and text[tokens[i - 1].end:t.start] in (" ", ". ") else None
        if prev and prev.sent == t.sent and prev.key in self.lex["titles"] and prev.cap:
            return True
        if demonym:
            return False
        nxt = self._next_word(text, tokens, j)
        of = i > 0 and tokens[i - 1].key == "of" and text[tokens[i - 1].end:t.start] == " "
        if nxt and nxt.key in _SPEECH and not of and not self._major(key):
            # "Hartl said": people speak; of places only capitals and states do (and in
            # "residents of Saraqib said" the place is not the one speaking)
            return True
        end = tokens[j - 1].end
        # "Qasim, 19, a volunteer", "Farah, a 30-year-old nurse", "the driver, Salem,": a
        # person (even one named like a province)
        if (_PERSON_AFTER.match(text, end) or text[end:end + 1] == "," and text[
                t.start - 2:t.start] == ", " and _PERSON_BEFORE.search(
                text, max(0, t.start - 40), t.start)) and not self._country(key):
            return True
        # "she flew Delta", "flew Emirates to": an airline, unless the name is a country's or a
        # big city's own ("flying Turkey's flag", "flew Damascus to Beirut"); "drove a Lincoln
        # to": a brand, unless a major place
        return bool((_FLOWN.search(text, max(0, t.start - 8), t.start) and not self._flown_over(key))
                    or (_BRAND_BEFORE.search(text, max(0, t.start - 12), t.start)
                        and _BRAND_AFTER.match(text, end) and not self._major(key)))

    def _is_a_product(self, text, tokens, j) -> bool:
        """Does a product's or a disease's noun follow ("Aleppo soap", "Reston ebolavirus")?"""
        nxt = self._next_word(text, tokens, j)
        return bool(nxt and not nxt.cap and (nxt.key in self.lex["products"]
                                             or nxt.key.endswith("virus")))

    def _is_key(self, key: str) -> bool:
        """Whether the index names a place so, with or without its article ("Al Raqqa")."""
        return key in self.gaz.keys or unarticled(key) in self.gaz.keys

    def _major(self, key: str) -> bool:
        """A name whose best-known bearer is a country, state or big city: "China", "Nice"
        as a word would not stop it."""
        return key in self.gaz.keys and any(  # (most words asked are no name: no lookup)
            c.place.kind in ("country", "admin1", "continent", "region")
            or c.place.population >= 1_000_000 for c in self.gaz.candidates(key))

    def _flown_over(self, key: str) -> bool:
        """Whether the name is the main name of a country or a city of a million people: what
        a flag or a flight is of, never an airline (an airline bears a region's name, "Delta",
        or a country's other one, "Emirates")."""
        return key in self.gaz.keys and any(
            c.primary and (c.place.kind == "country" or c.place.kind == "city"
                           and c.place.population >= 1_000_000) for c in self.gaz.candidates(key))

    def _dateline(self, text, tokens, i, j) -> bool:
        """Whether tokens [i, j) open a dateline: a name in capitals opening its sentence,
        followed by the agency, the country or the date ("ADEN (Reuters) -", "IDLIB, Syria",
        "CAIRO, March 3") or by a dash or colon ("GAZA —")."""
        t = tokens[i]
        if not (t.first and text[t.start:tokens[j - 1].end].isupper()):
            return False
        m = _DATELINE_AFTER.match(text, tokens[j - 1].end)
        if not m:
            return False
        if m.group() == ",":
            return bool(self._after(text, tokens, j)) or (
                j < len(tokens) and tokens[j].key in _MONTHS)
        return True

    def _country(self, key: str) -> bool:
        return key in self.gaz.keys and any(
            c.place.kind in ("country", "continent") for c in self.gaz.candidates(key))

    def _state_or_country(self, key: str) -> bool:
        return any(c.place.kind in ("country", "admin1") for c in self.gaz.candidates(key))

    def _paired(self, text, tokens, i, j, b) -> bool:
        """Whether tokens [i, j) and [j, b) are two places joined by a hyphen (a road, a route
        or a front between them: "Damascus-Beirut", "Kyiv-Odesa"), not one longer name.
        Both must be names the index knows that are no English words ("Coca-Cola")."""
        if j >= b or text[tokens[j - 1].end:tokens[j].start] not in _HYPHENS:
            return False
        left = norm(text[tokens[i].start:tokens[j - 1].end])
        right = norm(text[tokens[j].start:tokens[b - 1].end])
        return all(k in self.gaz.keys and (k not in self.gaz.english_words or self._major(k))
                   for k in (left, right))

    @staticmethod
    def _next_word(text, tokens, j) -> Token | None:
        """The word right after token j-1, if `tokenize` kept it (nothing but space between)."""
        if j >= len(tokens) or text[tokens[j - 1].end:tokens[j].start] not in (" ", "-"):
            return None
        return tokens[j]

    def _qualifier(self, text, tokens, j) -> str:
        """What the words right after a name say it is: 'Idlib province', 'Aleppo city',
        "Hama's countryside"."""
        nxt = self._next_word(text, tokens, j)
        if nxt is None and j < len(tokens) and text[tokens[j - 1].end:tokens[j].start] in ("'s ", "’s "):
            nxt = tokens[j]
        return _QUALIFIERS.get(nxt.key, "") if nxt else ""

    def _after(self, text, tokens, j) -> str:
        """The key of the capitalised words after a comma: the "Texas" of "Paris, Texas"."""
        if j >= len(tokens) or text[tokens[j - 1].end:tokens[j].start].strip() != ",":
            return ""
        if not tokens[j].cap or tokens[j].sent != tokens[j - 1].sent:
            return ""
        k = j + 1
        while k < len(tokens) and k - j < 4 and tokens[k].cap and self._joinable(
                text, tokens[k - 1], tokens[k]):
            k += 1
        for end in range(k, j, -1):
            key = norm(text[tokens[j].start:tokens[end - 1].end])
            dotted = norm(text[tokens[j].start:tokens[end - 1].end + 1])
            if dotted in self.gaz.keys:
                return dotted
            if key in self.gaz.keys:
                return key
        return ""


_HYPHENS = ("-", "‐", "–")
_DATELINE_AFTER = re.compile(r",|\s*\([A-Z][\w .&/-]{0,30}\)|\s+[—–-]\s|:\s")
# Arabic articles that are English words too: they join a name only when hyphenated
_ENGLISH_ARTICLES = frozenset("as at an ad ash".split())
_MONTHS = frozenset(norm(m) for m in (
    "January February March April May June July August September October November December "
    "Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec").split())
_WEEKDAYS = frozenset(norm(d) for d in "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split())
# A country's or state's own forces are named by it: "U.S. Army", "Texas National Guard"
_NATIONAL_FORCES = frozenset(
    "army navy air armed forces force marines marine guard coast national defense defence security "
    "police".split())
_QUALIFIERS = {
    "province": "admin1", "governorate": "admin1", "region": "admin1", "state": "admin1",
    "oblast": "admin1", "prefecture": "admin1", "countryside": "admin1",
    "county": "admin2", "district": "admin2", "parish": "admin2",
    "city": "city", "town": "city", "village": "city", "township": "city",
}
# Verbs of speech: a small town does not "say", a person does ("Hartl said").
_SPEECH = frozenset("said says told added stated explained noted wrote argued recalled".split())
# Words before a proper noun that make it a place ("in X", "the village of X").
_CUES = frozenset("in near outside toward towards around of".split())
_CUED_OF = frozenset("village town city outskirts camp countryside".split())
# Lower-case words the rules read; every other lower-case word is skipped by `tokenize`.
# Joining words ("of", "al", "and", "in") matter only before a capitalised word ("Isle of Man",
# "an-Nu'man", "in Idlib"), or before another joining word ("Saint Vincent and the Grenadines").
_JOINING = _CONNECTORS | _CHAIN_CONNECTORS | _CUES
_READ_AFTER_A_NAME = frozenset(_QUALIFIERS) | {"border", "frontier"} | _CUED_OF | _SPEECH | {
    line.strip() for line in (_DATA / "products.txt").read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.startswith("#")}


def _alternation(words) -> str:
    """A regex matching any of `words`, as a letter trie ("t(?:he|oward(?:s)?)"): the engine
    then rules out most words at their first letter instead of trying every alternative."""
    tree: dict = {}
    for word in words:
        node = tree
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}  # a word ends here

    def pattern(node: dict) -> str:
        branches = [re.escape(c) + pattern(node[c]) for c in sorted(node) if c]
        if not branches:
            return ""
        if len(branches) == 1 and "" not in node:
            return branches[0]
        return "(?:" + "|".join(branches) + ")" + ("?" if "" in node else "")

    return pattern(tree)


# A word `tokenize` keeps: one starting with a capital (or any non-ASCII letter, sorted out
# after) or a digit, a joining word before a capital, a word read after a name, or a virus
# ("Reston ebolavirus").
_JOINING_WORD = _alternation(_JOINING)
_KEPT_WORD = re.compile(
    r"(?<!\w)(?:[^\W_a-z]\w*(?:['’ʿʾ‘]\w+)*"
    r"|(?:" + _JOINING_WORD + r")(?=[ -](?:[^\W_a-z]|(?:" + _JOINING_WORD + r")[ -][^\W_a-z]))"
    r"|(?:" + _alternation(_READ_AFTER_A_NAME) + r"|[a-z]*virus)(?!\w))")
_PERSON_NOUNS = _alternation(
    line.strip() for line in (_DATA / "person_nouns.txt").read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.startswith("#"))
# "Qasim, 19,", "Farah, a 30-year-old nurse", "Olena, a teacher", "Mariam, who"
_PERSON_AFTER = re.compile(
    r",\s+(?:\d{1,3}\s*,|who\b|(?:an?|the)\s+(?:[\w’'-]+\s+){0,3}?(?:\d+-year-old\b|"
    + _PERSON_NOUNS + r"(?:'s|’s)?\b))")
# "The driver, Salem, said", "her son, Jordan,"
_PERSON_BEFORE = re.compile(r"\b(?:" + _PERSON_NOUNS + r")(?:'s|’s)?,\s$")
# "drove a Lincoln to", "bought an Apple.": an indefinite article, then no noun (not "a Homs
# resident", where the place qualifies the noun)
_BRAND_BEFORE = re.compile(r"\b(?:a|an)\s$")
_BRAND_AFTER = re.compile(r"[.,;:!?)]|\s+(?:to|in|at|from|with|and|or|for|on|that|which|was|is)\b")
_FLOWN = re.compile(r"\b(?:flew|fly|flies|flying|flown)\s$")
