-- Foundation: clients, imports, parties, addresses, cases, claims.
-- Every column here is classified in src/catalog.rs; a test fails otherwise.
-- Case numbers and payment references derive from the case id, so lookups
-- by them decode the id instead of needing an index.

CREATE TABLE clients (
    id              INTEGER PRIMARY KEY,
    ref             TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    role            TEXT NOT NULL CHECK (role IN ('controller', 'processor')),
    privacy_contact TEXT,
    created_at      TEXT NOT NULL
);

-- One row per import: where the data of its rows came from (GDPR art. 14)
-- and who brought it in.
CREATE TABLE imports (
    id           INTEGER PRIMARY KEY,
    client_id    INTEGER NOT NULL REFERENCES clients (id),
    source       TEXT NOT NULL,
    lines        INTEGER NOT NULL,
    claims_added INTEGER NOT NULL,
    claims_known INTEGER NOT NULL,
    cases_added  INTEGER NOT NULL,
    actor        TEXT NOT NULL,
    created_at   TEXT NOT NULL
);

CREATE TABLE parties (
    id          INTEGER PRIMARY KEY,
    client_id   INTEGER NOT NULL REFERENCES clients (id),
    kind        TEXT NOT NULL CHECK (kind IN ('person', 'organisation')),
    debtor_ref  TEXT,
    debtor_key  BLOB,
    name        TEXT NOT NULL,
    birth_date  TEXT,
    kvk_number  TEXT,
    email       TEXT,
    phone       TEXT,
    iban        TEXT,
    -- The current postal address; earlier addresses move to a history
    -- table when an address check replaces it (R5).
    street      TEXT NOT NULL,
    postcode    TEXT NOT NULL,
    city        TEXT NOT NULL,
    country     TEXT NOT NULL,
    address_valid_from TEXT NOT NULL,
    import_id   INTEGER REFERENCES imports (id),
    import_line INTEGER
);
CREATE INDEX parties_client_key ON parties (client_id, debtor_key);

CREATE TABLE cases (
    id                INTEGER PRIMARY KEY,
    number            TEXT NOT NULL,
    client_id         INTEGER NOT NULL REFERENCES clients (id),
    debtor_party_id   INTEGER NOT NULL REFERENCES parties (id),
    debtor_type       TEXT NOT NULL CHECK (debtor_type IN ('consumer', 'business')),
    status            TEXT NOT NULL,
    opened_on         TEXT NOT NULL,
    closed_on         TEXT,
    -- The earliest due date of the case's claims: days past due.
    first_due_on      TEXT NOT NULL,
    principal_cents   INTEGER NOT NULL,
    balance_cents     INTEGER NOT NULL,
    import_id         INTEGER REFERENCES imports (id)
);
CREATE INDEX cases_client ON cases (client_id, id);
CREATE INDEX cases_debtor ON cases (debtor_party_id);

-- Parties on a case besides its debtor (cases.debtor_party_id): co-debtors,
-- guarantors, representatives, obligors (R2).
CREATE TABLE case_parties (
    case_id   INTEGER NOT NULL REFERENCES cases (id),
    party_id  INTEGER NOT NULL REFERENCES parties (id),
    role      TEXT NOT NULL,
    PRIMARY KEY (case_id, party_id, role)
) WITHOUT ROWID;
CREATE INDEX case_parties_party ON case_parties (party_id);

CREATE TABLE claims (
    id              INTEGER PRIMARY KEY,
    case_id         INTEGER NOT NULL REFERENCES cases (id),
    client_id       INTEGER NOT NULL REFERENCES clients (id),
    invoice_number  TEXT NOT NULL,
    invoice_date    TEXT NOT NULL,
    due_date        TEXT NOT NULL,
    principal_cents INTEGER NOT NULL,
    description     TEXT,
    agreement_ref   TEXT,
    fingerprint     INTEGER NOT NULL,
    import_id       INTEGER REFERENCES imports (id),
    import_line     INTEGER,
    UNIQUE (client_id, invoice_number)
);
CREATE INDEX claims_case ON claims (case_id);

CREATE TABLE idempotency_keys (
    key          TEXT PRIMARY KEY,
    scope        TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       INTEGER NOT NULL,
    response     TEXT NOT NULL,
    created_at   TEXT NOT NULL
);
