-- How much each household can supply of a product in a round. A product's
-- capacity in a round is the sum over its households. The composite key
-- makes sure the household really makes the product.
CREATE TABLE supply (
    round_id     INTEGER NOT NULL REFERENCES distribution_round (id) ON DELETE CASCADE,
    household_id INTEGER NOT NULL,
    product_id   INTEGER NOT NULL,
    quantity     INTEGER NOT NULL CHECK (quantity >= 0),
    PRIMARY KEY (round_id, household_id, product_id),
    FOREIGN KEY (product_id, household_id)
        REFERENCES product_household (product_id, household_id) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;

CREATE INDEX supply_round_product ON supply (round_id, product_id, quantity);
