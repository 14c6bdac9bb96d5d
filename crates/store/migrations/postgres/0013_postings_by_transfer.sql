-- A case's postings are found through the transfer it is filed under
-- (ledger_transfers.case_id), so the index on account names, which every
-- payment wrote at random places, goes. Only postings to a client payable
-- keep an account index, for remittance.
DROP INDEX ledger_postings_account;
