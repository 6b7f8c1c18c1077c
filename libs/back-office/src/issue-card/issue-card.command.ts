import { ok } from '@lib/money';
import type { CardForm } from '@lib/programs';
import { BODY, Parsed, objectWithFields, oneOf } from '../shared/validation';

export const CARD_FORMS = ['physical', 'virtual'] as const satisfies readonly CardForm[];

/** `POST /v1/accounts/{id}/cards` body: `{form: physical | virtual}`. */
export interface IssueCardCommand {
  readonly form: CardForm;
}

export function parseIssueCard(body: unknown): Parsed<IssueCardCommand> {
  const root = objectWithFields(body, BODY, ['form']);
  if (!root.ok) return root;
  const form = oneOf(root.value.form, 'form', CARD_FORMS);
  if (!form.ok) return form;
  return ok({ form: form.value! });
}
