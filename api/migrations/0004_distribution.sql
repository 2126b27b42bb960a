-- Urban pickup places and distribution cycles. Orders will reference
-- distribution_round.id and distribution_point.id.
CREATE TABLE distribution_point (
    id          INTEGER PRIMARY KEY,
    village_id  INTEGER NOT NULL REFERENCES village (id) ON DELETE CASCADE,
    name_zh     TEXT    NOT NULL,
    name_en     TEXT    NOT NULL,
    address_zh  TEXT    NOT NULL,
    address_en  TEXT    NOT NULL,
    -- Pickup window on distribution day, 'HH:MM' in Asia/Shanghai.
    pickup_from TEXT    NOT NULL CHECK (pickup_from GLOB '[0-2][0-9]:[0-5][0-9]'),
    pickup_to   TEXT    NOT NULL CHECK (pickup_to GLOB '[0-2][0-9]:[0-5][0-9]'),
    CHECK (pickup_from < pickup_to)
) STRICT;

CREATE INDEX distribution_point_village ON distribution_point (village_id);

CREATE TABLE distribution_round (
    id               INTEGER PRIMARY KEY,
    village_id       INTEGER NOT NULL REFERENCES village (id) ON DELETE CASCADE,
    -- Unix seconds.
    opens_at         INTEGER NOT NULL,
    deadline         INTEGER NOT NULL,
    -- 'YYYY-MM-DD' in Asia/Shanghai.
    distribution_day TEXT    NOT NULL
                     CHECK (distribution_day GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    CHECK (opens_at < deadline),
    UNIQUE (village_id, distribution_day)
) STRICT;
