-- A remittance run reads each client's collected amounts not yet paid out
-- by its payable account instead of scanning every posting; only postings
-- to a client payable are indexed, so booking a payment adds one entry.
CREATE INDEX ledger_postings_client_payable ON ledger_postings (account, transfer_id)
    WHERE account LIKE 'client_payable:%';
