"""`parse` and `eval`: the contract by which the geoparser is judged, and its measurement.

`parse IN.jsonl OUT.jsonl` writes exactly the prediction format of ../shared/corpora/score.py;
`eval GOLD.jsonl` parses the gold texts and prints that scorer's figures.
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from tqdm import tqdm

from .cache import ResolutionCache
from .gazetteer import load_gazetteer
from .model import Mention
from .parser import Geoparser
from .paths import PROJECT_DIR

DEFAULT_SCORER = PROJECT_DIR.parent / "shared" / "corpora" / "score.py"


def toponym_json(m: Mention) -> dict:
    p = m.place
    return {"start": m.start, "end": m.end, "name": m.surface,
            "lat": p.lat if p else None, "lon": p.lon if p else None,
            "geonameid": p.geonameid if p else None,
            "kind": "demonym" if m.kind == "demonym" else (p.kind if p else None),
            "country": p.country if p else None, "score": round(m.score, 3),
            "role": m.role, "event_type": m.event_type,
            "trigger": list(m.trigger) if m.trigger else None}


def parse_file(src: Path, dst: Path, demonyms: bool = True, progress: bool = True) -> int:
    """Parse every {"id", "text"} line of src into a prediction line of dst; returns the count."""
    parser = Geoparser(load_gazetteer(), ResolutionCache(None))
    lines = Path(src).read_text(encoding="utf-8").split("\n")
    count = 0
    with open(dst, "w", encoding="utf-8") as out:
        for line in tqdm(lines, desc="parsing", unit="doc", disable=not progress):
            if not line.strip():
                continue
            doc = json.loads(line)
            toponyms = [toponym_json(m) for m in parser.parse(doc["text"])
                        if demonyms or m.kind != "demonym"]
            out.write(json.dumps({"id": doc["id"], "toponyms": toponyms}) + "\n")
            count += 1
    return count


def evaluate(gold: Path, scorer: Path = DEFAULT_SCORER, demonyms: bool = True,
             extra: list[str] = ()) -> dict:
    """Parse a gold file and score it; returns the scorer's final JSON object (and prints all)."""
    if not Path(scorer).exists():
        raise FileNotFoundError(f"scorer {scorer} not found: pass --scorer")
    with tempfile.TemporaryDirectory() as tmp:
        pred = Path(tmp) / "pred.jsonl"
        parse_file(gold, pred, demonyms)
        run = subprocess.run([sys.executable, str(scorer), str(gold), str(pred), *extra],
                             capture_output=True, text=True, check=True)
    print(run.stdout, end="")
    return json.loads(run.stdout.strip().splitlines()[-1])


def _parse_command(args) -> int:
    parse_file(args.src, args.dst, not args.no_demonyms)
    return 0


def _eval_command(args) -> int:
    evaluate(args.gold, args.scorer, not args.no_demonyms)
    return 0


def add_arguments(sub) -> None:
    p = sub.add_parser("parse", help="parse IN.jsonl ({id, text} lines) into scorer predictions")
    p.add_argument("src", type=Path)
    p.add_argument("dst", type=Path)
    p.add_argument("--no-demonyms", action="store_true", help="leave demonyms out")
    p.set_defaults(func=_parse_command)
    e = sub.add_parser("eval", help="parse a gold corpus and print the scorer's figures")
    e.add_argument("gold", type=Path)
    e.add_argument("--scorer", type=Path, default=DEFAULT_SCORER)
    e.add_argument("--no-demonyms", action="store_true",
                   help="for corpora whose guidelines do not mark demonyms (GeoVirus)")
    e.set_defaults(func=_eval_command)
