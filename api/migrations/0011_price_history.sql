-- Price changes made by organisers (issue 5), shown on the household's
-- page. Written in the same transaction as the product's new price.
CREATE TABLE price_change (
    id            INTEGER PRIMARY KEY,
    product_id    INTEGER NOT NULL REFERENCES product (id) ON DELETE CASCADE,
    old_price_fen INTEGER NOT NULL CHECK (old_price_fen > 0),
    new_price_fen INTEGER NOT NULL CHECK (new_price_fen > 0),
    organiser_id  INTEGER REFERENCES organiser (id),
    -- Unix seconds.
    at            INTEGER NOT NULL,
    CHECK (old_price_fen <> new_price_fen)
) STRICT;

CREATE INDEX price_change_product ON price_change (product_id, at);
