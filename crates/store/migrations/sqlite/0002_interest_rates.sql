-- Interest rate lines an operator added to the shipped table (a new
-- half-year's rates without a new release), and recorded assumptions that
-- the last commercial rate continues. Never updated or deleted: a rate that
-- changes gets a new line, so every statement can be recomputed as it was.
CREATE TABLE interest_rate_lines (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('rate', 'assume_commercial_continues')),
    line       TEXT NOT NULL,
    actor      TEXT NOT NULL,
    added_at   TEXT NOT NULL
);
