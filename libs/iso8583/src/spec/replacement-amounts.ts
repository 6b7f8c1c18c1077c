import { IsoFormatError, NO_OFFSET } from '../iso-format-error';
import { firstNonDigit, firstNonZero, formatAmountDigits } from './digits';
import { FieldProblem } from './field-spec';

/**
 * Field 95, replacement amounts (network-interface.md): actual transaction amount n12 + actual
 * billing amount n12 + 18 zeros; an42. In a partial reversal the first amount is what remains
 * authorised (0 = full reversal).
 */
export interface ReplacementAmounts {
  readonly actualAmountMinor: bigint;
  readonly actualBillingAmountMinor: bigint;
}

const FIELD = 95;
const AMOUNTS_END = 24;
const LENGTH = 42;

export function checkReplacementAmounts(value: string): FieldProblem | undefined {
  const nonDigit = firstNonDigit(value, 0, AMOUNTS_END);
  if (nonDigit !== -1) return { offsetInValue: nonDigit, reason: 'amounts must be digits' };
  const nonZero = firstNonZero(value, AMOUNTS_END, LENGTH);
  return nonZero === -1 ? undefined : { offsetInValue: nonZero, reason: 'positions 25-42 must be zeros' };
}

export function unpackReplacementAmounts(value: string): ReplacementAmounts {
  const problem = value.length === LENGTH ? checkReplacementAmounts(value) : { reason: 'must be 42 characters', offsetInValue: 0 };
  if (problem !== undefined) throw new IsoFormatError(problem.reason, NO_OFFSET, FIELD);
  return {
    actualAmountMinor: BigInt(value.slice(0, 12)),
    actualBillingAmountMinor: BigInt(value.slice(12, AMOUNTS_END)),
  };
}

export function packReplacementAmounts(amounts: ReplacementAmounts): string {
  return (
    formatAmountDigits(amounts.actualAmountMinor, 12, FIELD, 'actual amount') +
    formatAmountDigits(amounts.actualBillingAmountMinor, 12, FIELD, 'actual billing amount') +
    '0'.repeat(LENGTH - AMOUNTS_END)
  );
}
