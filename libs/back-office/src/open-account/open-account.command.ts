import { err, ok } from '@lib/money';
import type { Program } from '@lib/programs';
import { BODY, Parsed, email, objectWithFields, oneOf, text } from '../shared/validation';

/** `POST /v1/accounts` body: `{program, holder: {name, email}, billing?: monthly | yearly}`. */
export interface OpenAccountCommand {
  readonly program: Program;
  readonly holderName: string;
  readonly holderEmail: string;
  /** `none` when the program has no subscription (travel-multicurrency). */
  readonly billing: 'monthly' | 'yearly' | 'none';
}

export const BILLING_PERIODS = ['monthly', 'yearly'] as const;

export function parseOpenAccount(
  body: unknown,
  programs: ReadonlyMap<string, Program>,
): Parsed<OpenAccountCommand> {
  const root = objectWithFields(body, BODY, ['program', 'holder', 'billing']);
  if (!root.ok) return root;
  const { program: programId, holder, billing } = root.value;
  if (programId === undefined) return err({ field: 'program', reason: 'is required' });
  if (typeof programId !== 'string') return err({ field: 'program', reason: 'must be a string' });
  const program = programs.get(programId);
  if (program === undefined) {
    return err({
      field: 'program',
      reason: `unknown program ${JSON.stringify(programId)} (known: ${[...programs.keys()].sort().join(', ')})`,
    });
  }
  if (holder === undefined) return err({ field: 'holder', reason: 'is required' });
  const holderFields = objectWithFields(holder, 'holder', ['name', 'email']);
  if (!holderFields.ok) return holderFields;
  const name = text(holderFields.value.name, 'holder.name', 140);
  if (!name.ok) return name;
  const mail = email(holderFields.value.email, 'holder.email');
  if (!mail.ok) return mail;
  const period = oneOf(billing, 'billing', BILLING_PERIODS, false);
  if (!period.ok) return period;
  // The subscription is periodic and chosen at opening (card-programs.md): a program without one
  // takes no billing period; a program with one bills monthly unless told otherwise.
  if (program.fees.subscription === null) {
    if (period.value !== undefined)
      return err({
        field: 'billing',
        reason: `program ${program.id} has no subscription: leave billing out`,
      });
    return ok({ program, holderName: name.value, holderEmail: mail.value, billing: 'none' });
  }
  return ok({ program, holderName: name.value, holderEmail: mail.value, billing: period.value ?? 'monthly' });
}
