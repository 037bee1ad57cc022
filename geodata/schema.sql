-- Placewire's store: a SQLite file or a PostgreSQL database. geodata/ writes it; the page only
-- reads it (except corrections, which go through geodata.store too). Written in SQLite's SQL;
-- geodata/schema.py creates it, adds what an older store lacks, and renders it for PostgreSQL
-- (its header says how to add a table or a column).

CREATE TABLE IF NOT EXISTS articles (
    id        TEXT PRIMARY KEY,      -- url, else "sha1:<content hash>"
    title     TEXT NOT NULL,
    source    TEXT NOT NULL DEFAULT '',
    url       TEXT NOT NULL DEFAULT '',
    published TEXT,                  -- yyyy-mm-dd, NULL when unknown
    text      TEXT NOT NULL,
    origin    TEXT NOT NULL DEFAULT '',
    added_at  TEXT NOT NULL DEFAULT (datetime('now'))
);
CREATE INDEX IF NOT EXISTS articles_published ON articles (published);

CREATE TABLE IF NOT EXISTS places (
    id         TEXT PRIMARY KEY,     -- "gn:<geonameid>" or a stable key of our own
    geonameid  INTEGER,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL,        -- continent, country, region, admin1, admin2, city
    country    TEXT NOT NULL DEFAULT '',
    admin1     TEXT NOT NULL DEFAULT '',
    lat        REAL NOT NULL,
    lon        REAL NOT NULL,
    population BIGINT NOT NULL DEFAULT 0  -- a continent's passes 2^31
);

CREATE TABLE IF NOT EXISTS mentions (
    id          INTEGER PRIMARY KEY,
    article_id  TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    start       INTEGER NOT NULL,    -- character span into articles.text, end exclusive
    end         INTEGER NOT NULL,
    surface     TEXT NOT NULL,       -- == articles.text[start:end]
    sent_start  INTEGER NOT NULL,    -- the sentence the name sits in
    sent_end    INTEGER NOT NULL,
    norm        TEXT NOT NULL,       -- normalised name (the key corrections use)
    context     TEXT NOT NULL DEFAULT '',         -- the article's dominant country code
    kind        TEXT NOT NULL DEFAULT 'toponym',  -- toponym | demonym
    place_id    TEXT REFERENCES places (id),      -- NULL: found, not resolved (or rejected)
    score       REAL NOT NULL DEFAULT 0,
    status      TEXT NOT NULL DEFAULT 'auto',     -- auto | corrected | rejected
    day         TEXT                              -- copy of articles.published, for the roll-ups
);
CREATE INDEX IF NOT EXISTS mentions_article ON mentions (article_id, start);
CREATE INDEX IF NOT EXISTS mentions_place ON mentions (place_id, day);
CREATE INDEX IF NOT EXISTS mentions_day ON mentions (day, place_id);
-- Corrections find every mention of a name in a context through this.
CREATE INDEX IF NOT EXISTS mentions_norm ON mentions (norm, context);

-- Every spelling seen for a place, so the page's search finds it by any variant.
CREATE TABLE IF NOT EXISTS place_names (
    place_id TEXT NOT NULL REFERENCES places (id),
    name     TEXT NOT NULL,
    PRIMARY KEY (place_id, name)
);

-- A user's correction of a pin. It applies to the same normalised name in the same context
-- (the article's dominant country) everywhere, now and in later ingests.
CREATE TABLE IF NOT EXISTS corrections (
    name       TEXT NOT NULL,        -- normalised name
    context    TEXT NOT NULL,        -- context key, e.g. the dominant country code
    place_id   TEXT,                 -- NULL: "not a place"
    created_at TEXT NOT NULL DEFAULT (datetime('now')),
    PRIMARY KEY (name, context)
);

-- Syndicated copies (geodata.stories): every grouped article, its story (the id of the story's
-- first article; its own id when it has no copy yet) and its number in the LSH index.
CREATE TABLE IF NOT EXISTS story_members (
    article_id TEXT PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    member     BIGINT NOT NULL,      -- a 64-bit hash of article_id (story_keys refers to it)
    story_id   TEXT NOT NULL,
    size       INTEGER NOT NULL DEFAULT 0  -- its shingles (how many anchors a copy would share)
);
CREATE INDEX IF NOT EXISTS story_members_member ON story_members (member);
CREATE INDEX IF NOT EXISTS story_members_story ON story_members (story_id);
-- The index that finds copies: each article's 16 smallest shingle hashes (a bottom-k MinHash
-- sketch). Rows of a deleted article stay behind and are ignored (they join no member).
CREATE TABLE IF NOT EXISTS story_keys (
    shingle BIGINT NOT NULL,
    member  BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS story_keys_shingle ON story_keys (shingle);

-- Followed sources (geodata.follow): feeds, news sitemaps and pages of links, with what the
-- last rounds found. Times are ISO 8601 UTC strings written by Python.
CREATE TABLE IF NOT EXISTS follow_sources (
    url           TEXT PRIMARY KEY,
    name          TEXT NOT NULL DEFAULT '',
    kind          TEXT NOT NULL DEFAULT '',   -- feed | sitemap | links (seen at the first fetch)
    added_at      TEXT NOT NULL,
    etag          TEXT NOT NULL DEFAULT '',   -- for conditional GET
    last_modified TEXT NOT NULL DEFAULT '',
    last_fetched  TEXT,                       -- last attempt
    last_ok       TEXT,                       -- last attempt that succeeded (200 or 304)
    last_error    TEXT NOT NULL DEFAULT '',
    failures      INTEGER NOT NULL DEFAULT 0, -- in a row: the backoff doubles with each
    next_due      TEXT,                       -- not fetched before this time
    new_items     INTEGER NOT NULL DEFAULT 0, -- articles stored by its last round
    total_items   INTEGER NOT NULL DEFAULT 0  -- articles stored since it was added
);
-- Every item a source listed: fetched once (pending until its article is stored or given up),
-- so a killed round resumes where it stopped and nothing is fetched twice.
CREATE TABLE IF NOT EXISTS follow_items (
    url         TEXT PRIMARY KEY,
    source_url  TEXT NOT NULL,
    title       TEXT NOT NULL DEFAULT '',
    published   TEXT,
    summary     TEXT NOT NULL DEFAULT '',     -- the listing's own text, if the page cannot be read
    fingerprint TEXT NOT NULL DEFAULT '',     -- of the listing's entry: a change means an edit
    state       TEXT NOT NULL DEFAULT 'pending',  -- pending | stored | failed
    attempts    INTEGER NOT NULL DEFAULT 0,
    error       TEXT NOT NULL DEFAULT '',
    seen_at     TEXT NOT NULL,
    done_at     TEXT
);
CREATE INDEX IF NOT EXISTS follow_items_state ON follow_items (state, seen_at);
-- What the page's caches are keyed on: a token naming this store, and a counter that every write
-- bumps in its own transaction (geodata.store). Equal pairs mean equal data, whoever wrote.
CREATE TABLE IF NOT EXISTS data_version (
    id      TEXT PRIMARY KEY,    -- one row, 'store'
    token   TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 0
);
