-- Visits (issue 4): host households, each village's visit policy and
-- closed days, and bookings. Money is integer fen, dates 'YYYY-MM-DD'
-- (Asia/Shanghai), instants Unix seconds.

-- A household that takes in visitors. Its id is the household's id.
CREATE TABLE host (
    household_id    INTEGER PRIMARY KEY REFERENCES household (id) ON DELETE CASCADE,
    beds            INTEGER NOT NULL CHECK (beds BETWEEN 0 AND 100),
    breakfast       INTEGER NOT NULL CHECK (breakfast IN (0, 1)),
    lunch           INTEGER NOT NULL CHECK (lunch IN (0, 1)),
    dinner          INTEGER NOT NULL CHECK (dinner IN (0, 1)),
    adult_night_fen INTEGER NOT NULL CHECK (adult_night_fen > 0),
    child_night_fen INTEGER NOT NULL CHECK (child_night_fen >= 0),
    meal_adult_fen  INTEGER NOT NULL CHECK (meal_adult_fen > 0),
    meal_child_fen  INTEGER NOT NULL CHECK (meal_child_fen >= 0),
    description_zh  TEXT    NOT NULL,
    description_en  TEXT    NOT NULL,
    rules_zh        TEXT    NOT NULL,
    rules_en        TEXT    NOT NULL
) STRICT;

CREATE TABLE visit_policy (
    village_id              INTEGER PRIMARY KEY REFERENCES village (id) ON DELETE CASCADE,
    -- First and last night open for visits.
    open_from               TEXT    NOT NULL CHECK (open_from GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    open_until              TEXT    NOT NULL CHECK (open_until GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    max_party               INTEGER NOT NULL CHECK (max_party BETWEEN 1 AND 30),
    max_nights              INTEGER NOT NULL CHECK (max_nights BETWEEN 1 AND 30),
    free_cancel_days_before INTEGER NOT NULL CHECK (free_cancel_days_before BETWEEN 0 AND 60),
    CHECK (open_from <= open_until)
) STRICT;

-- Nights inside the open range when nobody can stay.
CREATE TABLE closed_day (
    village_id INTEGER NOT NULL REFERENCES village (id) ON DELETE CASCADE,
    day        TEXT    NOT NULL CHECK (day GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    PRIMARY KEY (village_id, day)
) STRICT, WITHOUT ROWID;

-- A visit booking. The id is the UUID the phone made, so a retried request
-- finds the booking it already made instead of making another.
CREATE TABLE booking (
    id               TEXT    PRIMARY KEY NOT NULL
                     CHECK (length(id) = 36 AND id NOT GLOB '*[^0-9a-f-]*'),
    -- Short secret code that reads the booking without a login.
    reference        TEXT    NOT NULL UNIQUE,
    village_id       INTEGER NOT NULL REFERENCES village (id),
    host_id          INTEGER NOT NULL REFERENCES host (household_id),
    arrival          TEXT    NOT NULL CHECK (arrival GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    nights           INTEGER NOT NULL CHECK (nights > 0),
    adults           INTEGER NOT NULL CHECK (adults > 0),
    children         INTEGER NOT NULL CHECK (children >= 0),
    -- JSON list of domain::visit::DayMeals.
    meals            TEXT    NOT NULL,
    name             TEXT    NOT NULL,
    phone            TEXT    NOT NULL,
    -- The member whose session made the booking; NULL for a non-member.
    member_id        INTEGER REFERENCES member (id),
    status           TEXT    NOT NULL CHECK (status IN ('confirmed', 'cancelled')),
    cancelled_by     TEXT    CHECK (cancelled_by IN ('visitor', 'organiser')),
    cancel_reason    TEXT,
    -- JSON list of domain::visit::PriceLine, priced when booked.
    lines            TEXT    NOT NULL,
    total_fen        INTEGER NOT NULL CHECK (total_fen >= 0),
    free_cancel_days_before INTEGER NOT NULL,
    -- Unix seconds: from then on, cancelling is not free.
    free_cancel_until INTEGER NOT NULL,
    -- The normalized domain::dto::BookingRequest of the PUT that made the
    -- booking: a retried PUT with this content gets the booking back.
    placed_request   TEXT    NOT NULL,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    CHECK ((status = 'cancelled') = (cancelled_by IS NOT NULL))
) STRICT;

CREATE INDEX booking_member ON booking (member_id, created_at);
CREATE INDEX booking_village ON booking (village_id, arrival);

-- The beds a confirmed booking holds, one row per night slept. Kept by the
-- booking code on insert and by the trigger below on cancellation, so the
-- bed check reads a handful of rows per host night.
CREATE TABLE booking_night (
    booking_id TEXT    NOT NULL REFERENCES booking (id) ON DELETE CASCADE,
    host_id    INTEGER NOT NULL REFERENCES host (household_id),
    night      TEXT    NOT NULL,
    beds       INTEGER NOT NULL CHECK (beds > 0),
    PRIMARY KEY (booking_id, night)
) STRICT, WITHOUT ROWID;

CREATE INDEX booking_night_host ON booking_night (host_id, night, beds);

-- The last line of defence: no host night is ever booked over its beds,
-- whatever code writes (the API checks first and answers 409).
CREATE TRIGGER booking_night_capacity BEFORE INSERT ON booking_night
WHEN NEW.beds + (SELECT COALESCE(SUM(beds), 0) FROM booking_night
                 WHERE host_id = NEW.host_id AND night = NEW.night)
     > (SELECT beds FROM host WHERE household_id = NEW.host_id)
BEGIN
    SELECT RAISE(ABORT, 'host night overbooked');
END;

-- A cancelled booking frees its beds.
CREATE TRIGGER booking_cancelled AFTER UPDATE OF status ON booking
WHEN NEW.status = 'cancelled'
BEGIN
    DELETE FROM booking_night WHERE booking_id = NEW.id;
END;
