-- The claim a debtor named in a payment's remittance (art. 6:43(1) BW: a
-- payment designated to a claim goes to that claim first), per allocation:
-- keyed by the allocation's transfer key, written in the transaction that
-- writes the allocation. Every reader of a case's payments (the statement
-- of account in the views, quote and arrangements, the daily run's chunk,
-- `ledger verify`) joins it by that key. A table beside the ledger, not a
-- column of ledger_transfers: transfers are one generic, immutable shape for
-- every kind (written by COPY on PostgreSQL), and only an allocation can be
-- designated; an allocation without a row here was not designated.
CREATE TABLE payment_designations (
    allocation_key TEXT PRIMARY KEY,
    case_id        BIGINT NOT NULL,
    claim_id       BIGINT NOT NULL
);
CREATE INDEX payment_designations_case ON payment_designations (case_id);
