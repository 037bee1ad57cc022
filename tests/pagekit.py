"""Shared pieces of the page's tests (test_app.py, test_e2e.py): data directories, corpora.

Every store here is a real SQLite file written by geodata's own loader, parser and store, with
the real gazetteer index (conftest.py builds it once into pytest's cache and shares it).
"""
from __future__ import annotations

import json
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SEED_ID = "https://www.themoscowtimes.com/2020/01/12/russian-led-air-strikes-suspended-in-idlib-after-ceasefire-a68869"
SEED_TITLE = "Russian-Led Air Strikes Suspended in Idlib After Ceasefire"
# The seed's sentence that names Aleppo (the panel and popup show it).
SEED_ALEPPO = "insurgent rockets had killed two people during shelling of residential areas in"
ALEPPO = "gn:170063"

# A few more articles on other days, in other sources, with transliteration variants.
CORPUS = [
    {"title": "Shelling near Saraqeb", "source": "Wire A", "url": "https://news.example/2020/01/20/saraqeb",
     "date": "2020-01-20",
     "text": "Government forces shelled Saraqeb in Syria on Monday. In Aleppo, markets stayed open."},
    {"title": "Ceasefire talks in February", "source": "Wire B", "url": "https://news.example/2020/02/05/talks",
     "date": "2020-02-05",
     "text": "Government forces shelled Idlib province on Tuesday. In Aleppo, residents reported calm streets."},
    {"title": "March report", "source": "Wire A", "url": "https://news.example/2020/03/01/report",
     "date": "2020-03-01",
     "text": "Aid convoys reached Idlib province. Saraqeb remained contested."},
    {"title": "Undated bulletin", "source": "Wire B", "url": "https://news.example/bulletin",
     "text": "Shelling in Aleppo and Saraqeb was reported in a bulletin without any date."},
]

# An article whose every field tries to inject HTML, script or Markdown into the page.
ATTACK = {
    "title": "<script>window.__pwned=1</script>Attack **bold** [x](javascript:alert(1)) :red[big] {{ 7*7 }}",
    "source": '<img src=x onerror="window.__pwned=2">',
    "url": "javascript:window.__pwned=6",
    "date": "2020-01-13",
    "text": 'Shelling hit Aleppo <script>window.__pwned=3</script> and <img src=x onerror="window.__pwned=4">'
            " near Idlib. [click](javascript:window.__pwned=5) **bold** <b>tag</b> {% raw %} {{ 6*7 }}\n\n# heading",
}
ATTACK_ID = ATTACK["url"]  # geodata keys an article by its url


def store_raw(store_path: Path, record: dict) -> None:
    """Store an article exactly as given (no loader cleaning), parsed by the real geoparser.

    The loader may strip markup from bodies; the page must be safe whatever the store holds.
    """
    from geodata.model import Article
    from geodata.parser import get_parser
    from geodata.store import Store

    article = Article(id=record["url"], title=record["title"], text=record["text"], source=record["source"],
                      url=record["url"], date=record.get("date"), origin="test")
    with Store(store_path) as store:
        assert store.add(article, get_parser().parse(article.text))


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


@contextmanager
def serving(data: Path, address: str = "127.0.0.1", **env):
    """`streamlit run app.py` on the data directory `data`, as users start it, listening on
    `address` (0.0.0.0: a hosted copy) at a free port; yields its URL on 127.0.0.1 once healthy,
    stops it after (every browser test's server)."""
    import os
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = open(data / f"streamlit-{address}.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.port", str(port),
         "--server.address", address, "--browser.gatherUsageStats", "false"],
        cwd=REPO, env=dict(os.environ, PLACEWIRE_DATA=str(data), **env), stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.time() > deadline:
                raise RuntimeError(f"streamlit did not start: {Path(log.name).read_text()[-2000:]}")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()
