"""Following sources: feeds, news sitemaps and pages of links, kept up to date on their own.

`python -m geodata follow add|list|remove|run`. The parts, each with one job:

- settings: the user agent, rate, timeouts, size cap and backoff, from the environment;
- addresses: which URLs may be fetched at all (http(s), public addresses unless allowed);
- fetch: the polite HTTP client (robots.txt, per-host rate limit, conditional GET, size cap);
- listing: what a fetched source lists (RSS/Atom, sitemap, or a page of links);
- registry: the sources and their items in the store (so a killed round resumes);
- rounds: one round over the due sources, and the loop that repeats it.
"""
