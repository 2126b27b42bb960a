-- Villages and the villagers' representatives who organise their side of
-- the nested market. Bilingual text is stored as *_zh / *_en pairs.
CREATE TABLE village (
    id                 INTEGER PRIMARY KEY,
    slug               TEXT    NOT NULL UNIQUE
                       CHECK (length(slug) BETWEEN 1 AND 40 AND slug NOT GLOB '*[^a-z0-9-]*'),
    name_zh            TEXT    NOT NULL,
    name_en            TEXT    NOT NULL,
    region_zh          TEXT    NOT NULL,
    region_en          TEXT    NOT NULL,
    -- The city the distance is measured to, e.g. Beijing.
    city_zh            TEXT    NOT NULL,
    city_en            TEXT    NOT NULL,
    distance_km        INTEGER NOT NULL CHECK (distance_km >= 0),
    tagline_zh         TEXT    NOT NULL,
    tagline_en         TEXT    NOT NULL,
    story_zh           TEXT    NOT NULL,
    story_en           TEXT    NOT NULL,
    -- The production team's share of revenue, whole percent.
    organising_percent INTEGER NOT NULL CHECK (organising_percent BETWEEN 10 AND 20)
) STRICT;

CREATE TABLE village_organiser (
    id         INTEGER PRIMARY KEY,
    village_id INTEGER NOT NULL REFERENCES village (id) ON DELETE CASCADE,
    -- Display order within the village.
    position   INTEGER NOT NULL,
    name_zh    TEXT    NOT NULL,
    name_en    TEXT    NOT NULL,
    UNIQUE (village_id, position)
) STRICT;
