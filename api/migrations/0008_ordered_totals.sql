-- How much of each product the confirmed orders of a round hold, kept by
-- triggers in the same transaction as every change to orders and their
-- lines, so the capacity check reads one row instead of summing every
-- order line of a popular product.
CREATE TABLE ordered_total (
    round_id   INTEGER NOT NULL,
    product_id INTEGER NOT NULL,
    quantity   INTEGER NOT NULL CHECK (quantity >= 0),
    PRIMARY KEY (round_id, product_id)
) STRICT, WITHOUT ROWID;

INSERT INTO ordered_total (round_id, product_id, quantity)
SELECT o.round_id, ol.product_id, SUM(ol.quantity)
FROM order_line ol JOIN orders o ON o.id = ol.order_id
WHERE o.status = 'confirmed'
GROUP BY o.round_id, ol.product_id;

-- A line of a confirmed order added, removed or changed.
CREATE TRIGGER order_line_added AFTER INSERT ON order_line
WHEN (SELECT status FROM orders WHERE id = NEW.order_id) = 'confirmed'
BEGIN
    INSERT INTO ordered_total (round_id, product_id, quantity)
    VALUES ((SELECT round_id FROM orders WHERE id = NEW.order_id), NEW.product_id, NEW.quantity)
    ON CONFLICT (round_id, product_id) DO UPDATE SET quantity = quantity + excluded.quantity;
END;

CREATE TRIGGER order_line_removed AFTER DELETE ON order_line
WHEN (SELECT status FROM orders WHERE id = OLD.order_id) = 'confirmed'
BEGIN
    UPDATE ordered_total SET quantity = quantity - OLD.quantity
    WHERE round_id = (SELECT round_id FROM orders WHERE id = OLD.order_id)
      AND product_id = OLD.product_id;
END;

CREATE TRIGGER order_line_changed AFTER UPDATE OF order_id, product_id, quantity ON order_line
BEGIN
    UPDATE ordered_total SET quantity = quantity - OLD.quantity
    WHERE (SELECT status FROM orders WHERE id = OLD.order_id) = 'confirmed'
      AND round_id = (SELECT round_id FROM orders WHERE id = OLD.order_id)
      AND product_id = OLD.product_id;
    INSERT INTO ordered_total (round_id, product_id, quantity)
    SELECT o.round_id, NEW.product_id, NEW.quantity FROM orders o
    WHERE o.id = NEW.order_id AND o.status = 'confirmed'
    ON CONFLICT (round_id, product_id) DO UPDATE SET quantity = quantity + excluded.quantity;
END;

-- An order cancelled (or confirmed again, or moved to another round).
CREATE TRIGGER order_changed AFTER UPDATE OF status, round_id ON orders
BEGIN
    UPDATE ordered_total
    SET quantity = quantity - (SELECT ol.quantity FROM order_line ol
                               WHERE ol.order_id = OLD.id AND ol.product_id = ordered_total.product_id)
    WHERE OLD.status = 'confirmed' AND round_id = OLD.round_id
      AND product_id IN (SELECT product_id FROM order_line WHERE order_id = OLD.id);
    INSERT INTO ordered_total (round_id, product_id, quantity)
    SELECT NEW.round_id, ol.product_id, ol.quantity FROM order_line ol
    WHERE ol.order_id = NEW.id AND NEW.status = 'confirmed'
    ON CONFLICT (round_id, product_id) DO UPDATE SET quantity = quantity + excluded.quantity;
END;

-- An order deleted: its lines go with it (cascade), after the order row,
-- so take them out here.
CREATE TRIGGER order_deleted BEFORE DELETE ON orders
WHEN OLD.status = 'confirmed'
BEGIN
    UPDATE ordered_total
    SET quantity = quantity - (SELECT ol.quantity FROM order_line ol
                               WHERE ol.order_id = OLD.id AND ol.product_id = ordered_total.product_id)
    WHERE round_id = OLD.round_id
      AND product_id IN (SELECT product_id FROM order_line WHERE order_id = OLD.id);
END;
