"""The order in which the questions are asked of each name, and the sentence-by-sentence loop.

For a name (or a group of names joined by "and"): is it the dateline, or a source, actor or
maker by its suffix ("Britain-based", "Turkish-backed", "Iranian-made")? A people's name
("Russian") acts when an agent noun or a verb of agents follows, else it is background. For a
place name, its governor decides first: the preposition before it and the word that preposition
hangs on ("struck a market in Saraqib", "talks in Stockholm", "officials in Baghdad", "launched
from Hmeimim"), or the verb it is the object of ("shelled Saraqib", "backed Damascus"). Then
the words after it: a passive ("Saraqib was hit"), a verb of agents ("Damascus said"), an event
verb ("Palmyra fell"). An apposition takes the role of the name it describes ("Mekelle, the
capital of Tigray"). Last, the nearest event word of its chunk or clause; else background.
"""
from __future__ import annotations

from typing import Sequence

from . import actor, dateline, event, movement
from .decision import BACKGROUND, NO_ROLE, Role
from .lexicon import Lexicon, lexicon
from .sentence import PLACE, Group, Sentence

HEAD_REACH = 7  # words looked back from a preposition for the word it hangs on
# A "sentence" longer than this (characters) is text the splitter could not cut (a list, a run
# with no stops, a damaged file): it is read in pieces of this length, so a name's role costs
# the same whatever the text around it (the rules look across a sentence: whole, such a run
# made the roles quadratic, a minute for one 500 KB article). News sentences run under 500.
MAX_SENTENCE = 2000
_HEAD_TAGS = ("event:", "actors.governing", "actors.support", "context.background",
              "context.venue", "movement.movement")
_EXTRA_PREPOSITIONS = frozenset(("by", "with", "between", "against"))


