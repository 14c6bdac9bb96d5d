-- Postings kept in their transfer's order in one B-tree (transfer, position)
-- instead of a table plus an index; a case's postings are found through
-- the transfer it is filed under (ledger_transfers.case_id), so the index
-- on account names, which every payment wrote at random places, goes.
-- Only postings to a client payable keep an account index, for remittance.
CREATE TABLE ledger_postings_by_transfer (
    transfer_id  INTEGER NOT NULL REFERENCES ledger_transfers (id),
    seq          INTEGER NOT NULL,
    account      TEXT NOT NULL,
    amount_cents INTEGER NOT NULL,
    PRIMARY KEY (transfer_id, seq)
) WITHOUT ROWID;
INSERT INTO ledger_postings_by_transfer (transfer_id, seq, account, amount_cents)
    SELECT transfer_id, seq, account, amount_cents FROM ledger_postings;
DROP TABLE ledger_postings;
ALTER TABLE ledger_postings_by_transfer RENAME TO ledger_postings;
CREATE INDEX ledger_postings_client_payable ON ledger_postings (account, transfer_id)
    WHERE account LIKE 'client_payable:%';
