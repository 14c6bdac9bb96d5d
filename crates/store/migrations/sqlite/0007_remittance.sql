-- Remittance to clients (afdracht): what each client agreed with the agency
-- (versioned by the day it takes effect) and the payouts made, each with the
-- ledger transfers it accounted for.

CREATE TABLE client_agreements (
    id                  INTEGER PRIMARY KEY,
    client_id           INTEGER NOT NULL REFERENCES clients (id),
    effective_from      TEXT NOT NULL,
    commission_bps      INTEGER NOT NULL CHECK (commission_bps BETWEEN 0 AND 10000),
    commission_rounding TEXT NOT NULL,
    costs_to            TEXT NOT NULL CHECK (costs_to IN ('client', 'agency')),
    interest_to         TEXT NOT NULL CHECK (interest_to IN ('client', 'agency')),
    payout_frequency    TEXT NOT NULL,
    payout_min_cents    INTEGER NOT NULL CHECK (payout_min_cents >= 0),
    payout_iban         TEXT NOT NULL,
    payout_bic          TEXT,
    payout_name         TEXT NOT NULL,
    created_at          TEXT NOT NULL,
    UNIQUE (client_id, effective_from)
);

-- One payout per client and period (the idempotency key of `kwijting remit`).
CREATE TABLE remittances (
    id                INTEGER PRIMARY KEY,
    client_id         INTEGER NOT NULL REFERENCES clients (id),
    period            TEXT NOT NULL,
    run_date          TEXT NOT NULL,
    batch             TEXT NOT NULL,
    end_to_end_id     TEXT NOT NULL UNIQUE,
    amount_cents      INTEGER NOT NULL CHECK (amount_cents > 0),
    commission_cents  INTEGER NOT NULL,
    agency_kept_cents INTEGER NOT NULL,
    payout_iban       TEXT NOT NULL,
    payout_bic        TEXT,
    payout_name       TEXT NOT NULL,
    created_at        TEXT NOT NULL,
    UNIQUE (client_id, period)
);
CREATE INDEX remittances_run_date ON remittances (run_date);

-- The ledger transfers (collected amounts) a remittance paid out; each once.
CREATE TABLE remittance_lines (
    remittance_id INTEGER NOT NULL REFERENCES remittances (id),
    transfer_key  TEXT NOT NULL UNIQUE
);
CREATE INDEX remittance_lines_remittance ON remittance_lines (remittance_id);

-- Refunds of overpayments (`kwijting payments refund`): one row per payment
-- file; the refunds themselves are ledger transfers naming their batch.
CREATE TABLE refund_batches (
    batch      TEXT PRIMARY KEY,
    run_date   TEXT NOT NULL,
    created_at TEXT NOT NULL
);
