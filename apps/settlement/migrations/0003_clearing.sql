-- Clearing ingest (clearing.md): a file is identified by its fileId, a record by its recordId. A
-- record is emitted to card.clearing once: the row is written before the event is published and
-- marked emitted after, so a second ingest of the same file emits nothing again (a crash between
-- the publish and the mark re-emits on the next ingest; settlement dedupes on the eventId =
-- recordId). No PAN here: only its keyed hash and first 6 / last 4 (spec invariant 6).

CREATE TABLE clearing_files (
  file_id           text PRIMARY KEY,
  processing_date   date NOT NULL,
  header_records    integer NOT NULL,
  first_received_at timestamptz NOT NULL,
  last_received_at  timestamptz NOT NULL,
  submissions       integer NOT NULL
);

CREATE TABLE clearing_records (
  record_id      text PRIMARY KEY,
  file_id        text NOT NULL REFERENCES clearing_files (file_id),
  line_no        integer NOT NULL,
  type           text NOT NULL,
  account_id     text,
  card_id        text,
  transaction_id text,
  pan_hash       text NOT NULL,
  pan_first6     char(6) NOT NULL,
  pan_last4      char(4) NOT NULL,
  amount_minor   bigint NOT NULL,
  currency       char(3) NOT NULL,
  -- pending: written, event not yet acknowledged by Kafka; emitted: acknowledged.
  status         text NOT NULL CHECK (status IN ('pending', 'emitted')),
  ingested_at    timestamptz NOT NULL,
  emitted_at     timestamptz
);
CREATE INDEX clearing_records_file ON clearing_records (file_id);

-- Chargebacks raised by the issuer's back office (POST /v1/accounts/{id}/disputes).
CREATE TABLE disputes (
  dispute_id      text PRIMARY KEY,
  account_id      text NOT NULL,
  transaction_id  text NOT NULL,
  amount_minor    bigint NOT NULL CHECK (amount_minor > 0),
  currency        char(3) NOT NULL,
  reason          text NOT NULL,
  -- raised -> represented (the merchant re-presented) | reversed (chargeback-reversal record)
  status          text NOT NULL CHECK (status IN ('raised', 'represented', 'reversed')),
  idempotency_key text,
  fingerprint     text,
  created_at      timestamptz NOT NULL,
  -- When Kafka acknowledged the dispute.raised event (null: to publish again on a retry).
  published_at    timestamptz,
  UNIQUE (account_id, idempotency_key)
);
CREATE INDEX disputes_transaction ON disputes (account_id, transaction_id);
