-- The client's costs terms, which the statement of account applies: the
-- collection costs agreed with business debtors (a fixed amount or a
-- percentage of the principal; nothing agreed: the BIK scale), and whether
-- the client declared it cannot deduct VAT (the costs are then raised by
-- the VAT, art. 2(3) BIK).
ALTER TABLE clients ADD COLUMN costs_fixed_cents BIGINT;
ALTER TABLE clients ADD COLUMN costs_percent_bps BIGINT;
ALTER TABLE clients ADD COLUMN vat_not_deductible BIGINT NOT NULL DEFAULT 0;
