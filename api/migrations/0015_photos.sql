-- Product photos (issue 5). Uploads are decoded and re-encoded without
-- any metadata (api/src/photos.rs); only the resized versions are kept,
-- never the uploaded file. BLOBs in the database keep a photo and its
-- versions consistent with one transaction, and backups stay one file.
CREATE TABLE photo (
    -- AUTOINCREMENT: an id is never reused after a delete, because its
    -- URLs are cached by browsers as immutable.
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    product_id   INTEGER NOT NULL REFERENCES product (id) ON DELETE CASCADE,
    -- Order on the product page, smallest first; gaps are fine.
    position     INTEGER NOT NULL,
    -- What the upload really was: 'image/jpeg', 'image/png' or 'image/webp'.
    source_type  TEXT    NOT NULL
                 CHECK (source_type IN ('image/jpeg', 'image/png', 'image/webp')),
    -- The upright original's size in pixels, and its size in bytes.
    width        INTEGER NOT NULL CHECK (width > 0),
    height       INTEGER NOT NULL CHECK (height > 0),
    upload_bytes INTEGER NOT NULL CHECK (upload_bytes > 0),
    organiser_id INTEGER NOT NULL REFERENCES organiser (id),
    -- Unix seconds.
    created_at   INTEGER NOT NULL,
    UNIQUE (product_id, position)
) STRICT;

-- One stored size of a photo, served at /api/photos/{photo_id}/{width}.jpg.
CREATE TABLE photo_version (
    photo_id     INTEGER NOT NULL REFERENCES photo (id) ON DELETE CASCADE,
    width        INTEGER NOT NULL CHECK (width > 0),
    height       INTEGER NOT NULL CHECK (height > 0),
    content_type TEXT    NOT NULL CHECK (content_type = 'image/jpeg'),
    bytes        BLOB    NOT NULL,
    PRIMARY KEY (photo_id, width)
) STRICT;
