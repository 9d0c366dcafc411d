-- Bilik store, schema version 1 (DESIGN §3). Each record is its prost
-- bytes (`record`, from records.proto: fields are added without
-- migrations) plus the columns that queries and invariants need. Text keys
-- compare bytewise (COLLATE "C"), as the sled engine's keys do, so both
-- engines list in the same order.

-- Named values: settings, keys, the waiting queue.
CREATE TABLE meta (
    name  text COLLATE "C" PRIMARY KEY,
    value bytea NOT NULL
);

-- Record counters without count(*): each writer adds to one of a few
-- shards (so concurrent logins do not queue on one row lock); a count is
-- the sum of a name's shards.
CREATE TABLE counters (
    name  text COLLATE "C" NOT NULL,
    shard smallint NOT NULL,
    n     bigint NOT NULL,
    PRIMARY KEY (name, shard)
);

CREATE TABLE members (
    card   text COLLATE "C" PRIMARY KEY,
    -- The member's name, for search without decoding every record.
    name   text NOT NULL,
    record bytea NOT NULL
);

CREATE TABLE stations (
    station_id text COLLATE "C" PRIMARY KEY,
    -- Trimmed lower-case name (NULL: no name): one station per name.
    name_key   text COLLATE "C",
    record     bytea NOT NULL
);
CREATE UNIQUE INDEX stations_name_key ON stations (name_key) WHERE name_key IS NOT NULL;

-- One-time enrolment codes, by the SHA-256 of the code.
CREATE TABLE enrollment_codes (
    code_hash text COLLATE "C" PRIMARY KEY,
    record    bytea NOT NULL
);

CREATE TABLE staff (
    username text COLLATE "C" PRIMARY KEY,
    record   bytea NOT NULL
);

-- The usage log. session_id is a UUIDv7 (time-ordered; uuid compares
-- bytewise), so a range of ids is a range of start times.
CREATE TABLE sessions (
    session_id uuid PRIMARY KEY,
    station_id text COLLATE "C" NOT NULL,
    card       text COLLATE "C" NOT NULL,
    -- NULL while the session is open; the end time once ended.
    ended      bigint,
    record     bytea NOT NULL
);
-- The invariants, kept by the database: one open session per station and
-- per card (a guest session has no card).
CREATE UNIQUE INDEX sessions_open_station ON sessions (station_id) WHERE ended IS NULL;
CREATE UNIQUE INDEX sessions_open_card ON sessions (card) WHERE ended IS NULL AND card <> '';
-- A card's history.
CREATE INDEX sessions_card ON sessions (card, session_id) WHERE card <> '';

-- Agent events already applied: each (station, event) once.
CREATE TABLE applied_events (
    station_id text COLLATE "C" NOT NULL,
    event_id   text COLLATE "C" NOT NULL,
    record     bytea NOT NULL,
    PRIMARY KEY (station_id, event_id)
);

-- Frozen monthly reports: one per month, never rewritten.
CREATE TABLE signed_reports (
    month  text COLLATE "C" PRIMARY KEY,
    record bytea NOT NULL
);

-- The problems log; incident_id is a UUIDv7 like session_id.
CREATE TABLE incidents (
    incident_id uuid PRIMARY KEY,
    open        boolean NOT NULL,
    record      bytea NOT NULL
);
CREATE INDEX incidents_open ON incidents (incident_id) WHERE open;
