"""What the role rules decide for a name: its role, the event type, and the words that decided."""
from __future__ import annotations

from dataclasses import dataclass

EVENT = "event"
ACTOR = "actor"
MOVEMENT = "origin/destination"
SOURCE = "dateline/source"
BACKGROUND = "background"
ROLES = (EVENT, ACTOR, MOVEMENT, SOURCE, BACKGROUND)
EVENT_TYPES = ("strike/shelling", "clash", "capture/advance", "casualties", "displacement",
               "protest", "aid/humanitarian", "agreement/ceasefire")


@dataclass(frozen=True, slots=True)
class Role:
    """A name's role in its sentence. `trigger` is the character span of the words that decided
    it ("shelling", "said", "(Reuters) -", "denied"), None when nothing did (background by
    default); `event_type` is set only for events; `rule` names the rule, for the evaluation's
    error listing."""

    role: str
    event_type: str | None = None
    trigger: tuple[int, int] | None = None
    rule: str = ""


NO_ROLE = Role(BACKGROUND, rule="nothing said of it")
