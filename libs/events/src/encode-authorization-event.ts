import { CardAuthorizationsEvent, OutboxEntryFields, toAuthorizationEvent } from './authorization-event';
import { CardDataError, findCardData } from './card-data-guard';
import { validateEvent } from './event-validator';

/**
 * One outbox entry to the bytes the relay produces, with every check the spec asks on the way:
 * build (a malformed entry), validate against the schema, refuse card data. Each failure names
 * its stage; the relay dead-letters the entry rather than dropping it.
 */
export type EncodeFailureStage = 'build' | 'schema' | 'card-data';

export type EncodeResult =
  | { ok: true; event: CardAuthorizationsEvent; json: string }
  | { ok: false; stage: EncodeFailureStage; reason: string; eventId: string | null };

export function encodeAuthorizationEvent(accountId: string, fields: OutboxEntryFields): EncodeResult {
  const built = toAuthorizationEvent(accountId, fields);
  if (!built.ok) return { ok: false, stage: 'build', reason: built.reason, eventId: null };
  const { event } = built;
  const eventId = typeof event.eventId === 'string' ? event.eventId : null;
  const validation = validateEvent(event);
  if (!validation.valid) return { ok: false, stage: 'schema', reason: validation.errors.join('; '), eventId };
  const findings = findCardData(event);
  if (findings.length > 0)
    return { ok: false, stage: 'card-data', reason: new CardDataError(findings).message, eventId };
  return { ok: true, event, json: JSON.stringify(event) };
}
