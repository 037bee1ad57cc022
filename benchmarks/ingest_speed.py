"""Ingest and parse speed on LGL's texts: Placewire's geoparser next to a spaCy-small NER pipeline.

    python benchmarks/ingest_speed.py [--repeats 5] [--corpus ../shared/corpora/lgl.jsonl]

Measures, each task in a fresh process, median over the repeats:
- parse: `geodata.parser` over every text (index loaded first, timed apart) vs spaCy's NER;
- ingest: the CLI's ingest of the same texts into a new SQLite store, resolution and cache
  included, with an empty cache (cold) and again into another new store with that cache (warm);
- index build: the gazetteer index from the PyPI GeoNames packages;
- first parse: from spawning `python` to the first text's result, index already built;
- peak resident memory (getrusage) of the parse process.

The baseline is spaCy 3.8's English pipeline `tok2vec,ner` from `spacy init config --optimize
efficiency`, the architecture of en_core_web_sm's NER, with random weights: PyPI has no official
en_core_web_sm and nothing else may be downloaded. Untrained, it finds nothing, but it does the
same work per token as the trained model, so its speed is the trained one's.
Every process runs single-threaded (OMP/BLAS threads = 1): articles/s is per core.
Everything is written under a temporary PLACEWIRE_DATA; the user's own data is never touched.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `geodata` from this checkout

from benchmarks.common import (  # noqa: E402
    SHARED, cpu_seconds, emit, median, peak_rss_mb, run_worker, spread, table, write_results,
)

SCRIPT = Path(__file__).resolve()
DEFAULT_CORPUS = SHARED / "corpora" / "lgl.jsonl"
# en_core_web_sm's NER labels (OntoNotes 5): the output layer is the same size as the real one's.
ONTONOTES_LABELS = ("CARDINAL DATE EVENT FAC GPE LANGUAGE LAW LOC MONEY NORP ORDINAL ORG PERCENT "
                    "PERSON PRODUCT QUANTITY TIME WORK_OF_ART").split()


def read_texts(corpus: Path) -> list[str]:
    with open(corpus, encoding="utf-8") as f:
        return [json.loads(line)["text"] for line in f if line.strip()]


# --------------------------------------------------------------------------- the two parsers


def load_ours():
    """Placewire's parser with its index loaded: a function text -> mentions."""
    from geodata.parser import get_parser

    parser = get_parser()
    return parser.parse


def load_spacy():
    """spaCy-small's NER architecture, randomly initialised: a function text -> entities."""
    import spacy
    from spacy.cli.init_config import init_config

    config = init_config(lang="en", pipeline=["tok2vec", "ner"], optimize="efficiency", gpu=False)
    nlp = spacy.util.load_model_from_config(config, auto_fill=True, validate=True)
    ner = nlp.get_pipe("ner")
    for label in ONTONOTES_LABELS:
        ner.add_label(label)
    nlp.initialize()
    return lambda text: nlp(text).ents


def roles_off() -> None:
    """The parser without its last step, mention roles: the side-by-side baseline of their cost."""
    import geodata.parser

    geodata.parser.assign_roles = lambda text, mentions: mentions


def load_bare():
    """Placewire's parser with mention roles switched off."""
    roles_off()
    return load_ours()


LOADERS = {"ours": load_ours, "spacy": load_spacy, "bare": load_bare}


# --------------------------------------------------------------------------- workers


def worker_first(system: str, corpus: Path) -> dict:
    """Load the parser and parse the first text, then stop: the parent times the whole process."""
    parse = LOADERS[system]()
    found = len(parse(read_texts(corpus)[0]))
    return {"found": found}


def worker_parse(system: str, corpus: Path) -> dict:
    """Load (timed apart), then parse every text once. Ours starts with an empty resolution cache."""
    from geodata import paths

    texts = read_texts(corpus)
    paths.cache_path().unlink(missing_ok=True)
    t = time.perf_counter()
    parse = LOADERS[system]()
    load_s = time.perf_counter() - t
    t, cpu = time.perf_counter(), cpu_seconds()
    found = sum(len(parse(text)) for text in texts)
    return {"load_s": load_s, "parse_s": time.perf_counter() - t, "cpu_s": cpu_seconds() - cpu,
            "articles": len(texts), "found": found, "rss_mb": peak_rss_mb()}