class RoleClassifier:
    """Roles for the mentions of a text: `classify(text, mentions)`, one Role per mention.

    A mention needs `start`, `end`, `sent_start`, `sent_end` and `kind` ("demonym" for a
    people's name); geodata.model.Mention has them, and so do the store's rows."""

    def __init__(self, lex: Lexicon | None = None) -> None:
        self.lex = lex or lexicon()

    def classify(self, text: str, mentions: Sequence) -> list[Role]:
        roles = [NO_ROLE] * len(mentions)
        sentences: dict[tuple[int, int], list[int]] = {}
        for i, m in enumerate(mentions):
            sentences.setdefault((m.sent_start, m.sent_end), []).append(i)
        for (a, b), members in (piece for item in sentences.items() for piece in _pieces(item, mentions)):
            kept, last_end = [], -1
            for i in members:  # overlapping spans cannot both be tokens: the first stays
                if mentions[i].start >= last_end:
                    kept.append(i)
                    last_end = mentions[i].end
            s = Sentence(text, a, b, [(mentions[i].start, mentions[i].end) for i in kept], self.lex)
            decided: dict[int, Role] = {}  # token index of a name -> its role
            for g in s.groups:
                ms = [mentions[kept[k]] for k in g.mentions]
                for k, role in zip(g.mentions, self._group(s, g, ms, decided)):
                    roles[kept[k]] = role
                    decided[s.token_of[k]] = role
        return roles

    def _group(self, s: Sentence, g: Group, ms: list, decided: dict[int, Role]) -> list[Role]:
        own = [dateline.dateline(s.text, m.start, m.end) or dateline.suffix(s, m.end)
               or actor.suffix(s, m.end) for m in ms]
        if all(own):
            return own
        shared = self._decide(s, g, all(m.kind == "demonym" for m in ms), decided)
        return [r or shared for r in own]

    def _decide(self, s: Sentence, g: Group, demonym: bool, decided: dict[int, Role]) -> Role:
        lex = self.lex
        gov = g.first - 1  # the word governing the names, past the words that are part of it
        while gov >= 0 and s.tokens[gov].place < 0 and s.words[gov] in lex["context.place_words"]:
            gov -= 1
        word = s.words[gov] if gov >= 0 else ""
        after = g.last + 1
        possessive = after < len(s.words) and s.words[after] in ("'s", "’s")
        if demonym and not actor.territory_after(s, g):
            return (actor.agent_after(s, g, attacks=True) or actor.subject(s, g)
                    or Role(BACKGROUND, rule="a people's name"))
        prep = word in lex["context.locative"] or word in _EXTRA_PREPOSITIONS
        if possessive or not prep:
            role = actor.agent_after(s, g, reach=3 if possessive else 1)
            if role:
                return role
        if prep:
            role = self._preposition(s, g, gov)
        elif gov >= 0 and s.tokens[gov].chunk >= 0 and word != PLACE:
            role = self._object(s, g, gov)
        else:
            role = None
        opens = gov < 0 or s.tokens[gov].chunk < 0 or word in lex["modality.scope_ends"]
        return (role
                or event.passive(s, g)                     # "Saraqib was shelled"
                or event.description(s, g)                 # "Idlib is home to..."
                or actor.subject(s, g, opens)              # "Damascus said"
                or event.intransitive(s, g)                # "Palmyra fell"
                or actor.subject(s, g, opens, loose=True)  # "Damascus would work out..."
                or self._apposition(s, gov, decided)       # "Mekelle, the capital of Tigray"
                or event.nearest(s, g)
                or NO_ROLE)

    def _preposition(self, s: Sentence, g: Group, prep: int) -> Role | None:
        word = s.words[prep]
        head = self._head(s, prep)
        role = dateline.before(s, prep) or actor.by_preposition(s, prep, head)
        if role or head is None:
            return role
        tags = s.tags[head]
        if "context.background" in tags:
            return Role(BACKGROUND, trigger=s.span(head), rule=f"setting: '{s.words[head]}'")
        if word in ("in", "at") and ("context.venue" in tags or self._venue_before(s, head)):
            return Role(BACKGROUND, trigger=s.span(head), rule="venue")
        etype = event.event_type(s, head)
        if word in self.lex["context.movement_prepositions"]:
            # "launched a drone from Yemen": a movement's end, though a weapon is nearer
            mover = self._head(s, prep, ("movement.movement",))
            if mover is not None and event.event_type(s, mover) in (None, "capture/advance",
                                                                    "strike/shelling"):
                return movement.movement(s, g, mover, word)
        if etype:
            return event.event_at(s, g, head, f"'{s.words[head]} {word}'")
        return None

    def _object(self, s: Sentence, g: Group, verb: int) -> Role | None:
        tags = s.tags[verb]
        role = actor.object_of(s, verb)
        if role:
            return role
        if "context.background" in tags:
            return Role(BACKGROUND, trigger=s.span(verb), rule=f"setting: '{s.words[verb]}'")
        etype = event.event_type(s, verb)
        if "movement.movement" in tags and etype in (None, "capture/advance"):
            return movement.movement(s, g, verb, None)
        if etype:
            return event.event_at(s, g, verb, f"object of '{s.words[verb]}'")
        return None

    @staticmethod
    def _head(s: Sentence, prep: int, tags: tuple[str, ...] = _HEAD_TAGS) -> int | None:
        """The word a preposition hangs on: the nearest word of the lists before it in its chunk
        ("struck a market in", "officials in", "talks in"), past other names."""
        chunk = s.tokens[prep].chunk
        for k in range(prep - 1, max(-1, prep - 1 - HEAD_REACH), -1):
            if s.tokens[k].chunk != chunk:
                return None
            if any(tag.startswith(tags) for tag in s.tags[k]):
                return k
        return None

    def _venue_before(self, s: Sentence, noun: int) -> bool:
        """ "signed a ceasefire in Havana": a deal's noun after a venue verb; "in" is where it
        was signed, not where it holds."""
        if event.event_type(s, noun) != "agreement/ceasefire":
            return False
        return any("context.venue" in s.tags[k] for k in range(max(0, noun - 3), noun))

    @staticmethod
    def _apposition(s: Sentence, gov: int, decided: dict[int, Role]) -> Role | None:
        """ "Wad Madani, the capital of Gezira", "Palma in Cabo Delgado", "Nyala, Sudan's
        second city": the name after a comma or "in" takes the role of the name before."""
        if gov >= 1 and s.words[gov] in (",", "in") and gov - 1 in decided:
            return decided[gov - 1]
        return None


def _pieces(sentence: tuple[tuple[int, int], list[int]], mentions: Sequence):
    """The sentence's span and its mentions in text order; a sentence over MAX_SENTENCE
    characters as pieces of about that length (each ending after its last name)."""
    (a, b), members = sentence
    members = sorted(members, key=lambda i: mentions[i].start)
    if b - a <= MAX_SENTENCE:
        yield (a, b), members
        return
    pieces: dict[int, list[int]] = {}
    for i in members:
        pieces.setdefault((mentions[i].start - a) // MAX_SENTENCE, []).append(i)
    for k, piece in pieces.items():
        end = max(a + (k + 1) * MAX_SENTENCE, max(mentions[i].end for i in piece))
        yield (a + k * MAX_SENTENCE, min(end, b)), piece
