-- The distribution points serving a round, chosen by its organisers
-- (issue 5). A round without rows here (every round made before this
-- version) is served by all points of its village.
CREATE TABLE round_point (
    round_id INTEGER NOT NULL REFERENCES distribution_round (id) ON DELETE CASCADE,
    point_id INTEGER NOT NULL REFERENCES distribution_point (id) ON DELETE CASCADE,
    PRIMARY KEY (round_id, point_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX round_point_point ON round_point (point_id, round_id);
