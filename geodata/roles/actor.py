"""Does the name stand for someone who acts or speaks? "Russian jets", "Turkish-backed
factions", "Turkey's defence ministry", "Damascus said", "backed by Moscow", "officials in
Baghdad", "accused Moscow of...", "talks between Armenia and Azerbaijan"."""
from __future__ import annotations

import re

from .decision import ACTOR, BACKGROUND, Role
from .sentence import PLACE, Group, Sentence

_SUFFIX = re.compile(r"[-‐](\w+)")
_BETWEEN_WORDS = ("event:agreement/ceasefire", "event:clash", "context.background")
_WITH_PARTY = _BETWEEN_WORDS + ("context.venue", "actors.agentive")
_VERBS = ("actors.agentive", "event:", "movement.movement", "context.be")


def suffix(s: Sentence, end: int) -> Role | None:
    """ "Turkish-backed", "US-led", "Moscow-brokered" act; "Iranian-made" drones do not."""
    m = _SUFFIX.match(s.text, end)
    if not m:
        return None
    word = m.group(1).lower()
    if word in s.lex["actors.suffixes"]:
        return Role(ACTOR, trigger=(m.start(1), m.end(1)), rule=f"-{word}")
    if word in s.lex["actors.made_suffixes"]:
        return Role(BACKGROUND, trigger=(m.start(1), m.end(1)), rule=f"-{word}")
    return None


_ATTACKS = ("event:strike/shelling", "event:clash", "event:capture/advance")


def agent_after(s: Sentence, g: Group, reach: int = 2, attacks: bool = False) -> Role | None:
    """An agent noun right after the names ("US troops", "Turkey's defence ministry", "Syrian
    state television"), with at most `reach` plain words between; with `attacks` (a people's
    name), an attack's word too ("an Israeli air strike", "the Turkish incursion")."""
    k = g.last + 1
    if k < len(s.words) and s.words[k] == "'s" or k < len(s.words) and s.words[k] == "’s":
        k += 1
    for q in range(k, min(len(s.words), k + reach + 1)):
        tok = s.tokens[q]
        if tok.chunk < 0 or tok.low == PLACE:
            return None
        if "actors.agents" in s.tags[q]:
            return Role(ACTOR, trigger=s.tag_span(q, "actors.agents"), rule="agent noun after")
        attack = next((t for t in _ATTACKS if t in s.tags[q]), None) if attacks else None
        if attack and s.words[q] in s.lex["actors.wars"]:  # "the Syrian war": nobody's act
            return None
        if attack:
            return Role(ACTOR, trigger=s.tag_span(q, attack), rule="attack after a people's name")
        if s.tags[q]:  # a word the lists know (a verb, an event) ends the noun phrase
            return None
    return None


def territory_after(s: Sentence, g: Group) -> bool:
    """A people's name used as a place: "Syrian territory", "Lebanese airspace"."""
    k = g.last + 1
    return k < len(s.words) and "actors.territory" in s.tags[k]


def subject(s: Sentence, g: Group, opens_clause: bool = False, loose: bool = False) -> Role | None:
    """The names are the subject of a verb of agents or speech: "Damascus said", "Iran and
    Russia have backed", "Turkey threatened", "Russia and its allies halted", and, when they
    open the clause, past an apposition or a relative clause between commas ("Turkey, which
    has backed the rebels, said"). A passive ("Saraqib was shelled") is no actor. `loose`: any
    verb after a modal or "has" will do ("Damascus would work out...")."""
    lex, n = s.lex, len(s.words)
    k = g.last + 1
    if k < n and s.words[k] in ("and", "or"):  # "Russia and its allies": plain words, then the verb
        q = k + 1
        while (q < min(n, k + 4) and s.tokens[q].chunk >= 0 and s.tokens[q].place < 0
               and not any(t.startswith(_VERBS) for t in s.tags[q])):
            q += 1
        k = q
    elif opens_clause and k < n and s.words[k] == ",":
        close = next((q for q in range(k + 1, min(n, k + 20)) if s.words[q] == ","), None)
        if close is None:
            return None
        k = close + 1
    verb = k
    while k < n and s.words[k] in lex["context.aux"]:
        k += 1
    if k >= n or "context.be" in s.tags[k]:
        return None
    if "actors.agentive" in s.tags[k]:
        return Role(ACTOR, trigger=s.tag_span(k, "actors.agentive"), rule="subject of a verb")
    if loose and k > verb and s.tokens[k].chunk >= 0 and s.tokens[k].place < 0 and s.words[k].isalpha():
        # "Damascus would work out...": a modal or "has" before a verb the lists do not know
        return Role(ACTOR, trigger=s.span(verb, k + 1), rule="subject of a verb")
    return None


def object_of(s: Sentence, verb: int) -> Role | None:
    """ "have backed Damascus", "accused Moscow of shelling": the object is a party."""
    if "actors.support" in s.tags[verb]:
        return Role(ACTOR, trigger=s.span(verb), rule="object of support or blame")
    return None


def by_preposition(s: Sentence, prep: int, head: int | None) -> Role | None:
    """Prepositions that make a party: "backed by X", "loyal to X", "according to X", "between
    X and Y" (in talks, deals, fighting), "against X" (not an attack), and "officials in X",
    "envoys from X"."""
    word = s.words[prep]
    before = s.words[prep - 1] if prep else ""
    if word == "by":
        return Role(ACTOR, trigger=s.span(prep - 1 if prep else prep, prep + 1), rule="by X")
    if word == "to" and before in ("loyal", "allied", "according", "close"):
        return Role(ACTOR, trigger=s.span(prep - 1, prep + 1), rule=f"'{before} to'")
    if word == "with":  # "clashed with X", "a ceasefire agreed with X"; not "the border with X"
        if prep and any(t.startswith(_WITH_PARTY) for t in s.tags[prep - 1]):
            return Role(ACTOR, trigger=s.span(prep - 1), rule="party: with")
        return Role(BACKGROUND, trigger=s.span(prep), rule="with X")
    if word == "between":
        k = next((k for k in range(len(s.words)) if s.same(k, prep, "clause")
                  and any(t in s.tags[k] for t in _BETWEEN_WORDS)), None)
        if k is not None:
            return Role(ACTOR, trigger=s.span(k), rule="party: between")
        return Role(BACKGROUND, trigger=s.span(prep), rule="between")
    if word == "against" and not (head is not None and any(
            t in s.tags[head] for t in ("event:strike/shelling", "event:clash",
                                        "event:capture/advance"))):
        return Role(ACTOR, trigger=s.span(prep), rule="against X")
    if head is not None and word in ("in", "from", "at", "to") and "actors.governing" in s.tags[head]:
        return Role(ACTOR, trigger=s.span(head), rule=f"governing noun {word} X")
    return None
