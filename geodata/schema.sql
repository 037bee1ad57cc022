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
    date_source TEXT,                -- metadata | url | dateline | unknown; NULL: not recorded
    text      TEXT NOT NULL,
    origin    TEXT NOT NULL DEFAULT '',
    added_at  TEXT NOT NULL DEFAULT (datetime('now'))
);
CREATE INDEX IF NOT EXISTS articles_published ON articles (published);
-- The sources filter's choices, read off this index, not off every article's text.
CREATE INDEX IF NOT EXISTS articles_source ON articles (source);

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
-- A place's mentions newest first (the panel, the popups: queries' _NEWEST_FIRST order).
DROP INDEX IF EXISTS mentions_place;
CREATE INDEX IF NOT EXISTS mentions_place_newest ON mentions (place_id, day DESC, article_id, start);
CREATE INDEX IF NOT EXISTS mentions_day ON mentions (day, place_id);
-- Corrections find every mention of a name in a context through this.
CREATE INDEX IF NOT EXISTS mentions_norm ON mentions (norm, context);
-- "Where things happened": the page's event view filters on these.
CREATE INDEX IF NOT EXISTS mentions_role ON mentions (role, event_type);
-- The few mentions a correction changed, so the store's totals count them without reading all.
CREATE INDEX IF NOT EXISTS mentions_corrected ON mentions (status) WHERE status != 'auto';

-- Every spelling seen for a place, so the page's search finds it by any variant.
CREATE TABLE IF NOT EXISTS place_names (
    place_id TEXT NOT NULL REFERENCES places (id),
    name     TEXT NOT NULL,
    PRIMARY KEY (place_id, name)
);

-- The "every mention" corrections: a rule for a normalised name in a context (the article's
-- dominant country), applied to the stored mentions and to those of every later ingest.
CREATE TABLE IF NOT EXISTS corrections (
    name          TEXT NOT NULL,     -- normalised name
    context       TEXT NOT NULL,     -- context key, e.g. the dominant country code
    place_id      TEXT,              -- NULL: "not a place"
    created_at    TEXT NOT NULL DEFAULT (datetime('now')),
    correction_id BIGINT,            -- the correction_log entry that made the rule
    PRIMARY KEY (name, context)
);

-- Syndicated copies (geodata.stories): every grouped article, its story (the id of the story's
-- first article; its own id when it has no copy yet) and its number in the LSH index.
CREATE TABLE IF NOT EXISTS story_members (
    article_id TEXT PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    member     BIGINT NOT NULL,      -- a 64-bit hash of article_id (story_keys refers to it)
    story_id   TEXT NOT NULL,
    size       INTEGER NOT NULL DEFAULT 0, -- its shingles (how many anchors a copy would share)
    copy       INTEGER NOT NULL DEFAULT 0  -- 1: a later copy; 0: its story's first publication
);
CREATE INDEX IF NOT EXISTS story_members_member ON story_members (member);
CREATE INDEX IF NOT EXISTS story_members_copy ON story_members (copy, article_id);
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

-- Every correction, in order (geodata.corrections): who, when, its scope, from -> to.
CREATE TABLE IF NOT EXISTS correction_log (
    id            INTEGER PRIMARY KEY,
    made_at       TEXT NOT NULL,     -- UTC, yyyy-mm-dd hh:mm:ss
    who           TEXT NOT NULL,     -- admin | local
    scope         TEXT NOT NULL,     -- mention | article | name
    mention_id    BIGINT,            -- the mention the user corrected
    article_id    TEXT NOT NULL,     -- ... and its article
    surface       TEXT NOT NULL,     -- the name as written there
    name          TEXT NOT NULL,     -- its normalised name
    context       TEXT NOT NULL,
    from_place    TEXT,              -- that mention's place before (NULL: none)
    to_place      TEXT,              -- NULL: "not a place"
    previous_rule TEXT,              -- scope name: the rule it replaced (JSON), for the undo
    undone_at     TEXT,
    undone_by     TEXT
);

-- Each mention a correction changed, with its resolution before: the undo restores it exactly.
CREATE TABLE IF NOT EXISTS correction_changes (
    correction_id BIGINT NOT NULL REFERENCES correction_log (id),
    mention_id    BIGINT NOT NULL,   -- no foreign key: deleting an article keeps the log
    article_id    TEXT NOT NULL,
    start         INTEGER NOT NULL,
    place_id      TEXT,
    status        TEXT NOT NULL,
    score         REAL NOT NULL,
    PRIMARY KEY (correction_id, mention_id)
);
CREATE INDEX IF NOT EXISTS correction_changes_mention ON correction_changes (mention_id);

