import { IsoFormatError, NO_OFFSET } from '../iso-format-error';
import { firstNonDigit, formatAmountDigits, requireDigits } from './digits';
import { FieldProblem } from './field-spec';

/**
 * Field 54, additional amounts (network-interface.md): blocks of 20 characters = account type (2)
 * + amount type (2: `01` ledger, `02` available) + currency n3 + `C`/`D` + amount n12.
 */
export type AmountType = '01' | '02';
export const LEDGER_BALANCE: AmountType = '01';
export const AVAILABLE_BALANCE: AmountType = '02';

export interface BalanceBlock {
  /** Two digits; `00` when the account is not typed. */
  readonly accountType: string;
  readonly amountType: AmountType;
  /** ISO 4217 numeric currency code, 3 digits. */
  readonly currency: string;
  /** `C`: the balance is a credit (positive); `D`: a debit (negative balance). */
  readonly sign: 'C' | 'D';
  readonly amountMinor: bigint;
}

const BLOCK_CHARS = 20;
const FIELD = 54;

/** Where the structure of a field 54 value is wrong, or undefined when it is right. */
export function checkAdditionalAmounts(value: string): FieldProblem | undefined {
  if (value.length % BLOCK_CHARS !== 0) {
    return { offsetInValue: value.length - (value.length % BLOCK_CHARS), reason: `length ${value.length} is not a multiple of ${BLOCK_CHARS}` };
  }
  for (let start = 0; start < value.length; start += BLOCK_CHARS) {
    const problem = checkBlock(value, start);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

function checkBlock(value: string, start: number): FieldProblem | undefined {
  const nonDigit = firstNonDigit(value, start, start + 7);
  if (nonDigit !== -1) return { offsetInValue: nonDigit, reason: 'account type, amount type and currency must be digits' };
  const amountType = value.slice(start + 2, start + 4);
  if (amountType !== LEDGER_BALANCE && amountType !== AVAILABLE_BALANCE) {
    return { offsetInValue: start + 2, reason: 'amount type must be 01 (ledger) or 02 (available)' };
  }
  const sign = value.charCodeAt(start + 7);
  if (sign !== 67 && sign !== 68) return { offsetInValue: start + 7, reason: 'sign must be C or D' };
  const amountNonDigit = firstNonDigit(value, start + 8, start + BLOCK_CHARS);
  if (amountNonDigit !== -1) return { offsetInValue: amountNonDigit, reason: 'amount must be 12 digits' };
  return undefined;
}

/** The typed blocks of a field 54 wire value. */
export function unpackAdditionalAmounts(value: string): BalanceBlock[] {
  const problem = checkAdditionalAmounts(value);
  if (problem !== undefined) throw new IsoFormatError(problem.reason, NO_OFFSET, FIELD);
  const blocks: BalanceBlock[] = [];
  for (let start = 0; start < value.length; start += BLOCK_CHARS) {
    blocks.push({
      accountType: value.slice(start, start + 2),
      amountType: value.slice(start + 2, start + 4) as AmountType,
      currency: value.slice(start + 4, start + 7),
      sign: value[start + 7] === 'D' ? 'D' : 'C',
      amountMinor: BigInt(value.slice(start + 8, start + BLOCK_CHARS)),
    });
  }
  return blocks;
}

/** The wire value of field 54 for up to 6 blocks (120 characters). */
export function packAdditionalAmounts(blocks: readonly BalanceBlock[]): string {
  if (blocks.length === 0 || blocks.length * BLOCK_CHARS > 120) {
    throw new IsoFormatError('field 54 holds 1 to 6 balance blocks', NO_OFFSET, FIELD);
  }
  return blocks.map(packBlock).join('');
}

function packBlock(block: BalanceBlock): string {
  if (block.amountType !== LEDGER_BALANCE && block.amountType !== AVAILABLE_BALANCE) {
    throw new IsoFormatError('amount type must be 01 (ledger) or 02 (available)', NO_OFFSET, FIELD);
  }
  if (block.sign !== 'C' && block.sign !== 'D') throw new IsoFormatError('sign must be C or D', NO_OFFSET, FIELD);
  return (
    requireDigits(block.accountType, 2, FIELD, 'account type') +
    block.amountType +
    requireDigits(block.currency, 3, FIELD, 'currency') +
    block.sign +
    formatAmountDigits(block.amountMinor, 12, FIELD, 'balance amount')
  );
}

/**
 * A signed balance as one bigint: `D` blocks are negative. Convenience for callers that compare
 * balances; the block keeps the sign apart as on the wire.
 */
export function signedBalanceMinor(block: BalanceBlock): bigint {
  return block.sign === 'D' ? -block.amountMinor : block.amountMinor;
}
