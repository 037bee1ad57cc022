"""Did it happen? Negation ("denied shelling Saraqib", "no aid reached") and hypotheticals
("threatened to attack Idlib", "could launch an offensive", "if fighters entered Rafah")
in the stretch of the sentence before an event's word."""
from __future__ import annotations

from .sentence import Sentence

REACH = 8  # words looked back from the event's word


def blocker(s: Sentence, t: int, place: int | None = None) -> int | None:
    """The token that denies or suspends the event word at t, if any: before it, or between it
    and the place's token `place` ("fighting could spread to Mopti")."""
    lex = s.lex
    ends, not_negation = lex["modality.scope_ends"], lex["modality.not_negation"]
    between = range(place - 1, t, -1) if place is not None and place > t else range(0)
    if place is not None and place > t:  # "an assault on Idlib could trigger...": the noun's verb
        after = next((k for k in range(place + 1, min(len(s.words), place + 3))
                      if s.words[k] in lex["modality.modal_verbs"]), None)
        if after is not None and s.tokens[after].chunk == s.tokens[t].chunk:
            return after
    for k in [*between, *range(t - 1, max(-1, t - 1 - REACH), -1)]:
        tok = s.tokens[k]
        if tok.chunk != s.tokens[t].chunk or tok.low in ends:
            return None
        tags = s.tags[k]
        if tok.low.endswith(("n't", "n’t")):
            return k
        if ("modality.negation" in tags or "modality.hypothetical" in tags) and not any(
                " ".join(s.words[k:k + 2]) == phrase for phrase in not_negation):
            # a modal word is written in lower case ("May 2022" is a month), unless it opens
            # the sentence ("If the offensive reaches Idlib")
            if k == 0 or s.text[tok.start:tok.end].islower():
                return k
    return None
