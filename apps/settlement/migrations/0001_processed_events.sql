-- Idempotency of the consumers (spec invariant 5): an event is applied once; the ledger write and
-- this record commit in one transaction.
CREATE TABLE processed_events (
  event_id     text PRIMARY KEY,
  topic        text NOT NULL,
  processed_at timestamptz NOT NULL DEFAULT now()
);
