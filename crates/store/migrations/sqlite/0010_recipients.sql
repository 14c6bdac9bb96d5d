-- The register of actual recipients (R23 to R25): the organisation a
-- disclosure goes to, its recipient category from the policy, its country
-- and, outside the EEA, the transfer safeguard (GDPR ch. V) with the date
-- and document it was recorded by. An art. 49(1)(e) derogation holds for
-- one legal claim only: the case it is limited to.
CREATE TABLE recipients (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    category      TEXT NOT NULL,
    country       TEXT NOT NULL,
    safeguard     TEXT NOT NULL CHECK (safeguard IN ('none', 'adequacy', 'standard_contractual_clauses', 'binding_corporate_rules', 'art_49_1_e')),
    safeguard_on  TEXT,
    safeguard_ref TEXT,
    claim_case_id INTEGER REFERENCES cases (id),
    legal_claim   TEXT,
    recorded_at   TEXT NOT NULL,
    recorded_by   TEXT NOT NULL
);
CREATE INDEX recipients_claim_case ON recipients (claim_case_id);

-- The disclosure log names the actual recipient and the safeguard's document.
ALTER TABLE disclosures ADD COLUMN recipient_id INTEGER REFERENCES recipients (id);
ALTER TABLE disclosures ADD COLUMN recipient_name TEXT;
ALTER TABLE disclosures ADD COLUMN safeguard_ref TEXT;

-- The end of a client's mandate: where the agency is the client's processor
-- (R1), the client's data is returned or erased then (art. 28(3)(g)).
ALTER TABLE clients ADD COLUMN mandate_ended_on TEXT;

-- A statutory period that keeps only the rows processed for its purpose
-- (AML records among criminal-record data, Wwft art. 33).
ALTER TABLE erasure_fields ADD COLUMN keep_purpose TEXT;
