-- Bilik store, schema version 2: the waiting queue's log. (The queue itself
-- and the website watch's state are single records in `meta`, as in the
-- sled engine.)

-- Finished waits, by a UUIDv7 at the wait's end (time range queries).
CREATE TABLE queue_log (
    wait_id uuid PRIMARY KEY,
    record  bytea NOT NULL
);
