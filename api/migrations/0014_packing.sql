-- Packing (issue 5): after a round's deadline its orders are allocated to
-- the households that supplied them (domain::allocation). Each piece of an
-- order that one household prepares is one packed line with its own label.

-- A round that has been allocated, and by whom (a round with no orders
-- can be allocated too: its packing lists are then empty).
CREATE TABLE allocation (
    round_id     INTEGER PRIMARY KEY NOT NULL
                 REFERENCES distribution_round (id) ON DELETE CASCADE,
    organiser_id INTEGER NOT NULL REFERENCES organiser (id),
    -- Unix seconds of the latest run.
    at           INTEGER NOT NULL
) STRICT;

CREATE TABLE packed_line (
    id           INTEGER PRIMARY KEY,
    round_id     INTEGER NOT NULL REFERENCES allocation (round_id) ON DELETE CASCADE,
    product_id   INTEGER NOT NULL REFERENCES product (id),
    household_id INTEGER NOT NULL REFERENCES household (id),
    order_id     TEXT    NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    quantity     INTEGER NOT NULL CHECK (quantity > 0),
    -- Canonical form of domain::label::LabelCode: 8 characters of its
    -- alphabet (no 0, 1, I, L, O). Unique across all rounds, so a label
    -- always traces to one piece.
    label_code   TEXT    NOT NULL UNIQUE
                 CHECK (length(label_code) = 8
                        AND label_code NOT GLOB '*[^23456789ABCDEFGHJKMNPQRSTUVWXYZ]*'),
    -- Re-running the allocation keeps the label of the same piece.
    UNIQUE (order_id, product_id, household_id)
) STRICT;

CREATE INDEX packed_line_round ON packed_line (round_id, household_id, product_id);
