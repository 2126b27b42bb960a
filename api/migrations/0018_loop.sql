-- After packing: pickup and payment at the distribution point, refunds,
-- what the households are paid, what the organising share is spent on,
-- and quality feedback by label.

-- Every pickup mark an organiser made for an order, as the phone sent it.
-- An order's pickup is its latest mark (by `marked_at`, then `recorded_at`,
-- then rowid): two phones marking at one point each keep their marks, and
-- the last one made wins.
CREATE TABLE pickup_mark (
    id            INTEGER PRIMARY KEY,
    -- UUID the phone made for the mark: the same mark sent again is found
    -- here and recorded once.
    mark_uuid     TEXT    NOT NULL UNIQUE
                  CHECK (length(mark_uuid) = 36 AND mark_uuid NOT GLOB '*[^0-9a-f-]*'),
    order_id      TEXT    NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    -- 'paid': collected and paid; 'unpaid': collected, not paid;
    -- 'absent': not collected.
    state         TEXT    NOT NULL CHECK (state IN ('paid', 'unpaid', 'absent')),
    -- What was paid, set only for 'paid'.
    amount_fen    INTEGER CHECK (amount_fen >= 0),
    method        TEXT    CHECK (method IN ('cash', 'transfer', 'other')),
    organiser_id  INTEGER NOT NULL REFERENCES organiser (id),
    -- When it was marked on the phone, and when the server got it (Unix
    -- seconds).
    marked_at     INTEGER NOT NULL,
    recorded_at   INTEGER NOT NULL,
    CHECK ((state = 'paid') = (amount_fen IS NOT NULL)),
    CHECK ((state = 'paid') = (method IS NOT NULL))
) STRICT;

CREATE INDEX pickup_mark_order ON pickup_mark (order_id, marked_at, recorded_at, id);

-- Money given back to a member, for an order as a whole or for one piece
-- (its label). Shown on the member's order and taken off in settlement.
CREATE TABLE refund (
    id            INTEGER PRIMARY KEY,
    order_id      TEXT    NOT NULL REFERENCES orders (id),
    -- The piece refunded; NULL: the order as a whole.
    label_code    TEXT    REFERENCES packed_line (label_code),
    amount_fen    INTEGER NOT NULL CHECK (amount_fen > 0),
    reason        TEXT    NOT NULL CHECK (length(trim(reason)) > 0),
    -- The problem report it answers, if any.
    report_id     INTEGER REFERENCES label_report (id),
    organiser_id  INTEGER NOT NULL REFERENCES organiser (id),
    -- Unix seconds.
    created_at    INTEGER NOT NULL
) STRICT;

CREATE INDEX refund_order ON refund (order_id, id);

-- What organisers paid a household for a round.
CREATE TABLE household_payment (
    round_id      INTEGER NOT NULL REFERENCES distribution_round (id),
    household_id  INTEGER NOT NULL REFERENCES household (id),
    amount_fen    INTEGER NOT NULL CHECK (amount_fen >= 0),
    -- 'YYYY-MM-DD', a day in Asia/Shanghai.
    paid_on       TEXT    NOT NULL CHECK (paid_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    organiser_id  INTEGER NOT NULL REFERENCES organiser (id),
    -- Unix seconds.
    recorded_at   INTEGER NOT NULL,
    PRIMARY KEY (round_id, household_id)
) STRICT, WITHOUT ROWID;

-- What the village's organising share paid for. Entries are public in a
-- yearly summary by category; the balance is the share collected less
-- these.
CREATE TABLE share_spending (
    id            INTEGER PRIMARY KEY,
    village_id    INTEGER NOT NULL REFERENCES village (id),
    -- 'YYYY-MM-DD', a day in Asia/Shanghai.
    spent_on      TEXT    NOT NULL CHECK (spent_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    category      TEXT    NOT NULL
                  CHECK (category IN ('packing', 'transport', 'waste', 'culture', 'other')),
    amount_fen    INTEGER NOT NULL CHECK (amount_fen > 0),
    note_zh       TEXT    NOT NULL DEFAULT '',
    note_en       TEXT    NOT NULL DEFAULT '',
    organiser_id  INTEGER NOT NULL REFERENCES organiser (id),
    -- Unix seconds; a removed entry is kept for the change log's sake but
    -- counts nowhere.
    created_at    INTEGER NOT NULL,
    removed_at    INTEGER
) STRICT;

CREATE INDEX share_spending_village ON share_spending (village_id, spent_on);

-- A member's rating of one line of their own collected order.
CREATE TABLE rating (
    order_id      TEXT    NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    product_id    INTEGER NOT NULL REFERENCES product (id),
    rating        TEXT    NOT NULL CHECK (rating IN ('good', 'so_so', 'bad')),
    comment       TEXT    NOT NULL DEFAULT '',
    -- Unix seconds.
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    PRIMARY KEY (order_id, product_id)
) STRICT, WITHOUT ROWID;

-- A problem reported with a label's code, by anyone, with no account.
-- Nothing here says who reported it beyond the hashed address the rate
-- limit counts.
CREATE TABLE label_report (
    id            INTEGER PRIMARY KEY,
    label_code    TEXT    NOT NULL REFERENCES packed_line (label_code),
    problem       TEXT    NOT NULL
                  CHECK (problem IN ('spoiled', 'damaged', 'wrong', 'missing', 'other')),
    comment       TEXT    NOT NULL DEFAULT '',
    -- SHA-256 of the client address, for the rate limit only.
    address_hash  TEXT    NOT NULL,
    -- Unix seconds.
    created_at    INTEGER NOT NULL,
    -- Set when an organiser has dealt with it.
    resolved_at   INTEGER,
    resolved_by   INTEGER REFERENCES organiser (id)
) STRICT;

CREATE INDEX label_report_label ON label_report (label_code, id);
CREATE INDEX label_report_address ON label_report (address_hash, created_at);

-- An order's pickup: its latest mark (the rule above, in one place).
CREATE VIEW pickup AS
SELECT m.*
FROM pickup_mark m
WHERE m.id = (SELECT l.id FROM pickup_mark l
              WHERE l.order_id = m.order_id
              ORDER BY l.marked_at DESC, l.recorded_at DESC, l.id DESC
              LIMIT 1);
