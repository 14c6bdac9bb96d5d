-- The trust-account ledger (immutable, balanced transfers; see
-- crates/ledger) and the bank statement entries it was booked from.

CREATE TABLE ledger_transfers (
    id          INTEGER PRIMARY KEY,
    key         TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL,
    source_kind TEXT NOT NULL,
    source_ref  TEXT NOT NULL,
    reverses    TEXT,
    parent      TEXT,
    booked_on   TEXT NOT NULL
);

-- Account names carry the case or client they belong to, e.g.
-- `case_principal:17`.
CREATE TABLE ledger_postings (
    transfer_id  INTEGER NOT NULL REFERENCES ledger_transfers (id),
    account      TEXT NOT NULL,
    amount_cents INTEGER NOT NULL
);
CREATE INDEX ledger_postings_transfer ON ledger_postings (transfer_id);

-- One row per statement transaction (idempotency key: account, statement,
-- entry reference, transaction index).
CREATE TABLE bank_entries (
    id                INTEGER PRIMARY KEY,
    key               TEXT NOT NULL UNIQUE,
    source            TEXT NOT NULL,
    account           TEXT NOT NULL,
    booked_on         TEXT,
    amount_cents      INTEGER NOT NULL,
    counterparty_name TEXT,
    counterparty_iban TEXT,
    remittance        TEXT,
    structured_ref    TEXT,
    match_state       TEXT NOT NULL,
    case_id           INTEGER REFERENCES cases (id),
    confidence        TEXT,
    reason            TEXT
);
CREATE INDEX bank_entries_state ON bank_entries (match_state);
CREATE INDEX parties_iban ON parties (iban);