-- The roll-ups of counted mentions (resolved, not rejected), for the map, the timeline and the
-- counts over long ranges: a year's map reads thousands of rows, not millions. geodata/rollup.py
-- keeps them in the same transaction as every write that changes mentions.
-- place_periods: per place, every source together (source '') by day, month and year, and each
-- source by day; in period order, so a range reads only the rows inside it. A period is
-- yyyy-mm-dd, yyyy-mm or yyyy; '' (a day) for articles of unknown date. first and last: the first
-- and last day inside the period with the place named as a toponym (_any: either way). The event_
-- columns count the same of the event mentions (geodata.roles: where something happened). A
-- syndicated story counts once, at its first publication (story_members.copy).
CREATE TABLE IF NOT EXISTS place_periods (
    source       TEXT NOT NULL,               -- '': every source
    grain        TEXT NOT NULL,               -- day | month | year
    period       TEXT NOT NULL,
    place_id     TEXT NOT NULL,
    mentions     INTEGER NOT NULL DEFAULT 0,  -- as a toponym
    demonyms     INTEGER NOT NULL DEFAULT 0,  -- as a demonym ("Syrian")
    articles     INTEGER NOT NULL DEFAULT 0,  -- articles naming the place as a toponym
    articles_any INTEGER NOT NULL DEFAULT 0,  -- articles naming it either way
    events       INTEGER NOT NULL DEFAULT 0,  -- of the mentions, events (as a toponym)
    event_demonyms INTEGER NOT NULL DEFAULT 0,
    event_articles INTEGER NOT NULL DEFAULT 0,
    event_articles_any INTEGER NOT NULL DEFAULT 0,
    first        TEXT,
    last         TEXT,
    first_any    TEXT,
    last_any     TEXT,
    first_event  TEXT,
    last_event   TEXT,
    first_event_any TEXT,
    last_event_any  TEXT,
    PRIMARY KEY (source, grain, period, place_id)
) WITHOUT ROWID;
-- One place's rows (the panel, its timeline, search).
CREATE INDEX IF NOT EXISTS place_periods_place ON place_periods (place_id, source, grain, period);

-- kind_days, in day order (the timeline and the totals sum over places): per day, place kind
-- and source.
CREATE TABLE IF NOT EXISTS kind_days (
    day          TEXT NOT NULL,               -- yyyy-mm-dd, '' when unknown
    kind         TEXT NOT NULL,               -- the place's kind (places.kind)
    source       TEXT NOT NULL,
    mentions     INTEGER NOT NULL DEFAULT 0,
    demonyms     INTEGER NOT NULL DEFAULT 0,
    events       INTEGER NOT NULL DEFAULT 0,
    event_demonyms INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, kind, source)
) WITHOUT ROWID;

-- article_views: each article's counted mentions (a later copy of a story: none), as toponyms
-- and demonyms, of them the events, and of each the ones of countries: how many articles a view
-- of the map holds (countries and demonyms on or off, every place or where things happened),
-- counted by day without reading the mentions.
CREATE TABLE IF NOT EXISTS article_views (
    day          TEXT NOT NULL,               -- yyyy-mm-dd, '' when unknown
    article_id   TEXT NOT NULL,
    mentions     INTEGER NOT NULL DEFAULT 0,
    demonyms     INTEGER NOT NULL DEFAULT 0,
    events       INTEGER NOT NULL DEFAULT 0,
    event_demonyms INTEGER NOT NULL DEFAULT 0,
    country_mentions INTEGER NOT NULL DEFAULT 0,
    country_demonyms INTEGER NOT NULL DEFAULT 0,
    country_events INTEGER NOT NULL DEFAULT 0,
    country_event_demonyms INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, article_id)
) WITHOUT ROWID;

-- place_event_types: the event mentions per place and event type, by day, month and year (every
-- source together: source is ''), as place_periods: the map's colour by the commonest type.
CREATE TABLE IF NOT EXISTS place_event_types (
    source       TEXT NOT NULL,               -- always '' (the shape place_periods' readers expect)
    grain        TEXT NOT NULL,
    period       TEXT NOT NULL,
    place_id     TEXT NOT NULL,
    event_type   TEXT NOT NULL,
    mentions     INTEGER NOT NULL DEFAULT 0,  -- as a toponym
    demonyms     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (source, grain, period, place_id, event_type)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS place_event_types_place ON place_event_types (place_id, source, grain, period);
