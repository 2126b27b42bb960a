-- A village that runs itself: organisers made by the admin command must
-- change their one-time password; organisers invite members (with a note
-- and an expiry, revocable) and co-organisers; members can be suspended.

-- Set for an account whose password was handed out (the admin command):
-- until it is changed, only `me`, logout and the password change answer.
ALTER TABLE organiser ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0
    CHECK (must_change_password IN (0, 1));

-- An organiser's invitation code is for one village: members have no
-- village column of their own (theirs is their default point's), so the
-- code says which village's points its holder may choose.
ALTER TABLE invitation ADD COLUMN village_id INTEGER REFERENCES village (id);
ALTER TABLE invitation ADD COLUMN created_by_organiser_id INTEGER REFERENCES organiser (id);
-- Whom the code is for, as the organiser wrote it.
ALTER TABLE invitation ADD COLUMN note TEXT NOT NULL DEFAULT '';
-- Last day it can be used ('YYYY-MM-DD', until the end of that day in
-- Asia/Shanghai); NULL: no expiry.
ALTER TABLE invitation ADD COLUMN expires_on TEXT;
-- Unix seconds; a revoked code can no longer be used.
ALTER TABLE invitation ADD COLUMN revoked_at INTEGER;

CREATE INDEX invitation_village ON invitation (village_id, id);

-- Unix seconds; NULL while the member is active. A suspended member
-- cannot log in or order; their past orders stay.
ALTER TABLE member ADD COLUMN suspended_at INTEGER;
ALTER TABLE member ADD COLUMN suspension_reason TEXT NOT NULL DEFAULT '';

-- When an organiser started organising a village (Unix seconds; NULL for
-- rows made before this was kept).
ALTER TABLE organiser_village ADD COLUMN since INTEGER;

-- One-time codes that make a co-organiser of a village.
CREATE TABLE organiser_invitation (
    id              INTEGER PRIMARY KEY,
    code            TEXT    NOT NULL UNIQUE
                    CHECK (length(code) BETWEEN 6 AND 16 AND code NOT GLOB '*[^A-Z0-9]*'),
    village_id      INTEGER NOT NULL REFERENCES village (id),
    created_by      INTEGER NOT NULL REFERENCES organiser (id),
    -- Unix seconds.
    created_at      INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL,
    used_by         INTEGER REFERENCES organiser (id),
    used_at         INTEGER,
    CHECK ((used_by IS NULL) = (used_at IS NULL))
) STRICT;

CREATE INDEX organiser_invitation_village ON organiser_invitation (village_id, id);
