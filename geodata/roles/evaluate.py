"""`eval-roles`: how well the roles are told, on an annotated set of war reporting.

A gold file has one passage a line: {"id", "text", "toponyms": [{"start", "end", "name",
"role", "event_type"}]} (event_type null unless the role is event; see
geodata/data/roles/README.md). Two measurements:

- end to end: the texts go through `python -m geodata parse` (the contract), and predictions
  meet the gold by exact span. Role accuracy is over the gold names the parser found (and,
  stricter, over all, a missed name counting wrong); event-location P/R/F1 compares the spans
  predicted as events with the gold events, so a missed or invented name costs too.
- gold spans: the classifier alone, given the gold spans (as the parser would mark them).

Figures per class: role accuracy per gold role (its recall), event-type accuracy per gold type
(over the gold events predicted as events), and a confusion table. The last line printed is one
JSON object with every number.
"""
from __future__ import annotations

import json
import tempfile
from collections import Counter
from pathlib import Path

from .decision import EVENT, EVENT_TYPES, ROLES

DATA = Path(__file__).resolve().parent.parent / "data"
DEV = DATA / "roles_dev.jsonl"
HELDOUT = DATA / "roles_heldout.jsonl"


def read_jsonl(path: Path) -> list[dict]:
    docs = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            doc = json.loads(line)
            for t in doc["toponyms"]:
                if doc["text"][t["start"]:t["end"]] != t.get("name", doc["text"][t["start"]:t["end"]]):
                    raise ValueError(f"span {t['start']}:{t['end']} is not {t['name']!r}")
                if t["role"] not in ROLES:
                    raise ValueError(f"unknown role {t['role']!r}")
                if (t["role"] == EVENT) != (t.get("event_type") in EVENT_TYPES):
                    raise ValueError(f"{t['name']!r}: an event needs one of {EVENT_TYPES}, "
                                     "any other role none")
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}, line {n}: {exc}") from exc
        docs.append(doc)
    return docs


def _f1(p: int, g: int, tp: int) -> dict:
    precision = tp / p if p else 0.0
    recall = tp / g if g else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "tp": tp, "predicted": p, "gold": g}


def score(gold: list[dict], predicted: dict[str, list[dict]]) -> dict:
    """Role and event-type figures of `predicted` ({doc id: toponyms with start, end, role,
    event_type}) against the gold documents, matched by exact span."""
    roles, types = Counter(), Counter()  # (gold, predicted) pairs
    missed = 0
    errors = []
    pred_events = gold_events = hit_events = 0
    for doc in gold:
        pred = {(t["start"], t["end"]): t for t in predicted.get(str(doc["id"]), [])}
        pred_events += sum(t.get("role") == EVENT for t in pred.values())
        for t in doc["toponyms"]:
            p = pred.get((t["start"], t["end"]))
            gold_events += t["role"] == EVENT
            if p is None:
                missed += 1
                continue
            roles[t["role"], p.get("role")] += 1
            if t["role"] == EVENT and p.get("role") == EVENT:
                hit_events += 1
                types[t["event_type"], p.get("event_type")] += 1
            if (t["role"], t.get("event_type")) != (p.get("role"), p.get("event_type")):
                errors.append({"id": doc["id"], "name": t["name"], "gold": t["role"],
                               "gold_type": t.get("event_type"), "predicted": p.get("role"),
                               "predicted_type": p.get("event_type"), "rule": p.get("rule", ""),
                               "text": doc["text"]})
    matched = sum(roles.values())
    correct = sum(n for (g, p), n in roles.items() if g == p)
    typed = sum(types.values())
    return {
        "gold_names": matched + missed,
        "matched": matched,
        "role_accuracy": correct / matched if matched else 0.0,
        "role_accuracy_all": correct / (matched + missed) if matched + missed else 0.0,
        "role_accuracy_per_class": _per_class(roles, ROLES),
        "event_type_accuracy": sum(n for (g, p), n in types.items() if g == p) / typed if typed else 0.0,
        "event_type_accuracy_per_class": _per_class(types, EVENT_TYPES),
        "event_location": _f1(pred_events, gold_events, hit_events),
        "confusion": {f"{g} -> {p}": n for (g, p), n in sorted(roles.items(), key=str)},
        "errors": errors,
    }


