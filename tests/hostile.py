"""Hostile input, generated: the files of issue 10's attack, and random mutations of good articles.

Nothing here is committed as a binary: every file is made by a function, so what each one holds
reads in this file. `python tests/hostile.py DIR` writes the hostile files into DIR (to try them
by hand: `python -m geodata ingest DIR`). tests/test_hostile.py loads them defect by defect;
benchmarks/fuzz.py (and its smoke run in tests/test_fuzz.py) feeds the mutations through the
real loader, geoparser and store.
"""
from __future__ import annotations

import json
import random
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SEED = Path(__file__).resolve().parent.parent / "seeds" / "000_28c3ed94c38c146c.txt"

# Good articles, one file per format the loader reads: the originals every mutation starts from.
GOOD = ["article.txt", "article.md", "page.html", "articles.json", "articles.jsonl", "articles.csv",
        "feed.rss", "feed.atom"]

TEXT = "Shelling hit Saraqeb and Maarat al-Numan in Idlib province on Monday, rescuers said."


def jsonl(records: list[dict]) -> bytes:
    return "".join(json.dumps(r) + "\n" for r in records).encode()


def good_lines(count: int, start: int = 0, tag: str = "good") -> list[dict]:
    """Distinct, well-formed articles (each its own url, so each is its own article)."""
    return [{"title": f"Report {tag} {n}", "url": f"https://wire.example/{tag}/{n}",
             "date": "2020-02-03", "text": f"{TEXT} Report {n}."} for n in range(start, start + count)]


def bad_title_batch() -> bytes:
    """150 good lines, one whose title holds a lone surrogate, 10 good lines (issue 10, item 2)."""
    bad = {"title": "\ud800 Aleppo", "url": "https://wire.example/bad", "text": f"{TEXT} Bad title."}
    return jsonl(good_lines(150) + [bad] + good_lines(10, 150))


def utf16(text: str) -> bytes:
    return b"\xff\xfe" + text.encode("utf-16-le")


def yaml_alias_bomb() -> bytes:
    """401 bytes of front matter that nest 9 aliases 9 deep: 9**9 items once expanded."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{name}: &{name} [{','.join('*' + prev for _ in range(9))}]")
    lines.append("title: *i")
    return ("---\n" + "\n".join(lines) + "\n---\n" + TEXT + "\n").encode()


def front_matter(meta: str, body: str = TEXT) -> bytes:
    return f"---\n{meta}\n---\n{body}\n".encode()


def rss(pub_date: str) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Far Future Wire</title>
<item><title>From the year 9999</title><link>https://far.example/9999</link>
<pubDate>{pub_date}</pubDate><description>{TEXT}</description></item>
</channel></rss>
""".encode()


