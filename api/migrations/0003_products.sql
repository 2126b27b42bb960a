-- Products and the households that produce them (many-to-many).
CREATE TABLE product (
    id              INTEGER PRIMARY KEY,
    village_id      INTEGER NOT NULL REFERENCES village (id) ON DELETE CASCADE,
    name_zh         TEXT    NOT NULL,
    name_en         TEXT    NOT NULL,
    -- Must match domain::dto::Category.
    category        TEXT    NOT NULL
                    CHECK (category IN ('eggs', 'meat', 'grain', 'fruit', 'vegetable', 'processed', 'other')),
    unit_zh         TEXT    NOT NULL,
    unit_en         TEXT    NOT NULL,
    price_fen       INTEGER NOT NULL CHECK (price_fen > 0),
    -- Reference price on the local village market; 0 when unknown.
    local_price_fen INTEGER NOT NULL DEFAULT 0 CHECK (local_price_fen >= 0),
    all_year        INTEGER NOT NULL CHECK (all_year IN (0, 1)),
    -- domain::MonthSet mask, bit n = month n; 0 for all-year products.
    months_mask     INTEGER NOT NULL DEFAULT 0,
    description_zh  TEXT    NOT NULL,
    description_en  TEXT    NOT NULL,
    -- Organisers withdraw a product by unpublishing it.
    published       INTEGER NOT NULL DEFAULT 1 CHECK (published IN (0, 1)),
    CHECK ((all_year = 1 AND months_mask = 0)
        OR (all_year = 0 AND months_mask BETWEEN 2 AND 8190 AND months_mask % 2 = 0))
) STRICT;

CREATE INDEX product_village ON product (village_id, published);

CREATE TABLE product_household (
    product_id   INTEGER NOT NULL REFERENCES product (id) ON DELETE CASCADE,
    household_id INTEGER NOT NULL REFERENCES household (id) ON DELETE CASCADE,
    PRIMARY KEY (product_id, household_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX product_household_household ON product_household (household_id, product_id);
