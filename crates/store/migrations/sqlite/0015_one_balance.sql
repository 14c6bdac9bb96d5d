-- One balance (issue 11). The statement of account is computed from kept
-- inputs, not replayed from decisions: the day the first demand with costs
-- was carried out is kept on the case (the daily run and an approved review
-- set it), filled here from the decisions that carried one out.
ALTER TABLE cases ADD COLUMN costs_demanded_on TEXT;
UPDATE cases SET costs_demanded_on = (
    SELECT MIN(d.run_date) FROM decisions d
    WHERE d.case_id = cases.id
      AND d.action IN ('first_demand', 'second_demand', 'summons_warning')
      AND d.review_state IN ('automatic', 'approved'));

-- Every closed case has the day it closed, so retention can count its 60
-- months (R17). Cases the daily run closed before this migration (returned
-- to the client, written off) had none: the day of their last step, or the
-- day they were received, is the best record there is.
UPDATE cases SET closed_on = COALESCE(last_step_on, opened_on)
    WHERE status LIKE 'closed%' AND closed_on IS NULL;

-- Cases the daily run could not decide on a day, with why: a run started
-- again for the same day decides them once the cause is fixed.
CREATE TABLE daily_run_errors (
    run_date TEXT NOT NULL,
    case_id  INTEGER NOT NULL REFERENCES cases (id),
    message  TEXT NOT NULL,
    PRIMARY KEY (run_date, case_id)
);
CREATE INDEX daily_run_errors_case ON daily_run_errors (case_id);

-- What a case owes is its statement of account (claims, interest, costs,
-- payments by the law engine over the ledger), never a stored total: the
-- column that kept the principal at intake under the name of a balance goes.
ALTER TABLE cases DROP COLUMN balance_cents;

-- A client's mandate over time (R1): from a date the agency is the
-- client's processor or a controller; who recorded the change and when.
-- clients.role is the mandate in force today.
CREATE TABLE client_mandates (
    id             INTEGER PRIMARY KEY,
    client_id      INTEGER NOT NULL REFERENCES clients (id),
    role           TEXT NOT NULL CHECK (role IN ('controller', 'processor')),
    effective_from TEXT NOT NULL,
    recorded_on    TEXT NOT NULL,
    recorded_by    TEXT NOT NULL,
    UNIQUE (client_id, effective_from)
);
