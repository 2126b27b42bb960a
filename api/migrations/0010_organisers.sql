-- Organiser accounts (issue 5): the villagers' representatives who run the
-- workspace. An account may organise more than one village. Their sessions
-- are kept apart from members' sessions, with their own cookie.
CREATE TABLE organiser (
    id            INTEGER PRIMARY KEY,
    -- What they type to log in (domain::organise::login_name).
    login         TEXT    NOT NULL UNIQUE
                  CHECK (length(login) BETWEEN 3 AND 40 AND login NOT GLOB '*[^a-z0-9-]*'),
    name_zh       TEXT    NOT NULL,
    name_en       TEXT    NOT NULL,
    -- argon2id PHC string.
    password_hash TEXT    NOT NULL,
    -- Fictional demo accounts are always marked as such.
    demo          INTEGER NOT NULL DEFAULT 0 CHECK (demo IN (0, 1)),
    created_at    INTEGER NOT NULL
) STRICT;

CREATE TABLE organiser_village (
    organiser_id INTEGER NOT NULL REFERENCES organiser (id) ON DELETE CASCADE,
    village_id   INTEGER NOT NULL REFERENCES village (id) ON DELETE CASCADE,
    PRIMARY KEY (organiser_id, village_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX organiser_village_village ON organiser_village (village_id, organiser_id);

-- Like `session`: only the SHA-256 of the cookie's token is stored.
CREATE TABLE organiser_session (
    token_hash   TEXT    PRIMARY KEY NOT NULL
                 CHECK (length(token_hash) = 64 AND token_hash NOT GLOB '*[^0-9a-f]*'),
    organiser_id INTEGER NOT NULL REFERENCES organiser (id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX organiser_session_organiser ON organiser_session (organiser_id);

-- Failed organiser logins, for the rate limit per account and per client
-- address. Kept in the database so a restart does not reset the count.
CREATE TABLE login_failure (
    id      INTEGER PRIMARY KEY,
    -- The normalized login typed (whether or not such an account exists).
    account TEXT    NOT NULL,
    address TEXT    NOT NULL,
    -- Unix seconds.
    at      INTEGER NOT NULL
) STRICT;

CREATE INDEX login_failure_account ON login_failure (account, at);
CREATE INDEX login_failure_address ON login_failure (address, at);

-- Every organiser write, in the same transaction as the write itself.
CREATE TABLE change_log (
    id           INTEGER PRIMARY KEY,
    organiser_id INTEGER NOT NULL REFERENCES organiser (id),
    village_id   INTEGER NOT NULL REFERENCES village (id),
    -- e.g. 'product', 'round', 'supply', 'booking'.
    entity       TEXT    NOT NULL,
    entity_id    TEXT    NOT NULL,
    -- e.g. 'create', 'update', 'cancel'.
    action       TEXT    NOT NULL,
    -- Unix seconds (answered as UTC RFC 3339).
    at           INTEGER NOT NULL,
    -- JSON of the values before and after; NULL for a create / delete.
    before       TEXT    CHECK (before IS NULL OR json_valid(before)),
    after        TEXT    CHECK (after IS NULL OR json_valid(after))
) STRICT;

CREATE INDEX change_log_village ON change_log (village_id, id);
