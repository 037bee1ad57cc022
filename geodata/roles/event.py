"""Is it where something happened, and what? The event word that governs the name ("shelled
Saraqib", "clashes on the edge of Saraqib", "Saraqib was hit") or, failing that, the nearest
in its stretch of the sentence; then its type, checked for negation, hypotheticals and history.
"""
from __future__ import annotations

from .decision import BACKGROUND, EVENT, Role
from .modality import blocker
from .sentence import Group, Sentence

# The order in which a word of several types is read (longest phrase first in any case).
_TYPE_ORDER = ("strike/shelling", "capture/advance", "clash", "displacement", "protest",
               "aid/humanitarian", "agreement/ceasefire", "casualties")
_CAUSES = ("event:strike/shelling", "event:clash", "event:capture/advance")


def event_type(s: Sentence, t: int) -> str | None:
    """The type of the event word at token t (the longest phrase's; then by _TYPE_ORDER)."""
    found = [(-(end - t), _TYPE_ORDER.index(tag[6:]), tag[6:])
             for tag, end in s.tags[t].items() if tag.startswith("event:")]
    return min(found)[2] if found else None


def event_at(s: Sentence, g: Group, t: int, rule: str) -> Role:
    """The names' role given the event word at t: an event of its type unless denied,
    hypothetical or history."""
    etype = event_type(s, t)
    trigger = s.tag_span(t, f"event:{etype}")
    stop = blocker(s, t, g.first)
    if stop is not None:
        return Role(BACKGROUND, trigger=s.span(stop), rule=f"{etype} negated or hypothetical")
    segment = s.segment_words(g)
    if any(w in s.lex["context.history"] for w in segment):
        return Role(BACKGROUND, trigger=trigger, rule="history")
    if any(w in s.lex["context.not_war"] for w in (*segment, *s.chunk_words(t))):
        return Role(BACKGROUND, trigger=trigger, rule="a disaster or an accident, not war")
    if etype == "casualties":  # the dead were killed by something: that is the event
        cause = s.find(g, _CAUSES, "clause")
        if cause is not None and blocker(s, cause) is None:
            etype = event_type(s, cause)
            trigger = s.tag_span(cause, f"event:{etype}")
    elif (etype == "capture/advance" and s.words[t] in s.lex["movement.entry"]
          and any("movement.aid" in s.tags[k] for k in range(len(s.words))
                  if s.same(k, t, "clause"))):
        etype = "aid/humanitarian"  # "aid trucks entered Gaza"
    return Role(EVENT, etype, trigger, rule)


def nearest(s: Sentence, g: Group) -> Role | None:
    """The nearest event word in the names' chunk, else in their clause."""
    for scope in ("chunk", "clause"):
        t = s.find(g, ("event:",), scope)
        if t is not None:
            return event_at(s, g, t, f"nearest in {scope}")
    return None


def passive(s: Sentence, g: Group) -> Role | None:
    """ "Saraqib was shelled", "Idlib has been hit", "Saraqib came under heavy fire"."""
    lex, n = s.lex, len(s.words)
    k = g.last + 1
    while k < n and s.words[k] in lex["context.aux"]:
        k += 1
    if k >= n or "context.be" not in s.tags[k]:
        return None
    k = s.tags[k]["context.be"]
    for q in range(k, min(n, k + 4)):
        if s.tokens[q].chunk < 0 or s.tokens[q].place >= 0:
            return None
        if event_type(s, q):
            return event_at(s, g, q, "passive")
    return None


def description(s: Sentence, g: Group) -> Role | None:
    """ "Idlib is home to three million people", "Saraqeb remained contested": a description,
    no event (a passive, "Saraqib was shelled", was asked before)."""
    k = g.last + 1
    if k < len(s.words) and s.words[k] in s.lex["context.copula"]:
        return Role(BACKGROUND, trigger=s.span(k), rule="description")
    return None


def intransitive(s: Sentence, g: Group) -> Role | None:
    """ "Palmyra fell to Islamic State": an event verb right after the name (a verb of agents
    was asked before: "Turkey shelled" makes Turkey the actor)."""
    k = g.last + 1
    while k < len(s.words) and s.words[k] in s.lex["context.aux"]:
        k += 1
    if k < len(s.words) and event_type(s, k):
        return event_at(s, g, k, "subject of an event")
    return None
