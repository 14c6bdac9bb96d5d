-- Ledger at scale: balances kept per account (updated in the transaction
-- that writes the transfers, so an import reads only the accounts it
-- touches instead of replaying the ledger), look-ups of a case's transfers
-- and of a receipt's dependents, what a statement entry reverses, and who
-- assigned unmatched money by hand.

-- Without rowid: one B-tree instead of a table and its key index.
CREATE TABLE ledger_balances (
    account       TEXT PRIMARY KEY,
    balance_cents INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO ledger_balances (account, balance_cents)
    SELECT account, SUM(amount_cents) FROM ledger_postings GROUP BY account;

-- The case a transfer posts to (every case posting of a transfer is of one
-- case): a case's transfers by an integer index instead of one text index
-- entry per posting.
ALTER TABLE ledger_transfers ADD COLUMN case_id INTEGER;
UPDATE ledger_transfers SET case_id = (
    SELECT CAST(substr(p.account, instr(p.account, ':') + 1) AS INTEGER) FROM ledger_postings p
    WHERE p.transfer_id = ledger_transfers.id AND p.account LIKE 'case%' LIMIT 1);
CREATE INDEX ledger_transfers_case ON ledger_transfers (case_id) WHERE case_id IS NOT NULL;
CREATE INDEX ledger_transfers_parent ON ledger_transfers (parent) WHERE parent IS NOT NULL;

ALTER TABLE bank_entries ADD COLUMN end_to_end_id TEXT;
ALTER TABLE bank_entries ADD COLUMN return_reason TEXT;
-- The credit entry a reversal or return undid.
ALTER TABLE bank_entries ADD COLUMN reverses_entry TEXT;
-- The position of a posting in its transfer, so postings read back in the
-- order written without relying on rowids.
ALTER TABLE ledger_postings ADD COLUMN seq INTEGER;
UPDATE ledger_postings SET seq = (
    SELECT COUNT(*) FROM ledger_postings p
    WHERE p.transfer_id = ledger_postings.transfer_id AND p.rowid < ledger_postings.rowid);

CREATE INDEX bank_entries_amount ON bank_entries (amount_cents);

CREATE TABLE payment_assignments (
    id           INTEGER PRIMARY KEY,
    entry_key    TEXT NOT NULL REFERENCES bank_entries (key),
    kind         TEXT NOT NULL CHECK (kind IN ('assign', 'refund')),
    case_id      INTEGER REFERENCES cases (id),
    amount_cents INTEGER NOT NULL,
    actor        TEXT NOT NULL,
    at           TEXT NOT NULL
);
CREATE INDEX payment_assignments_entry ON payment_assignments (entry_key);
CREATE INDEX payment_assignments_case ON payment_assignments (case_id);
