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
    day         TEXT,                             -- copy of articles.published, for the roll-ups
    -- what the sentence says of the place (geodata.roles); added to older stores on open
    role        TEXT,             -- event | actor | origin/destination | dateline/source | background
    event_type  TEXT,             -- strike/shelling, clash, ... when role is event, else NULL
    trigger_start INTEGER,        -- the words that decided the role: a span into articles.text
    trigger_end   INTEGER
);
CREATE INDEX IF NOT EXISTS mentions_article ON mentions (article_id, start);
CREATE INDEX IF NOT EXISTS mentions_place ON mentions (place_id, day);
CREATE INDEX IF NOT EXISTS mentions_day ON mentions (day, place_id);
-- Corrections find every mention of a name in a context through this.
CREATE INDEX IF NOT EXISTS mentions_norm ON mentions (norm, context);
-- "Where things happened": the page's event view filters on these.
CREATE INDEX IF NOT EXISTS mentions_role ON mentions (role, event_type);

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

-- What the page's caches are keyed on: a token naming this store, and a counter that every write
-- bumps in its own transaction (geodata.store). Equal pairs mean equal data, whoever wrote.
CREATE TABLE IF NOT EXISTS data_version (
    id      TEXT PRIMARY KEY,    -- one row, 'store'
    token   TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 0
);