# name -> (what it is, how it is made). Each is a defect of the issue, by its reproduction.
HOSTILE: dict[str, tuple[str, Callable[[], bytes]]] = {
    "utf16_lone_surrogate.txt": ("UTF-16 with a BOM and a lone surrogate",
                                 lambda: utf16(TEXT)[:40] + b"\x00\xd8" + utf16(" Aleppo too.")[2:]),
    "utf16_odd_length.txt": ("UTF-16 with a BOM and an odd number of bytes", lambda: utf16(TEXT) + b"A"),
    "deep.json": ("JSON nested 100,000 deep", lambda: b"[" * 100_000 + b"]" * 100_000),
    "deep_line.jsonl": ("a JSON line nested 100,000 deep between good ones",
                        lambda: jsonl(good_lines(1, 0, "deepline")) + b"[" * 100_000 + b"]" * 100_000
                        + b"\n" + jsonl(good_lines(1, 1, "deepline"))),
    "huge_int.json": ("a JSON integer of 5,000 digits",
                      lambda: b'{"title": "Big number", "text": "' + TEXT.encode() + b'", "date": '
                      + b"9" * 5000 + b"}"),
    "surrogate_text.json": ('"\\ud800" in a text and a url',
                            lambda: json.dumps({"title": "Lone surrogate", "url": "https://x.example/\ud800",
                                                "text": TEXT + " \ud800"}).encode()),
    "bad_title.jsonl": ("150 good lines, a title with a lone surrogate, 10 good lines", bad_title_batch),
    "yaml_alias_bomb.md": ("401 bytes of nested YAML aliases (9**9 items)", yaml_alias_bomb),
    "yaml_deep.md": ("front matter nested 20,000 brackets deep", lambda: front_matter("title: " + "[" * 20_000)),
    "emphasis_bomb.md": ('"**a " * 50,000 in Markdown (200 KB)', lambda: ("**a " * 50_000).encode()),
    "link_bomb.md": ('"[" * 100,000 in Markdown', lambda: ("[" * 100_000 + " Aleppo").encode()),
    "tag_bomb.json": ('"<p " * 100,000 in a JSON body', lambda: json.dumps({"text": "<p " * 100_000}).encode()),
    "support_bomb.txt": ("a line that made the boilerplate pattern backtrack exponentially",
                         lambda: ("Support " + "A" * 60 + "?\n\n" + TEXT).encode()),
    "date_bomb.md": ('a front-matter date of "12 January " * 20,000 (220 KB)',
                     lambda: front_matter("date: " + "12 January " * 20_000)),
    "long_date.md": ('a front-matter date of "12 January " * 500 (under the front-matter limit)',
                     lambda: front_matter("date: " + "12 January " * 500)),
    "one_line.txt": ("a 5 MB single line", lambda: (TEXT + " ").encode() * (5 * 1024 * 1024 // (len(TEXT) + 1))),
    "far_future.md": ("a front-matter date of 9999-12-31", lambda: front_matter("date: 9999-12-31")),
    "far_future.rss": ("an RSS pubDate in 9999", lambda: rss("Fri, 31 Dec 9999 00:00:00 GMT")),
    "unterminated.csv": ("a CSV with an unterminated quote", lambda: (
        'title,text\nFirst,"' + TEXT + '\nSecond,Clashes near Afrin were reported.\n').encode()),
    "many_problems.json": ("a JSON list of 200,000 empty objects", lambda: b"[" + b"{}," * 199_999 + b"{}]"),
}


def hostile_files() -> dict[str, bytes]:
    return {name: make() for name, (_, make) in HOSTILE.items()}


def write(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in hostile_files().items():
        (folder / name).write_bytes(data)
        written.append(folder / name)
    return written


# ---------------------------------------------------------------------------------------------
# Mutations of good articles, for the fuzz run

# Fragments that broke, or might break, a step of the loader: encodings, nesting, regex traps,
# huge numbers and dates, markup of every format.
TOKENS = [
    b"\\ud800", b"\\udfff", "\ud800".encode("utf-8", "surrogatepass"), b"\x00", b"\xff\xfe",
    b"\xef\xbb\xbf", b"\xc3\x28", b"\x80\x81", b"\r", b"\n" * 500, b'"', b"'", b"\\", b",", b";",
    b"\t", b"[" * 3000, b"{" * 3000, b"]" * 50, b"**a " * 3000, b"[a](" * 2000, b"<p " * 3000,
    b"![" * 2000, b"`" * 501, b"_" * 3000, b"9" * 5000, b"-" + b"9" * 400 + b".5e99999",
    b"9999-12-31", b"0001-01-01", b"Fri, 31 Dec 9999 00:00:00 GMT", b"12 January " * 300,
    b"&a [*a,*a,*a]", b"---\n", b"...\n", b"<![CDATA[", b"]]>", b"<!ENTITY x 'y'>", b"&x;",
    b"&#xd800;", b"&#0;", b"</item>", b"<item>", b"</entry>", b"<html><body>", b"<script>x</script>",
    b"Support " + b"A" * 60 + b"?", "Ḩīsh ₿🙂 مدينة".encode(), b"javascript:alert(1)",
    b"file:///etc/passwd", b"http://127.0.0.1:9/", b"title: [", b"date: !!python/object:os.system",
]


@dataclass
class Mutation:
    """A mutated copy of a good file; `intact`: its records the mutation left alone (JSON lines),
    which must still be stored."""

    name: str
    data: bytes
    how: str
    intact: bytes = b""


def _flip(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 16)):
        out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


def _insert(rng: random.Random, data: bytes) -> bytes:
    at = rng.randrange(len(data) + 1)
    return data[:at] + rng.choice(TOKENS) + data[at:]


def _delete(rng: random.Random, data: bytes) -> bytes:
    at = rng.randrange(len(data))
    return data[:at] + data[at + rng.randint(1, max(1, len(data) // 4)):]


def _repeat(rng: random.Random, data: bytes) -> bytes:
    """A span repeated up to ~500 KB (long lines, long fields, many rows)."""
    at = rng.randrange(len(data))
    span = data[at:at + rng.randint(1, 200)]
    times = rng.randint(2, max(2, 500_000 // max(1, len(span))))
    return data[:at] + span * times + data[at:]


def _truncate(rng: random.Random, data: bytes) -> bytes:
    return data[:rng.randrange(1, len(data))]


def _utf16(rng: random.Random, data: bytes) -> bytes:
    """Re-encoded as UTF-16 with a BOM, then an odd length or a lone surrogate."""
    text = data.decode("utf-8", errors="replace").encode("utf-16-le")
    at = rng.randrange(0, len(text) // 2) * 2
    damage = rng.choice([b"A", b"\x00\xd8", b"\x00\xdc", b""])
    return b"\xff\xfe" + text[:at] + damage + text[at:]


def _nest(rng: random.Random, data: bytes) -> bytes:
    depth = rng.choice([50, 900, 1100, 100_000])
    opener = rng.choice([b"[", b'{"a":'])
    closer = b"]" if opener == b"[" else b"}"
    return opener * depth + data + closer * depth


OPERATORS = [_flip, _insert, _insert, _insert, _delete, _repeat, _truncate, _utf16, _nest]


def mutations(per_format: int, seed: int = 10) -> Iterator[Mutation]:
    """`per_format` mutations of each good file (and as many of single JSON lines), reproducible."""
    rng = random.Random(seed)
    originals = {name: (FIXTURES / name).read_bytes() for name in GOOD}
    originals["seed.txt"] = SEED.read_bytes()
    for n in range(per_format):
        for name, data in originals.items():
            ops = rng.sample(OPERATORS, rng.choice([1, 1, 2, 3]))
            mutated = data
            for op in ops:
                mutated = op(rng, mutated) if mutated else mutated
            yield Mutation(name, mutated, "+".join(op.__name__.lstrip("_") for op in ops))
        # one bad line among good ones: every other line must be stored
        lines = jsonl(good_lines(6, n * 6, "fuzz")).splitlines(keepends=True)
        at = rng.randrange(len(lines))
        op = rng.choice(OPERATORS[:5])
        bad = op(rng, lines[at].rstrip(b"\n")).replace(b"\n", b" ") + b"\n"
        yield Mutation("line.jsonl", b"".join(lines[:at] + [bad] + lines[at + 1:]), f"line:{op.__name__.lstrip('_')}",
                       intact=b"".join(lines[:at] + lines[at + 1:]))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python tests/hostile.py DIR   (writes the hostile files into DIR)")
    for path in write(Path(sys.argv[1])):
        print(f"{path}  ({HOSTILE[path.name][0]})")