def worker_ingest(cache: str, corpus: Path, work: Path) -> dict:
    """`python -m geodata ingest` of the corpus into a new store, in this process.

    cache "cold": the resolution cache starts empty; "warm": it holds the cold run's resolutions;
    "bare": cold, with mention roles switched off (what roles cost).
    The parser (index) is loaded first and timed apart, as in the parse measurement.
    """
    if cache == "bare":
        roles_off()
    from geodata import paths
    from geodata.__main__ import main as cli
    from geodata.parser import get_parser

    # The corpus as the CLI reads it: JSON lines with title and text (LGL has no titles).
    articles = work / "lgl-articles.jsonl"
    texts = read_texts(corpus)
    with open(articles, "w", encoding="utf-8") as f:
        for i, text in enumerate(texts):
            f.write(json.dumps({"title": f"LGL {i}", "source": "LGL", "text": text}) + "\n")
    if cache in ("cold", "bare"):
        paths.cache_path().unlink(missing_ok=True)
    db = work / f"store-{cache}.sqlite"
    for leftover in work.glob(f"{db.name}*"):
        leftover.unlink()
    get_parser()
    out = io.StringIO()
    t, cpu = time.perf_counter(), cpu_seconds()
    with contextlib.redirect_stdout(out):
        # one process, as every other measurement here: the per-core rate (the ingest's default
        # runs a parsing worker per core, whose CPU time this process would not see)
        code = cli(["ingest", str(articles), "--db", str(db), "--quiet", "--workers", "1"])
    elapsed, cpu = time.perf_counter() - t, cpu_seconds() - cpu
    if code not in (0, 2):
        raise SystemExit(f"ingest failed ({code}): {out.getvalue()}")
    return {"s": elapsed, "cpu_s": cpu, "articles": len(texts), "summary": out.getvalue(),
            "rss_mb": peak_rss_mb()}


def worker_index(work: Path) -> dict:
    """Build the gazetteer index from scratch into the temporary data directory."""
    from geodata.gazetteer import build_index

    t = time.perf_counter()
    path = build_index()
    return {"build_s": time.perf_counter() - t, "bytes": path.stat().st_size, "rss_mb": peak_rss_mb()}


def run_as_worker(args) -> None:
    task, corpus, work = args.worker, Path(args.corpus), Path(args.work)
    if task == "index":
        emit(worker_index(work))
    elif task.startswith("ingest-"):
        emit(worker_ingest(task.split("-")[1], corpus, work))
    else:
        kind, system = task.split("-")  # first-ours, parse-spacy, ...
        emit({"first": worker_first, "parse": worker_parse}[kind](system, corpus))


