import { ok } from '@lib/money';
import { BODY, Parsed, objectWithFields, oneOf } from '../shared/validation';
import { BLOCK_MODES, CardAction } from './card-transitions';

/** `/block` body: `{mode: temporary | total | lost | stolen}`. */
export function parseBlock(body: unknown): Parsed<CardAction> {
  const root = objectWithFields(body, BODY, ['mode']);
  if (!root.ok) return root;
  const mode = oneOf(root.value.mode, 'mode', BLOCK_MODES);
  if (!mode.ok) return mode;
  return ok({ kind: 'block', mode: mode.value! });
}

/** `/activate`, `/unblock`, `/pin/unblock`: no body, or an empty object. */
export function parseBodiless<A extends CardAction>(body: unknown, action: A): Parsed<A> {
  const root = objectWithFields(body, BODY, [], true);
  if (!root.ok) return root;
  return ok(action);
}
