"""A text's sentences and the words a name can be made of or qualified by."""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..names import WORD_FORMS, norm
from .words import CHAIN_CONNECTORS, CONNECTORS, CUED_OF, CUES, QUALIFIERS, SPEECH, read_list

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


@dataclass(slots=True)
class Token:
    start: int
    end: int
    text: str
    key: str  # norm(text)
    cap: bool  # starts with a capital letter
    sent: int  # index of its sentence
    first: bool  # first word of its sentence


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


def joinable(text: str, a: Token, b: Token) -> bool:
    """b continues a name begun before it: same sentence, separated by a space or a hyphen."""
    if a.sent != b.sent:
        return False
    gap = text[a.end:b.start]
    if a.end != b.start - len(gap):
        return False
    return gap in (" ", "-", "‐", "–") or gap == ". " and len(a.text) <= 2 or gap in (".", ". ")


def alternation(words) -> str:
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


# Lower-case words the rules read; every other lower-case word is skipped by `tokenize`.
# Joining words ("of", "al", "and", "in") matter only before a capitalised word ("Isle of Man",
# "an-Nu'man", "in Idlib"), or before another joining word ("Saint Vincent and the Grenadines").
_JOINING = CONNECTORS | CHAIN_CONNECTORS | CUES
_READ_AFTER_A_NAME = frozenset(QUALIFIERS) | {"border", "frontier"} | CUED_OF | SPEECH | set(
    read_list("products.txt"))
# A word `tokenize` keeps: one starting with a capital (or any non-ASCII letter, sorted out
# after) or a digit, a joining word before a capital, a word read after a name, or a virus
# ("Reston ebolavirus").
_JOINING_WORD = alternation(_JOINING)
_KEPT_WORD = re.compile(
    r"(?<!\w)(?:[^\W_a-z]\w*(?:['’ʿʾ‘]\w+)*"
    r"|(?:" + _JOINING_WORD + r")(?=[ -](?:[^\W_a-z]|(?:" + _JOINING_WORD + r")[ -][^\W_a-z]))"
    r"|(?:" + alternation(_READ_AFTER_A_NAME) + r"|[a-z]*virus)(?!\w))")
