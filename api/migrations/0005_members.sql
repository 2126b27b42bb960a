-- Urban households: a closed circle. People join with an invitation code,
-- made by an organiser or by a member, and are known by their real name.
CREATE TABLE invitation (
    id                   INTEGER PRIMARY KEY,
    -- Upper-case letters and digits (domain::validate::invitation_code).
    code                 TEXT    NOT NULL UNIQUE
                         CHECK (length(code) BETWEEN 6 AND 16 AND code NOT GLOB '*[^A-Z0-9]*'),
    -- NULL: made by an organiser (organiser accounts come later).
    created_by_member_id INTEGER REFERENCES member (id),
    -- Set, with used_at, in the same transaction that creates the member.
    used_by_member_id    INTEGER UNIQUE REFERENCES member (id),
    -- Unix seconds.
    created_at           INTEGER NOT NULL,
    used_at              INTEGER,
    CHECK ((used_by_member_id IS NULL) = (used_at IS NULL))
) STRICT;

CREATE INDEX invitation_created_by ON invitation (created_by_member_id, id);

CREATE TABLE member (
    id                   INTEGER PRIMARY KEY,
    name                 TEXT    NOT NULL,
    -- Normalized: 11 digits (domain::validate::phone).
    phone                TEXT    NOT NULL UNIQUE
                         CHECK (length(phone) = 11 AND phone NOT GLOB '*[^0-9]*'),
    -- argon2id PHC string.
    password_hash        TEXT    NOT NULL,
    default_point_id     INTEGER NOT NULL REFERENCES distribution_point (id),
    -- Who made the code this member joined with; NULL for an organiser's
    -- code and for members added by seeding.
    invited_by_member_id INTEGER REFERENCES member (id),
    invitation_id        INTEGER UNIQUE REFERENCES invitation (id),
    -- Unix seconds.
    created_at           INTEGER NOT NULL
) STRICT;

-- A logged-in browser. Only the SHA-256 of the cookie's token is stored,
-- so a copy of the database does not let anyone log in.
CREATE TABLE session (
    token_hash TEXT    PRIMARY KEY NOT NULL
               CHECK (length(token_hash) = 64 AND token_hash NOT GLOB '*[^0-9a-f]*'),
    member_id  INTEGER NOT NULL REFERENCES member (id) ON DELETE CASCADE,
    -- Unix seconds.
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX session_member ON session (member_id);
