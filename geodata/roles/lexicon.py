"""The classifier's word lists (geodata/data/roles/*.txt), loaded once, and phrase lookup.

A list file holds `section: entry, entry` lines; an entry may be several words. Every entry
becomes a tag "file.section" (or "event:TYPE" for events.txt), looked up in a sentence by
`Lexicon.tags`, longest phrase first.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data" / "roles"
_SECTION = re.compile(r"^([\w/-]+):(.*)$")


def read_sections(path: Path) -> dict[str, list[str]]:
    """{section: [entries]} of one list file."""
    out: dict[str, list[str]] = {}
    section = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        m = _SECTION.match(line)
        if m and not raw[0].isspace():
            section, line = m.group(1), m.group(2)
            out.setdefault(section, [])
        if section is None:
            raise ValueError(f"{path}: entries before any section: {raw!r}")
        out[section] += [e.strip().lower() for e in line.split(",") if e.strip()]
    return out


class Lexicon:
    """Every list, as tags on phrases: `tags(words, i)` says what the words from i start."""

    def __init__(self, folder: Path = DATA) -> None:
        self.sets: dict[str, frozenset[str]] = {}
        # first word -> [(words, tag)], longest first
        self._phrases: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for path in sorted(folder.glob("*.txt")):
            for section, entries in read_sections(path).items():
                tag = f"event:{section}" if path.stem == "events" else f"{path.stem}.{section}"
                self.sets[tag] = frozenset(entries)
                for entry in entries:
                    words = tuple(entry.split())
                    self._phrases.setdefault(words[0], []).append((words, tag))
        for options in self._phrases.values():
            options.sort(key=lambda o: -len(o[0]))
        self.first_words = frozenset(self._phrases)
        self.event_types = tuple(t[len("event:"):] for t in self.sets if t.startswith("event:"))

    def __getitem__(self, tag: str) -> frozenset[str]:
        return self.sets[tag]

    def tags(self, words: list[str], i: int) -> dict[str, int]:
        """{tag: end} for every phrase of the lists that starts at words[i] (end exclusive)."""
        options = self._phrases.get(words[i])
        if not options:
            return {}
        found: dict[str, int] = {}
        for phrase, tag in options:
            n = len(phrase)
            if tag not in found and tuple(words[i:i + n]) == phrase:
                found[tag] = i + n
        return found


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    return Lexicon()
