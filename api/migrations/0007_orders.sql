-- Orders for a round. The id is the UUID the phone made, so a retried
-- request finds the order it already placed instead of placing another.
CREATE TABLE orders (
    -- Lower-case hyphenated UUID.
    id             TEXT    PRIMARY KEY NOT NULL
                   CHECK (length(id) = 36 AND id NOT GLOB '*[^0-9a-f-]*'),
    -- Shown to people as e.g. LIU-000123; assigned once, never reused.
    number         INTEGER NOT NULL UNIQUE CHECK (number > 0),
    member_id      INTEGER NOT NULL REFERENCES member (id),
    round_id       INTEGER NOT NULL REFERENCES distribution_round (id),
    point_id       INTEGER NOT NULL REFERENCES distribution_point (id),
    status         TEXT    NOT NULL CHECK (status IN ('confirmed', 'cancelled')),
    -- The normalized domain::order::OrderRequest of the PUT that placed the
    -- order, as JSON: a retried PUT with this content is answered with the
    -- order instead of a conflict.
    placed_request TEXT    NOT NULL,
    -- Unix seconds.
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
) STRICT;

CREATE INDEX orders_member ON orders (member_id, created_at);
CREATE INDEX orders_round ON orders (round_id, status);

-- Prices are copied when the order is placed.
CREATE TABLE order_line (
    order_id       TEXT    NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    product_id     INTEGER NOT NULL REFERENCES product (id),
    quantity       INTEGER NOT NULL CHECK (quantity > 0),
    unit_price_fen INTEGER NOT NULL CHECK (unit_price_fen > 0),
    total_fen      INTEGER NOT NULL CHECK (total_fen = unit_price_fen * quantity),
    household_fen  INTEGER NOT NULL CHECK (household_fen BETWEEN 0 AND total_fen),
    PRIMARY KEY (order_id, product_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX order_line_product ON order_line (product_id, order_id, quantity);
