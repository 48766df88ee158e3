"""Pages over the whole catalogue: search, the front page and season pages, on a cold cache.

    .venv/bin/python bench/pages.py [--queries 400] [--markdown out.md]

Runs the app in this process on its default data (the curated folder plus the imported
catalogue) and asks it through its WSGI stack (the response cache included) with Flask's test
client, so the figures are the app's own work without a network. Every URL is asked once, so
no answer comes from the response cache: "cold". The search index is built by the first search
of a data version; its cost is shown apart, once with no kept readings (a first start) and once
with the readings file a previous start left beside the state database (any later start).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def queries(shows, count: int, seed: int = 13) -> list[str]:
    """What people type: the start of a title (2 to 12 characters) in English, Japanese or
    Chinese, or of its romaji (the show id), now and then a whole title; all distinct."""
    rng = random.Random(seed)
    chosen, made = list(shows.values()), []
    seen = set()
    while len(made) < count:
        show = rng.choice(chosen)
        texts = [*show.title.values(), show.id.replace("-", " ")]
        text = rng.choice(texts)
        typed = text if rng.random() < 0.1 else text[:rng.randint(2, 12)]
        if typed.strip() and typed not in seen:
            seen.add(typed)
            made.append(typed)
    return made


def timed(client, url: str) -> float:
    started = time.perf_counter()
    response = client.get(url)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise SystemExit(f"{url}: {response.status_code} {response.text[:200]}")
    return elapsed * 1000


def run(count: int) -> dict:
    from calfeed import create_app
    from calfeed.web import state
    from calfeed.web.catalogue_views import catalogue_indexes

    folder = Path(tempfile.mkdtemp(prefix="calfeed-bench-pages-"))
    config = {"STATE_PATH": str(folder / "state.sqlite3"), "RELOAD_INTERVAL": 0}
    results = {}
    started = time.perf_counter()
    app = create_app(config)
    results["start_s"] = time.perf_counter() - started
    with app.app_context():
        published = state.current()
        shows = published.catalogue.shows
    results["shows"] = len(shows)
    if len(shows) < 1000:
        raise SystemExit(f"the app serves {len(shows)} shows: run it with the imported "
                         "catalogue (docs/catalogue.md)")
    client = app.test_client()
    results["first_search_ms"] = timed(client, "/search?q=first")
    # A later start: a new app (a new data version object) on the same state folder.
    again = create_app(config)
    with again.app_context():
        results["kept_readings_build_ms"] = _build_ms(catalogue_indexes)
    typed = queries(shows, count)
    with app.app_context():
        index = catalogue_indexes(state.current()).search.get()
        results["index_only"] = []
        for q in typed:
            started = time.perf_counter()
            index.search(q)
            results["index_only"].append((time.perf_counter() - started) * 1000)
    results["search"] = [timed(client, "/search?" + urlencode({"q": q})) for q in typed]
    results["search_json"] = [timed(client, "/search.json?" + urlencode({"q": q, "region": "jp"}))
                              for q in typed]
    regions = ("jp", "us", "gb", "fr", "de", "tw", "hk", "cn", "br", "au", "kr", "ca")
    results["front"] = [timed(client, f"/?region={r}") for r in regions]
    with app.app_context():
        seasons = catalogue_indexes(state.current()).seasons.get().seasons()[-12:]
    results["season"] = [timed(client, f"/seasons/{s.slug}?region={r}")
                         for s in seasons for r in ("jp", "us")]
    return results


def _build_ms(indexes) -> float:
    from calfeed.web import state
    started = time.perf_counter()
    indexes(state.current()).search.get()
    return (time.perf_counter() - started) * 1000


def table(results: dict) -> str:
    lines = [f"{results['shows']:,} shows; app start {results['start_s']:.1f} s; first search "
             f"(builds the index, reads every title) {results['first_search_ms']:,.0f} ms; "
             f"index built again with the kept readings {results['kept_readings_build_ms']:,.0f} ms",
             "", "| page | requests | p50 ms | p99 ms | max ms |", "| --- | ---: | ---: | ---: | ---: |"]
    for name, label in (("index_only", "the index alone (`SearchIndex.search`)"),
                        ("search", "`/search?q=` (HTML)"), ("search_json", "`/search.json?q=&region=jp`"),
                        ("front", "`/?region=` (12 regions)"),
                        ("season", "`/seasons/…?region=` (12 seasons × jp, us)")):
        values = results[name]
        lines.append(f"| {label} | {len(values)} | {statistics.median(values):.1f} | "
                     f"{percentile(values, 0.99):.1f} | {max(values):.1f} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument("--markdown", type=Path)
    arguments = parser.parse_args()
    text = table(run(arguments.queries))
    print(text)
    if arguments.markdown:
        arguments.markdown.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
