-- Payment arrangements (R4): each client's acceptance rules, arrangements
-- (accepted or rejected, with the rules they were decided by), their
-- instalments, SEPA direct-debit mandates with their amendments, and the
-- direct-debit files written (one per collection date) with each
-- collection, so a file can be written again byte for byte.

CREATE TABLE arrangement_rules (
    client_id            INTEGER PRIMARY KEY REFERENCES clients (id),
    min_instalment_cents INTEGER NOT NULL,
    max_term_months      INTEGER NOT NULL,
    grace_days           INTEGER NOT NULL,
    prenotification_days INTEGER NOT NULL
);

CREATE TABLE arrangements (
    id               INTEGER PRIMARY KEY,
    case_id          INTEGER NOT NULL REFERENCES cases (id),
    -- active, completed, broken, rejected
    status           TEXT NOT NULL,
    frequency        TEXT NOT NULL,
    instalments      INTEGER NOT NULL,
    instalment_cents INTEGER NOT NULL,
    first_due_on     TEXT NOT NULL,
    total_cents      INTEGER NOT NULL,
    -- What the case had received before the acceptance: payments after it
    -- count towards the instalments.
    receipts_before_cents INTEGER NOT NULL,
    decided_on       TEXT NOT NULL,
    rules            TEXT NOT NULL,
    reason           TEXT,
    ended_on         TEXT,
    created_by       TEXT NOT NULL
);
CREATE INDEX arrangements_case ON arrangements (case_id);
CREATE INDEX arrangements_status ON arrangements (status, id);
CREATE UNIQUE INDEX arrangements_one_active ON arrangements (case_id) WHERE status = 'active';

CREATE TABLE instalments (
    id             INTEGER PRIMARY KEY,
    arrangement_id INTEGER NOT NULL REFERENCES arrangements (id),
    case_id        INTEGER NOT NULL REFERENCES cases (id),
    seq            INTEGER NOT NULL,
    due_on         TEXT NOT NULL,
    amount_cents   INTEGER NOT NULL,
    -- open, paid (payments cover it, oldest instalment first)
    state          TEXT NOT NULL,
    reminded_on    TEXT,
    -- A direct debit to try again after a return (AM04, MS03).
    retry_on       TEXT,
    -- A return reopened it for payment by transfer on this day.
    reopened_on    TEXT,
    dd_attempts    INTEGER NOT NULL DEFAULT 0,
    UNIQUE (arrangement_id, seq)
);
CREATE INDEX instalments_case ON instalments (case_id);

CREATE TABLE mandates (
    id             INTEGER PRIMARY KEY,
    reference      TEXT NOT NULL UNIQUE,
    case_id        INTEGER NOT NULL REFERENCES cases (id),
    arrangement_id INTEGER REFERENCES arrangements (id),
    debtor_name    TEXT NOT NULL,
    debtor_iban    TEXT NOT NULL,
    signed_on      TEXT NOT NULL,
    -- active, stopped
    status         TEXT NOT NULL,
    stopped_on     TEXT,
    stop_reason    TEXT,
    created_by     TEXT NOT NULL
);
CREATE INDEX mandates_case ON mandates (case_id);
CREATE INDEX mandates_arrangement ON mandates (arrangement_id);

CREATE TABLE mandate_amendments (
    id          INTEGER PRIMARY KEY,
    mandate_id  INTEGER NOT NULL REFERENCES mandates (id),
    case_id     INTEGER NOT NULL REFERENCES cases (id),
    amended_on  TEXT NOT NULL,
    -- reference, debtor_iban, debtor_name
    field       TEXT NOT NULL,
    old_value   TEXT NOT NULL,
    new_value   TEXT NOT NULL,
    -- The collection that carried the amendment indicator to the bank.
    reported_in TEXT,
    amended_by  TEXT NOT NULL
);
CREATE INDEX mandate_amendments_mandate ON mandate_amendments (mandate_id);
CREATE INDEX mandate_amendments_case ON mandate_amendments (case_id);

CREATE TABLE dd_batches (
    collection_date TEXT PRIMARY KEY,
    message_id      TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    creditor_name   TEXT NOT NULL,
    creditor_iban   TEXT NOT NULL,
    creditor_bic    TEXT,
    creditor_id     TEXT NOT NULL,
    created_by      TEXT NOT NULL
);

-- A collection as written in its file: what the bank was sent.
CREATE TABLE dd_collections (
    id                   INTEGER PRIMARY KEY,
    collection_date      TEXT NOT NULL REFERENCES dd_batches (collection_date),
    instalment_id        INTEGER NOT NULL REFERENCES instalments (id),
    mandate_id           INTEGER NOT NULL REFERENCES mandates (id),
    case_id              INTEGER NOT NULL REFERENCES cases (id),
    end_to_end_id        TEXT NOT NULL UNIQUE,
    sequence_type        TEXT NOT NULL,
    amount_cents         INTEGER NOT NULL,
    mandate_ref          TEXT NOT NULL,
    signed_on            TEXT NOT NULL,
    debtor_name          TEXT NOT NULL,
    debtor_iban          TEXT NOT NULL,
    remittance_ref       TEXT NOT NULL,
    original_mandate_ref TEXT,
    original_debtor_iban TEXT,
    debtor_bank_changed  INTEGER NOT NULL,
    -- submitted, returned
    state                TEXT NOT NULL,
    return_reason        TEXT,
    returned_on          TEXT
);
CREATE INDEX dd_collections_date ON dd_collections (collection_date);
CREATE INDEX dd_collections_instalment ON dd_collections (instalment_id);
CREATE INDEX dd_collections_mandate ON dd_collections (mandate_id);
CREATE INDEX dd_collections_case ON dd_collections (case_id);

-- Payments per case (the monitoring, the statement of account) use
-- bank_entries_case, created in 0008.
