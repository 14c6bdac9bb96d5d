-- Collection: where each case stands in its strategy, strategies (every
-- version kept), holds, decisions with the data they used (GDPR art. 22),
-- the review queue, queued letters and tasks, the daily run's chunks, and
-- what address and credit providers returned (with source and date).

ALTER TABLE cases ADD COLUMN strategy_id TEXT;
ALTER TABLE cases ADD COLUMN strategy_version INTEGER;
ALTER TABLE cases ADD COLUMN strategy_variant TEXT;
ALTER TABLE cases ADD COLUMN steps_taken INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN last_step TEXT;
ALTER TABLE cases ADD COLUMN last_step_on TEXT;
ALTER TABLE cases ADD COLUMN demand_letter_sent_on TEXT;
ALTER TABLE cases ADD COLUMN judgment_on TEXT;
-- The last written demand: it interrupts limitation (art. 3:317 BW).
ALTER TABLE cases ADD COLUMN last_demand_on TEXT;

-- What the client lets the agency do: legal steps at all, from which
-- balance (below it a summons warning would be an empty threat, Wkid), and
-- whether a person reviews every legal step for business debtors too.
ALTER TABLE clients ADD COLUMN legal_action_allowed INTEGER NOT NULL DEFAULT 1;
ALTER TABLE clients ADD COLUMN legal_action_min_cents INTEGER NOT NULL DEFAULT 25000;
ALTER TABLE clients ADD COLUMN review_all_legal_steps INTEGER NOT NULL DEFAULT 1;

ALTER TABLE parties ADD COLUMN address_status TEXT;
ALTER TABLE parties ADD COLUMN credit_band TEXT;

CREATE TABLE strategies (
    id          TEXT NOT NULL,
    version     INTEGER NOT NULL,
    definition  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (id, version)
);

CREATE TABLE holds (
    id         INTEGER PRIMARY KEY,
    case_id    INTEGER NOT NULL REFERENCES cases (id),
    kind       TEXT NOT NULL,
    reason     TEXT NOT NULL,
    placed_on  TEXT NOT NULL,
    lifted_on  TEXT,
    placed_by  TEXT NOT NULL
);
CREATE INDEX holds_case ON holds (case_id);

CREATE TABLE decisions (
    id               INTEGER PRIMARY KEY,
    case_id          INTEGER NOT NULL REFERENCES cases (id),
    run_date         TEXT NOT NULL,
    strategy_id      TEXT NOT NULL,
    strategy_version INTEGER NOT NULL,
    rule             TEXT NOT NULL,
    action           TEXT NOT NULL,
    inputs           TEXT NOT NULL,
    needs_review     INTEGER NOT NULL,
    review_state     TEXT NOT NULL,
    reviewed_by      TEXT,
    reviewed_at      TEXT,
    UNIQUE (case_id, run_date)
);
CREATE INDEX decisions_run ON decisions (run_date);
CREATE INDEX decisions_review ON decisions (review_state);

CREATE TABLE work_items (
    id          INTEGER PRIMARY KEY,
    decision_id INTEGER NOT NULL REFERENCES decisions (id),
    case_id     INTEGER NOT NULL REFERENCES cases (id),
    kind        TEXT NOT NULL,
    due_at      TEXT NOT NULL,
    state       TEXT NOT NULL
);
CREATE INDEX work_items_case ON work_items (case_id);
CREATE INDEX work_items_queue ON work_items (state, kind, id);

CREATE TABLE daily_run_chunks (
    run_date      TEXT NOT NULL,
    first_case_id INTEGER NOT NULL,
    last_case_id  INTEGER NOT NULL,
    state         TEXT NOT NULL,
    -- What the chunk's run saw, so a resumed day still reports the whole day.
    cases_seen    INTEGER NOT NULL DEFAULT 0,
    held          INTEGER NOT NULL DEFAULT 0,
    errors        INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (run_date, first_case_id)
);

CREATE TABLE provider_results (
    id          INTEGER PRIMARY KEY,
    party_id    INTEGER NOT NULL REFERENCES parties (id),
    kind        TEXT NOT NULL,
    result      TEXT NOT NULL,
    provider    TEXT NOT NULL,
    obtained_on TEXT NOT NULL
);
CREATE INDEX provider_results_party ON provider_results (party_id);

-- Every disclosure of personal data to a recipient outside the agency
-- (R23 to R25): who received which categories, why, on what basis, where.
CREATE TABLE disclosures (
    id           INTEGER PRIMARY KEY,
    party_id     INTEGER NOT NULL REFERENCES parties (id),
    recipient    TEXT NOT NULL,
    categories   TEXT NOT NULL,
    purpose      TEXT NOT NULL,
    legal_basis  TEXT NOT NULL,
    country      TEXT NOT NULL,
    safeguard    TEXT NOT NULL,
    -- 'disclosed', or 'refused' with the reason: refusals are logged too.
    outcome      TEXT NOT NULL,
    reason       TEXT,
    disclosed_on TEXT NOT NULL,
    actor        TEXT NOT NULL
);
CREATE INDEX disclosures_party ON disclosures (party_id);
