-- A client's column mapping for claim files (file header -> column of the
-- claim format), as the TOML text it was given in; used when the client's
-- file is imported without --mapping. Headers only: no personal data.
CREATE TABLE client_mappings (
    client_id BIGINT PRIMARY KEY REFERENCES clients (id),
    mapping   TEXT NOT NULL,
    saved_on  DATE NOT NULL
);