# --------------------------------------------------------------------------- the parent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=5, help="fresh-process runs per measurement (default 5)")
    ap.add_argument("--corpus", default=str(DEFAULT_CORPUS), help="JSON lines with a 'text' field")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--work", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        return run_as_worker(args)

    corpus = Path(args.corpus).resolve()
    if not corpus.exists():
        sys.exit(f"corpus not found: {corpus} (../shared/corpora beside the repo)")
    try:
        import spacy  # noqa: F401
    except ImportError:
        sys.exit("spaCy (the baseline) is missing: .venv/bin/pip install -r requirements-bench.txt")
    n = args.repeats
    work = Path(tempfile.mkdtemp(prefix="placewire-bench-"))
    env = {"PLACEWIRE_DATA": str(work / "data")}
    common = ["--corpus", str(corpus), "--work", str(work)]

    # Rounds: each runs every measurement once, ours and the baseline's side by side, so a
    # slow spell of this shared machine slows both rather than one of them.
    tasks = ["index", "parse-ours", "parse-bare", "parse-spacy", "first-ours", "first-spacy",
             "ingest-bare", "ingest-cold", "ingest-warm"]  # a warm run reads the cache its cold run wrote
    runs: dict[str, list[dict]] = {t: [] for t in tasks}
    try:
        for i in range(n):
            for task in tasks:
                print(f"  round {i + 1}/{n}: {task}", file=sys.stderr, flush=True)
                runs[task].append(run_worker(SCRIPT, task, *common, env=env))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    index = runs["index"]
    parse = {s: runs[f"parse-{s}"] for s in ("ours", "bare", "spacy")}
    first = {s: runs[f"first-{s}"] for s in ("ours", "spacy")}
    ingest = {c: runs[f"ingest-{c}"] for c in ("cold", "warm", "bare")}

    articles = parse["ours"][0]["articles"]

    def rate(runs: list[dict], seconds: str) -> list[float]:
        return [r["articles"] / r[seconds] for r in runs]

    def ratio(ours: list[float], base: list[float]) -> str:
        """The median of the rounds' ratios: each round's two runs met the same machine."""
        return f"{median(o / b for o, b in zip(ours, base)):.2f}x"

    per_cpu = {s: rate(parse[s], "cpu_s") for s in parse}
    per_wall = {s: rate(parse[s], "parse_s") for s in parse}
    rows = [
        ["parse, articles per CPU-second (per core)", spread(per_cpu["ours"], "{:.0f}"),
         spread(per_cpu["spacy"], "{:.1f}"), ratio(per_cpu["ours"], per_cpu["spacy"])],
        ["parse, articles/s (wall clock, 1 process)", spread(per_wall["ours"], "{:.0f}"),
         spread(per_wall["spacy"], "{:.1f}"), ratio(per_wall["ours"], per_wall["spacy"])],
    ]
    for c in ("cold", "warm"):
        what = "empty cache" if c == "cold" else "cache of the run before"
        rows += [
            [f"ingest into a new store, {what}: articles per CPU-second", spread(rate(ingest[c], "cpu_s"), "{:.0f}"),
             "", ratio(rate(ingest[c], "cpu_s"), per_cpu["spacy"])],
            [f"ingest into a new store, {what}: articles/s (wall clock)", spread(rate(ingest[c], "s"), "{:.0f}"),
             "", ratio(rate(ingest[c], "s"), per_wall["spacy"])],
        ]
    # what mention roles cost: the same parse and ingest with roles switched off, side by side
    bare_parse, bare_ingest = rate(parse["bare"], "cpu_s"), rate(ingest["bare"], "cpu_s")
    rows += [
        ["parse without mention roles, articles per CPU-second", spread(bare_parse, "{:.0f}"), "",
         f"roles: {ratio(per_cpu['ours'], bare_parse)} the rate"],
        ["ingest without mention roles, empty cache: articles per CPU-second",
         spread(bare_ingest, "{:.0f}"), "",
         f"roles: {ratio(rate(ingest['cold'], 'cpu_s'), bare_ingest)} the rate"],
        ["mention roles alone, ms per article (parse with minus without, CPU)",
         f"{1000 * (median(1 / r for r in per_cpu['ours']) - median(1 / r for r in bare_parse)):.2f}",
         "", ""],
    ]
    rows += [
        ["index build, s", spread([r["build_s"] for r in index]), "(none)", ""],
        ["index build, peak resident memory, MB", spread([r["rss_mb"] for r in index], "{:.0f}"), "", ""],
        ["loading the parser (index / pipeline), s", spread([r["load_s"] for r in parse["ours"]]),
         spread([r["load_s"] for r in parse["spacy"]]), ""],
        ["first parse after start (fresh `python` to first result), s", spread([r["wall_s"] for r in first["ours"]]),
         spread([r["wall_s"] for r in first["spacy"]]), ""],
        ["parse, peak resident memory, MB", spread([r["rss_mb"] for r in parse["ours"]], "{:.0f}"),
         spread([r["rss_mb"] for r in parse["spacy"]], "{:.0f}"), ""],
        ["ingest, peak resident memory, MB", spread([r["rss_mb"] for r in ingest["cold"]], "{:.0f}"), "", ""],
        ["toponyms / entities found", str(parse["ours"][0]["found"]), str(parse["spacy"][0]["found"]), ""],
    ]
    body = (
        f"{articles} LGL articles ({corpus.name}), {n} rounds of fresh-process runs, each round "
        "running every measurement once: median (min-max); ratios are the median of the rounds' "
        "ratios.\n\n"
        + table(["measure", "Placewire (geodata)", "spaCy-small NER baseline", "ratio"], rows)
        + f"\n\nIndex file: {median([r['bytes'] for r in index]) / 1e6:.0f} MB.\n\n"
        "The baseline is spaCy's English `tok2vec,ner` pipeline as `spacy init config --optimize "
        "efficiency` makes it (en_core_web_sm's NER architecture), with random weights: no official "
        "en_core_web_sm is on PyPI. Untrained it finds no entities, but it does the same work per "
        "token, so it runs at the trained model's speed. Every process is single-threaded; articles "
        "per CPU-second is the per-core rate and holds when the machine is busy, wall-clock rates "
        "drop then. Ingest ratios are against spaCy's parse alone (spaCy stores nothing). The rows "
        "without mention roles run the same code with the roles step switched off (`roles_off`); "
        "their ratio is the rate with roles over the rate without.\n"
    )
    write_results("ingest_speed", "Ingest and parse speed", "python benchmarks/ingest_speed.py"
                  + ("" if n == 5 else f" --repeats {n}"), body)


if __name__ == "__main__":
    main()