def _per_class(pairs: Counter, classes) -> dict:
    out = {}
    for c in classes:
        total = sum(n for (g, _), n in pairs.items() if g == c)
        if total:
            out[c] = {"accuracy": pairs[c, c] / total, "n": total}
    return out


def predict_parsed(gold_path: Path) -> dict[str, list[dict]]:
    """Parse the gold texts through the parse contract; {doc id: toponyms}."""
    from ..evaluate import parse_file

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "pred.jsonl"
        parse_file(gold_path, out, progress=False)
        return {str(d["id"]): d["toponyms"] for d in map(json.loads, out.read_text().splitlines())}


def predict_gold_spans(gold: list[dict]) -> dict[str, list[dict]]:
    """The classifier alone, on the gold spans: each in the sentence the extractor finds, a
    demonym when the gazetteer knows the name as one."""
    from ..extract import sentences
    from ..gazetteer import load_gazetteer
    from ..model import Mention
    from ..names import norm
    from . import classifier

    demonyms = load_gazetteer().demonym_keys
    out = {}
    for doc in gold:
        text, sents = doc["text"], sentences(doc["text"])
        mentions = []
        for t in doc["toponyms"]:
            a, b = next(((a, b) for a, b in sents if a <= t["start"] < b), (0, len(text)))
            kind = "demonym" if norm(t["name"]) in demonyms else "toponym"
            mentions.append(Mention(t["start"], t["end"], t["name"], a, b, kind))
        roles = classifier().classify(text, mentions)
        out[str(doc["id"])] = [{"start": m.start, "end": m.end, "role": r.role,
                                "event_type": r.event_type, "rule": r.rule}
                               for m, r in zip(mentions, roles)]
    return out


def report(name: str, result: dict, show_errors: bool) -> None:
    ev = result["event_location"]
    print(f"\n== {name}: {result['matched']} of {result['gold_names']} gold names matched")
    print(f"role accuracy        {result['role_accuracy']:.3f}   (all gold names, missed = wrong: "
          f"{result['role_accuracy_all']:.3f})")
    for c, v in result["role_accuracy_per_class"].items():
        print(f"  {c:22} {v['accuracy']:.3f}  n={v['n']}")
    print(f"event-type accuracy  {result['event_type_accuracy']:.3f}   (gold events predicted as events)")
    for c, v in result["event_type_accuracy_per_class"].items():
        print(f"  {c:22} {v['accuracy']:.3f}  n={v['n']}")
    print(f"event location       P {ev['precision']:.3f}  R {ev['recall']:.3f}  F1 {ev['f1']:.3f}")
    print("confusion (gold -> predicted): " + ", ".join(
        f"{k}: {n}" for k, n in result["confusion"].items() if k.split(" -> ")[0] != k.split(" -> ")[1]))
    if show_errors:
        for e in result["errors"]:
            print(f"  {e['id']} {e['name']!r}: gold {e['gold']} {e['gold_type'] or ''} / "
                  f"predicted {e['predicted']} {e['predicted_type'] or ''} [{e['rule']}]")


def evaluate_roles(paths: list[Path], show_errors: bool = False) -> dict:
    out = {}
    for path in paths:
        gold = read_jsonl(path)
        for mode, predicted in (("gold spans", predict_gold_spans(gold)),
                                ("end to end", predict_parsed(path))):
            result = score(gold, predicted)
            report(f"{Path(path).name}, {mode}", result, show_errors)
            out[f"{Path(path).stem} / {mode}"] = {k: v for k, v in result.items() if k != "errors"}
    print(json.dumps(out))
    return out


def _command(args) -> int:
    evaluate_roles(args.gold or [DEV], args.errors)
    return 0


def add_arguments(sub) -> None:
    e = sub.add_parser("eval-roles", help="score mention roles and event types on annotated passages")
    e.add_argument("gold", type=Path, nargs="*",
                   help=f"annotated JSONL files (default: {DEV.relative_to(DATA.parent.parent)}; "
                        f"the held-out set is {HELDOUT.relative_to(DATA.parent.parent)})")
    e.add_argument("--errors", action="store_true", help="list every name whose role is wrong")
    e.set_defaults(func=_command)
