-- Erasure and retention (R17 to R22, GDPR art. 17 and 5(1)(e)), special
-- categories kept apart (R10), and statement-change notices (R42).

-- The erasure journal: what was erased, when and under which rule, never
-- the erased values. One batch is one decision applied to its subjects (a
-- request, or a chunk of a retention run); its fields say which columns were
-- erased and, where a statutory period kept the later rows, from which date
-- rows were kept. A restore re-applies the batches the backup lacks.
CREATE TABLE erasure_batches (
    id          INTEGER PRIMARY KEY,
    cause       TEXT NOT NULL CHECK (cause IN ('request', 'retention', 'unsubscribe')),
    reference   TEXT,
    rule        TEXT,
    as_of       TEXT NOT NULL,
    actor       TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);

CREATE TABLE erasure_fields (
    batch_id     INTEGER NOT NULL REFERENCES erasure_batches (id),
    table_name   TEXT NOT NULL,
    column_name  TEXT NOT NULL,
    category     TEXT NOT NULL,
    -- 'party': rows of the batch's parties; 'case': rows of its cases.
    scope        TEXT NOT NULL CHECK (scope IN ('party', 'case')),
    -- Only rows whose `date_column` is before `before` were erased; later
    -- ones are kept by a statutory period (bookkeeping, AML).
    date_column  TEXT,
    before       TEXT,
    rows         INTEGER NOT NULL,
    PRIMARY KEY (batch_id, table_name, column_name)
) WITHOUT ROWID;

-- The subjects of a batch, by id only.
CREATE TABLE erasure_subjects (
    batch_id INTEGER NOT NULL REFERENCES erasure_batches (id),
    party_id INTEGER,
    case_id  INTEGER
);
CREATE INDEX erasure_subjects_batch ON erasure_subjects (batch_id);
CREATE INDEX erasure_subjects_party ON erasure_subjects (party_id) WHERE party_id IS NOT NULL;
CREATE INDEX erasure_subjects_case ON erasure_subjects (case_id) WHERE case_id IS NOT NULL;

-- A retention run's chunks (by case id), so a run that stops resumes.
CREATE TABLE retention_chunks (
    as_of         TEXT NOT NULL,
    first_case_id INTEGER NOT NULL,
    last_case_id  INTEGER NOT NULL,
    state         TEXT NOT NULL,
    batch_id      INTEGER,
    PRIMARY KEY (as_of, first_case_id)
);

-- Legal holds (R22): data needed for a legal claim is kept whatever the
-- retention rules say, with a reason and an owner, until lifted. On a party,
-- or on one case (party_id is then the case's debtor).
CREATE TABLE legal_holds (
    id        INTEGER PRIMARY KEY,
    party_id  INTEGER NOT NULL REFERENCES parties (id),
    case_id   INTEGER REFERENCES cases (id),
    reason    TEXT NOT NULL,
    owner     TEXT NOT NULL,
    placed_on TEXT NOT NULL,
    lifted_on TEXT,
    lifted_by TEXT
);
CREATE INDEX legal_holds_party ON legal_holds (party_id);
CREATE INDEX legal_holds_case ON legal_holds (case_id) WHERE case_id IS NOT NULL;

-- Special categories (R10, GDPR art. 9 and 10) apart from everything else,
-- each record with its basis: consent (9(2)(a), with its reference), a named
-- legal claim (9(2)(f)), or art. 10 (a legal claim or the Wwft).
CREATE TABLE health_records (
    id          INTEGER PRIMARY KEY,
    party_id    INTEGER NOT NULL REFERENCES parties (id),
    case_id     INTEGER REFERENCES cases (id),
    basis       TEXT NOT NULL,
    legal_claim TEXT,
    consent_ref TEXT,
    purpose     TEXT NOT NULL,
    content     TEXT NOT NULL,
    recorded_on TEXT NOT NULL,
    recorded_by TEXT NOT NULL
);
CREATE INDEX health_records_party ON health_records (party_id);

CREATE TABLE criminal_records (
    id          INTEGER PRIMARY KEY,
    party_id    INTEGER NOT NULL REFERENCES parties (id),
    case_id     INTEGER REFERENCES cases (id),
    basis       TEXT NOT NULL,
    legal_claim TEXT,
    consent_ref TEXT,
    purpose     TEXT NOT NULL,
    content     TEXT NOT NULL,
    recorded_on TEXT NOT NULL,
    recorded_by TEXT NOT NULL
);
CREATE INDEX criminal_records_party ON criminal_records (party_id);

-- Every read of special-category data, and every refusal: who, in which
-- role and for which purpose, whose data; never the data.
CREATE TABLE special_data_reads (
    id       INTEGER PRIMARY KEY,
    party_id INTEGER NOT NULL,
    category TEXT NOT NULL,
    records  INTEGER NOT NULL,
    actor    TEXT NOT NULL,
    role     TEXT NOT NULL,
    purpose  TEXT NOT NULL,
    outcome  TEXT NOT NULL,
    reason   TEXT,
    read_at  TEXT NOT NULL
);
CREATE INDEX special_data_reads_party ON special_data_reads (party_id);

-- A notice of a changed privacy statement per person with an e-mail address
-- (R42), queued, one per version. The address is read when it is sent, so a
-- changed or erased address is honoured.
CREATE TABLE statement_notices (
    version   TEXT NOT NULL,
    party_id  INTEGER NOT NULL REFERENCES parties (id),
    queued_at TEXT NOT NULL,
    state     TEXT NOT NULL,
    PRIMARY KEY (version, party_id)
) WITHOUT ROWID;

CREATE INDEX statement_notices_party ON statement_notices (party_id);

-- Retention finds closed cases by date (payments by case: 0008's
-- bank_entries_case).
CREATE INDEX cases_closed ON cases (closed_on) WHERE closed_on IS NOT NULL;
