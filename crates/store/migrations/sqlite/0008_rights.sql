-- Rights of data subjects (GDPR art. 15 to 22, R31 to R39): requests and
-- every step taken on them, notifications (art. 19 to recipients, and
-- notices to the person), and per-subject flags that take effect at once
-- (restriction, objection, no direct marketing, consent withdrawn).

CREATE TABLE rights_requests (
    id                  INTEGER PRIMARY KEY,
    kind                TEXT NOT NULL CHECK (kind IN ('access', 'port', 'rectify', 'erase', 'restrict', 'object')),
    party_id            INTEGER NOT NULL REFERENCES parties (id),
    channel             TEXT NOT NULL CHECK (channel IN ('staff', 'api', 'portal')),
    received_at         TEXT NOT NULL,
    -- One month from receipt (art. 12(3)); an extension moves it.
    deadline_on         TEXT NOT NULL,
    extension_reason    TEXT,
    verification        TEXT NOT NULL CHECK (verification IN ('unverified', 'verified')),
    verification_method TEXT,
    verified_by         TEXT,
    verified_at         TEXT,
    status              TEXT NOT NULL,
    -- What the request asks beyond its kind (fields to rectify, what an
    -- objection is against), JSON.
    params              TEXT NOT NULL,
    -- The answer as it was given, JSON.
    outcome             TEXT NOT NULL,
    created_by          TEXT NOT NULL
);
CREATE INDEX rights_requests_party ON rights_requests (party_id);
CREATE INDEX rights_requests_status ON rights_requests (status, id);

-- Every step, once: a step's effects commit together with its row, so a
-- resumed pipeline skips what is done and redoes nothing.
CREATE TABLE rights_request_steps (
    id          INTEGER PRIMARY KEY,
    request_id  INTEGER NOT NULL REFERENCES rights_requests (id),
    step        TEXT NOT NULL,
    actor       TEXT NOT NULL,
    at          TEXT NOT NULL,
    detail      TEXT NOT NULL,
    UNIQUE (request_id, step)
);

CREATE TABLE rights_notifications (
    id              INTEGER PRIMARY KEY,
    request_id      INTEGER NOT NULL REFERENCES rights_requests (id),
    party_id        INTEGER NOT NULL REFERENCES parties (id),
    -- 'rectification' (art. 19, to a recipient), 'extension' and 'answer'
    -- (to the person).
    kind            TEXT NOT NULL,
    -- A recipient id from the policy, or 'data_subject'.
    recipient       TEXT NOT NULL,
    categories      TEXT NOT NULL,
    detail          TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('queued', 'sent', 'acknowledged')),
    created_at      TEXT NOT NULL,
    sent_at         TEXT,
    acknowledged_at TEXT
);
CREATE INDEX rights_notifications_party ON rights_notifications (party_id);
CREATE INDEX rights_notifications_state ON rights_notifications (state, id);

CREATE TABLE subject_flags (
    id          INTEGER PRIMARY KEY,
    party_id    INTEGER NOT NULL REFERENCES parties (id),
    flag        TEXT NOT NULL,
    set_on      TEXT NOT NULL,
    request_id  INTEGER REFERENCES rights_requests (id),
    lifted_on   TEXT,
    lift_reason TEXT
);
CREATE INDEX subject_flags_party ON subject_flags (party_id);

-- An access extract reads every table by its subject link: these links
-- had no index yet.
CREATE INDEX bank_entries_case ON bank_entries (case_id);
CREATE INDEX ledger_postings_account ON ledger_postings (account);
