"""Is the name the article's dateline ("ISTANBUL (Reuters) -", "Kharkiv, Ukraine —") or where
its source sits ("the Britain-based Observatory", "a monitor based in Britain", "told Reuters by
phone from Mogadishu")?"""
from __future__ import annotations

import re
from functools import lru_cache

from .decision import SOURCE, Role
from .sentence import Sentence

# A paragraph's opening words up to a dash (or a colon), with an agency in parentheses maybe.
_HEAD = re.compile(r"[ \t\"“]*(?P<head>[^\n]{1,100}?)[ \t]*(?:\((?P<agency>[^()\n]{1,40})\)[ \t]*)?"
                   r"(?P<mark>[-—–]{1,2}|:)[ \t]")
_WORD = re.compile(r"[^\W\d_][\w'’.-]*")


def dateline(text: str, start: int, end: int) -> Role | None:
    """A dateline role when the name is in the words that open its paragraph before the dash.

    Those words must all be capitalised ("BEIRUT, March 6 (AP) —"), and either name an agency,
    open in capitals, or hold a comma: a lone "Idlib — the last stronghold —" is no dateline."""
    para = text.rfind("\n", 0, start) + 1
    if start - para > 100:
        return None
    m = _HEAD.match(text, para)
    if not m or m.end("head") < end or m.start("head") > start:
        return None
    head = m.group("head")
    words = _WORD.findall(head)
    if not words or any(w[0].islower() for w in words):
        return None
    first = head.split(",")[0]
    if m.group("mark") == ":" and not first.isupper():
        return None
    if not (m.group("agency") or first.isupper() or "," in head):
        return None
    opens = m.start("agency") - 1 if m.group("agency") else m.start("mark")
    return Role(SOURCE, trigger=(opens, m.end("mark")), rule="dateline")


def suffix(s: Sentence, end: int) -> Role | None:
    """ "Britain-based", "London-headquartered": the source sits there."""
    m = _SUFFIX.match(s.text, end)
    if m and m.group(1).lower() in s.lex["sources.suffixes"]:
        return Role(SOURCE, trigger=(m.start(1), m.end(1)), rule="-based")
    return None


def before(s: Sentence, prep: int) -> Role | None:
    """ "based in X", "reporting from X", "by phone from X": the words ending at the
    preposition `prep` say the source is there."""
    for words in _before(s.lex).get(s.words[prep], ()):
        a = prep - len(words) + 1
        if a >= 0 and s.words[a:prep + 1] == words:
            return Role(SOURCE, trigger=s.span(a, prep + 1), rule=f"'{' '.join(words)}'")
    return None


@lru_cache(maxsize=4)
def _before(lex) -> dict[str, list[list[str]]]:
    """The lists' "before" cues by their last word (the preposition)."""
    out: dict[str, list[list[str]]] = {}
    for entry in lex["sources.before"]:
        words = entry.split()
        out.setdefault(words[-1], []).append(words)
    return out


_SUFFIX = re.compile(r"[-‐](\w+)")
