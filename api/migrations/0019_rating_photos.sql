-- A photo with a member's rating of one line (the mouldy walnut, the
-- perfect egg), through the same pipeline as product photos: metadata
-- stripped, stored at a few widths. One per rated line; a new upload
-- replaces it.
CREATE TABLE rating_photo (
    -- AUTOINCREMENT: an id is never reused, as its URLs are cached for good.
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id     TEXT    NOT NULL,
    product_id   INTEGER NOT NULL,
    source_type  TEXT    NOT NULL
                 CHECK (source_type IN ('image/jpeg', 'image/png', 'image/webp')),
    width        INTEGER NOT NULL CHECK (width > 0),
    height       INTEGER NOT NULL CHECK (height > 0),
    upload_bytes INTEGER NOT NULL CHECK (upload_bytes > 0),
    -- Unix seconds.
    created_at   INTEGER NOT NULL,
    UNIQUE (order_id, product_id),
    FOREIGN KEY (order_id, product_id) REFERENCES rating (order_id, product_id) ON DELETE CASCADE
) STRICT;

CREATE TABLE rating_photo_version (
    photo_id     INTEGER NOT NULL REFERENCES rating_photo (id) ON DELETE CASCADE,
    width        INTEGER NOT NULL CHECK (width > 0),
    height       INTEGER NOT NULL CHECK (height > 0),
    content_type TEXT    NOT NULL CHECK (content_type = 'image/jpeg'),
    bytes        BLOB    NOT NULL,
    PRIMARY KEY (photo_id, width)
) STRICT;
