-- The double-entry ledger, PostgreSQL being the book of record (spec README). One journal entry per
-- posted event (event_id UNIQUE: a replayed event can never post twice, spec invariant 5), its
-- lines in integer minor units (BIGINT, never a float: invariant 1). Every entry balances per
-- currency; the journal is append-only. Account codes and posting rules: docs/settlement.md.

CREATE TABLE journal_entries (
  entry_id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- The event that caused the entry (eventId of card.authorizations, recordId of card.clearing,
  -- disputeId of dispute.raised).
  event_id       text NOT NULL UNIQUE,
  topic          text NOT NULL,
  type           text NOT NULL,
  account_id     text,
  transaction_id text,
  -- From the injected clock of the settlement app (the moment the ledger took the entry).
  posted_at      timestamptz NOT NULL,
  -- When the event happened (decision instant, ingest instant).
  occurred_at    timestamptz NOT NULL,
  -- The business day of the entry: the clearing file's processing date for clearing records, the
  -- Paris calendar day of occurred_at otherwise (daily settlement report).
  business_date  date NOT NULL,
  -- true: an entry recording a fact without money (hold opened, hold expired, reversal of a hold).
  memo           boolean NOT NULL,
  details        jsonb NOT NULL DEFAULT '{}'::jsonb,
  CHECK (type <> '')
);
-- One index serves the statement (an account's entries) and matching (an account's TI): every
-- index is paid on each insert, so the journal keeps only the ones its reads need.
CREATE INDEX journal_entries_account_transaction ON journal_entries (account_id, transaction_id);
-- Entries arrive roughly in business-date order: a BRIN index costs almost nothing per insert.
CREATE INDEX journal_entries_business_date ON journal_entries USING brin (business_date);

CREATE TABLE journal_lines (
  entry_id       bigint NOT NULL REFERENCES journal_entries (entry_id),
  line_no        smallint NOT NULL,
  -- cardholder:<accountId>:<CUR>, network-settlement:<CUR>, fee-income:<feeType>:<CUR>,
  -- fx-income:<CUR>, load-funding:<CUR>, suspense:<CUR> (the repository checks the format; the
  -- database checks that the code ends with the line's currency, cheaply, on every row)
  ledger_account text NOT NULL,
  currency       char(3) NOT NULL,
  -- Signed minor units: debit positive, credit negative.
  amount_minor   bigint NOT NULL CHECK (amount_minor <> 0),
  -- What the line is: principal, fee:<type>, fx (FX markup income).
  role           text NOT NULL,
  PRIMARY KEY (entry_id, line_no),
  CHECK (right(ledger_account, 3) = currency)
);
-- Lines are read by entry (primary key); balances come from cardholder_balances, and house
-- accounts are summed per day through journal_entries.business_date.

-- Balance per cardholder wallet, kept in the same transaction as the lines (a projection of the
-- journal, checked against it by the tests; the journal stays the record). House accounts
-- (network, fees) are summed from the journal, so no hot row serialises concurrent batches.
CREATE TABLE cardholder_balances (
  account_id    text NOT NULL,
  currency      char(3) NOT NULL,
  -- What the issuer owes the cardholder: minus the sum of the wallet's lines (credit-normal).
  balance_minor bigint NOT NULL,
  updated_at    timestamptz NOT NULL,
  PRIMARY KEY (account_id, currency)
);

-- Every entry balances per currency. The repository inserts all the lines of a batch in one
-- statement, so this statement-level check (transition table) sees every entry whole; a statement
-- that adds lines to an existing entry must itself balance, so entries stay balanced either way.
CREATE FUNCTION journal_lines_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  bad record;
BEGIN
  SELECT entry_id, currency, sum(amount_minor) AS total INTO bad
    FROM new_lines GROUP BY entry_id, currency HAVING sum(amount_minor) <> 0 LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'journal entry % does not balance in %: lines sum to %', bad.entry_id, bad.currency, bad.total
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER journal_lines_balanced AFTER INSERT ON journal_lines
  REFERENCING NEW TABLE AS new_lines FOR EACH STATEMENT EXECUTE FUNCTION journal_lines_balanced();

-- Append-only: the journal and the record of processed events are never changed or removed (a
-- correction is a new entry). The app's database user owns the tables, so a REVOKE would not bind
-- it; triggers do.
CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER journal_entries_append_only BEFORE UPDATE OR DELETE ON journal_entries FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER journal_entries_no_truncate BEFORE TRUNCATE ON journal_entries FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER journal_lines_append_only BEFORE UPDATE OR DELETE ON journal_lines FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER journal_lines_no_truncate BEFORE TRUNCATE ON journal_lines FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER processed_events_append_only BEFORE UPDATE OR DELETE ON processed_events FOR EACH ROW EXECUTE FUNCTION refuse_change();
