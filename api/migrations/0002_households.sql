-- Village households that produce and sell. Members, capacity per round and
-- host-household lodging will reference household.id.
CREATE TABLE household (
    id           INTEGER PRIMARY KEY,
    village_id   INTEGER NOT NULL REFERENCES village (id) ON DELETE CASCADE,
    name_zh      TEXT    NOT NULL,
    name_en      TEXT    NOT NULL,
    story_zh     TEXT    NOT NULL,
    story_en     TEXT    NOT NULL,
    -- First day in the nested market, 'YYYY-MM-DD'.
    member_since TEXT    NOT NULL
                 CHECK (member_since GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    -- Fictional demo data is always marked as such.
    demo         INTEGER NOT NULL DEFAULT 0 CHECK (demo IN (0, 1))
) STRICT;

CREATE INDEX household_village ON household (village_id);
