-- A product withdrawn from a round by an organiser (issue 5), e.g. for a
-- food-safety worry. Its lines leave the round's confirmed orders (so the
-- order totals and `ordered_total` no longer count them) and are kept in
-- `withdrawn_line` to tell the members why.
CREATE TABLE withdrawal (
    round_id        INTEGER NOT NULL REFERENCES distribution_round (id) ON DELETE CASCADE,
    product_id      INTEGER NOT NULL REFERENCES product (id) ON DELETE CASCADE,
    reason          TEXT    NOT NULL CHECK (length(trim(reason)) > 0),
    organiser_id    INTEGER NOT NULL REFERENCES organiser (id),
    -- Unix seconds.
    at              INTEGER NOT NULL,
    orders_affected INTEGER NOT NULL CHECK (orders_affected >= 0),
    PRIMARY KEY (round_id, product_id)
) STRICT, WITHOUT ROWID;

-- An order line taken out by a withdrawal, as it was priced.
CREATE TABLE withdrawn_line (
    order_id       TEXT    NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    product_id     INTEGER NOT NULL REFERENCES product (id),
    quantity       INTEGER NOT NULL CHECK (quantity > 0),
    unit_price_fen INTEGER NOT NULL CHECK (unit_price_fen > 0),
    total_fen      INTEGER NOT NULL CHECK (total_fen = unit_price_fen * quantity),
    household_fen  INTEGER NOT NULL CHECK (household_fen BETWEEN 0 AND total_fen),
    PRIMARY KEY (order_id, product_id)
) STRICT, WITHOUT ROWID;
