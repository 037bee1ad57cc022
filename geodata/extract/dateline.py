"""Dates and datelines: a date ends a name's phrase ("Idlib Monday"), and a name in capitals
opening a dateline names a city ("GAZA —", "HOMS (Reuters) -")."""
from __future__ import annotations

import re

from ..names import norm
from .context import after
from .tokens import Token

_DATELINE_AFTER = re.compile(r",|\s*\([A-Z][\w .&/-]{0,30}\)|\s+[—–-]\s|:\s")
_MONTHS = frozenset(norm(m) for m in (
    "January February March April May June July August September October November December "
    "Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec").split())
_WEEKDAYS = frozenset(norm(d) for d in "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split())


def opens_date(text: str, tokens: list[Token], j: int) -> bool:
    """Token j opens a date: a weekday, or a month before a number ("April 4")."""
    t = tokens[j]
    if t.key in _WEEKDAYS:
        return True
    return t.key in _MONTHS and j + 1 < len(tokens) and tokens[j + 1].text.isdigit() and \
        text[t.end:tokens[j + 1].start] in (" ", ". ")


def dateline(text: str, tokens: list[Token], i: int, j: int, keys) -> bool:
    """Whether tokens [i, j) open a dateline: a name in capitals opening its sentence,
    followed by the agency, the country or the date ("ADEN (Reuters) -", "IDLIB, Syria",
    "CAIRO, March 3") or by a dash or colon ("GAZA —"). `keys`: the index's name keys."""
    t = tokens[i]
    if not (t.first and text[t.start:tokens[j - 1].end].isupper()):
        return False
    m = _DATELINE_AFTER.match(text, tokens[j - 1].end)
    if not m:
        return False
    if m.group() == ",":
        return bool(after(text, tokens, j, keys)) or (
            j < len(tokens) and tokens[j].key in _MONTHS)
    return True
