-- A village administers itself: households retire, carry a personal
-- poverty flag and photos; points close; each round keeps the
-- organising percent it was priced with.

-- Unix seconds when the household left; NULL while it takes part. A
-- retired household stays for past orders, labels and packing.
ALTER TABLE household ADD COLUMN retired_at INTEGER;
-- Registered as a poor household: personal data, organisers only.
ALTER TABLE household ADD COLUMN registered_poor INTEGER NOT NULL DEFAULT 0
    CHECK (registered_poor IN (0, 1));

-- Unix seconds when the point closed; NULL while it is offered.
ALTER TABLE distribution_point ADD COLUMN closed_at INTEGER;

-- The production team's share for this round's orders. Set from the
-- village when the round is made, and again when the village changes it
-- before the round opens; an open round keeps its percent.
ALTER TABLE distribution_round ADD COLUMN organising_percent INTEGER NOT NULL DEFAULT 15
    CHECK (organising_percent BETWEEN 10 AND 20);
UPDATE distribution_round SET organising_percent =
    (SELECT v.organising_percent FROM village v WHERE v.id = distribution_round.village_id);

-- Photos of a village (household_id NULL) or of one of its households,
-- processed like product photos (api/src/photos).
CREATE TABLE village_photo (
    -- AUTOINCREMENT: ids are never reused; their URLs are cached for good.
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    village_id   INTEGER NOT NULL REFERENCES village (id) ON DELETE CASCADE,
    household_id INTEGER REFERENCES household (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    source_type  TEXT    NOT NULL
                 CHECK (source_type IN ('image/jpeg', 'image/png', 'image/webp')),
    width        INTEGER NOT NULL CHECK (width > 0),
    height       INTEGER NOT NULL CHECK (height > 0),
    upload_bytes INTEGER NOT NULL CHECK (upload_bytes > 0),
    organiser_id INTEGER NOT NULL REFERENCES organiser (id),
    created_at   INTEGER NOT NULL
) STRICT;

CREATE INDEX village_photo_owner ON village_photo (village_id, household_id, position);

-- One stored size, served at /api/village-photos/{photo_id}/{width}.jpg.
CREATE TABLE village_photo_version (
    photo_id     INTEGER NOT NULL REFERENCES village_photo (id) ON DELETE CASCADE,
    width        INTEGER NOT NULL CHECK (width > 0),
    height       INTEGER NOT NULL CHECK (height > 0),
    content_type TEXT    NOT NULL CHECK (content_type = 'image/jpeg'),
    bytes        BLOB    NOT NULL,
    PRIMARY KEY (photo_id, width)
) STRICT;
