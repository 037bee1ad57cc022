"""Mention roles: for each place name, what its sentence says happened there.

A name is the site of an *event* (and of which type), an *actor* ("Russian jets", "Damascus
said"), the *origin/destination* of a movement, the *dateline/source* of the report, or
*background*. Rules read the sentence (geodata.roles.classify), over word lists in
geodata/data/roles/; `assign` gives the parser's mentions their roles.
"""
from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

from .classify import RoleClassifier
from .decision import ACTOR, BACKGROUND, EVENT, EVENT_TYPES, MOVEMENT, ROLES, SOURCE, Role

__all__ = ["ACTOR", "BACKGROUND", "EVENT", "EVENT_TYPES", "MOVEMENT", "ROLES", "SOURCE", "Role",
           "RoleClassifier", "assign", "classifier"]


@lru_cache(maxsize=1)
def classifier() -> RoleClassifier:
    """The process's classifier (its word lists are read once)."""
    return RoleClassifier()


def assign(text: str, mentions: list) -> list:
    """The mentions of `text`, each with its role, event type and trigger span."""
    roles = classifier().classify(text, mentions)
    return [replace(m, role=r.role, event_type=r.event_type, trigger=r.trigger)
            for m, r in zip(mentions, roles)]
