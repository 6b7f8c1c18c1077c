import { IsoFormatError, NO_OFFSET } from '../iso-format-error';
import { formatAmountDigits } from './digits';

/**
 * Field 28, fee amount, x+n8 (network-interface.md): `D` (debit: charged to the cardholder) or
 * `C` (credit) then 8 digits of account-currency minor units. The codec checks the characters.
 */
export interface FeeAmount {
  readonly sign: 'C' | 'D';
  readonly amountMinor: bigint;
}

const FIELD = 28;

export function unpackFeeAmount(value: string): FeeAmount {
  if (!/^[CD][0-9]{8}$/.test(value)) throw new IsoFormatError('must be C or D then 8 digits', NO_OFFSET, FIELD);
  return { sign: value[0] === 'C' ? 'C' : 'D', amountMinor: BigInt(value.slice(1)) };
}

export function packFeeAmount(fee: FeeAmount): string {
  if (fee.sign !== 'C' && fee.sign !== 'D') throw new IsoFormatError('sign must be C or D', NO_OFFSET, FIELD);
  return fee.sign + formatAmountDigits(fee.amountMinor, 8, FIELD, 'fee amount');
}
