"""Is the name where a movement starts or ends ("launched from Hmeimim", "sent military police
from Latakia to Manbij")? When the ones moving are civilians, it is displacement, an event at
both ends ("families drove north towards Sarmada"); when aid moves, aid arrives where it goes
("trucks entered Gaza through the Kerem Shalom crossing")."""
from __future__ import annotations

from .decision import BACKGROUND, EVENT, MOVEMENT, Role
from .modality import blocker
from .sentence import Group, Sentence


def _in_clause(s: Sentence, t: int, tag: str) -> bool:
    return any(tag in s.tags[k] for k in range(len(s.words)) if s.same(k, t, "clause"))


def movement(s: Sentence, g: Group, t: int, prep: str | None) -> Role:
    """The role of the names at an end of the movement said by token t."""
    trigger = s.span(t)
    stop = blocker(s, t, g.first)
    if stop is not None:
        return Role(BACKGROUND, trigger=s.span(stop), rule="movement negated or hypothetical")
    if _in_clause(s, t, "movement.people") or _in_clause(s, t, "event:displacement"):
        return Role(EVENT, "displacement", trigger, rule="civilians moving")
    if prep != "from" and _in_clause(s, t, "movement.aid"):
        return Role(EVENT, "aid/humanitarian", trigger, rule="aid moving")
    return Role(MOVEMENT, trigger=trigger, rule=f"movement {prep or 'object'}")
