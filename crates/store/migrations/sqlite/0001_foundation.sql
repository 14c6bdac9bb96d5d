-- Foundation: clients, parties, addresses, cases, claims, imports.
-- Every column here is classified in src/catalog.rs; a test fails otherwise.

CREATE TABLE clients (
    id              INTEGER PRIMARY KEY,
    ref             TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    role            TEXT NOT NULL CHECK (role IN ('controller', 'processor')),
    privacy_contact TEXT,
    created_at      TEXT NOT NULL
);

CREATE TABLE parties (
    id          INTEGER PRIMARY KEY,
    client_id   INTEGER NOT NULL REFERENCES clients (id),
    kind        TEXT NOT NULL CHECK (kind IN ('person', 'organisation')),
    debtor_ref  TEXT,
    debtor_key  TEXT,
    name        TEXT NOT NULL,
    birth_date  TEXT,
    kvk_number  TEXT,
    email       TEXT,
    phone       TEXT,
    iban        TEXT,
    source      TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX parties_client_key ON parties (client_id, debtor_key);

CREATE TABLE addresses (
    id          INTEGER PRIMARY KEY,
    party_id    INTEGER NOT NULL REFERENCES parties (id),
    street      TEXT NOT NULL,
    postcode    TEXT NOT NULL,
    city        TEXT NOT NULL,
    country     TEXT NOT NULL,
    source      TEXT NOT NULL,
    valid_from  TEXT NOT NULL,
    is_current  INTEGER NOT NULL
);
CREATE INDEX addresses_party ON addresses (party_id);

CREATE TABLE cases (
    id                INTEGER PRIMARY KEY,
    number            TEXT NOT NULL UNIQUE,
    client_id         INTEGER NOT NULL REFERENCES clients (id),
    debtor_party_id   INTEGER NOT NULL REFERENCES parties (id),
    debtor_type       TEXT NOT NULL CHECK (debtor_type IN ('consumer', 'business')),
    status            TEXT NOT NULL,
    opened_on         TEXT NOT NULL,
    closed_on         TEXT,
    principal_cents   INTEGER NOT NULL,
    balance_cents     INTEGER NOT NULL,
    payment_reference TEXT NOT NULL UNIQUE,
    rf_reference      TEXT NOT NULL UNIQUE,
    created_at        TEXT NOT NULL
);
CREATE INDEX cases_client ON cases (client_id, id);
CREATE INDEX cases_debtor ON cases (debtor_party_id);

CREATE TABLE case_parties (
    case_id   INTEGER NOT NULL REFERENCES cases (id),
    party_id  INTEGER NOT NULL REFERENCES parties (id),
    role      TEXT NOT NULL,
    PRIMARY KEY (case_id, party_id, role)
);
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
    fingerprint     TEXT NOT NULL,
    source          TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    UNIQUE (client_id, invoice_number)
);
CREATE INDEX claims_case ON claims (case_id);

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

CREATE TABLE idempotency_keys (
    key          TEXT PRIMARY KEY,
    scope        TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       INTEGER NOT NULL,
    response     TEXT NOT NULL,
    created_at   TEXT NOT NULL
);
