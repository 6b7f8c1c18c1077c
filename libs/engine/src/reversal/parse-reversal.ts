import { IsoMessage, unpackReplacementAmounts } from '@lib/iso8583';
import { DeclineReason } from '@lib/programs';
import { FollowUpBasics, FollowUpParse, parseFollowUpBasics } from '../shared/follow-up';
import { targetKeyOf } from '../shared/message-identity';

/**
 * A reversal 0400 / 0420 (network-interface.md): identified by field 90 (the message it reverses)
 * and `TI`; field 4 is the original amount; a partial reversal carries field 95 whose first 12
 * digits are the amount that **remains** authorised (0 or absent = full reversal).
 */
export interface ParsedReversal extends FollowUpBasics {
  /** The reversed message, as field 90 names it (original key form). */
  readonly targetKey: string;
  /** What remains authorised, transaction currency minor units; 0 = full reversal. */
  readonly remainsMinor: number;
}

export function parseReversal(message: IsoMessage): FollowUpParse<ParsedReversal> {
  const basics = parseFollowUpBasics(message);
  if (!basics.ok) return basics;
  const targetKey = targetKeyOf(message.get(90));
  if (targetKey === undefined) return { ok: false, reason: DeclineReason.FormatError };
  let remainsMinor = 0;
  const field95 = message.get(95);
  if (field95 !== undefined) {
    try {
      remainsMinor = Number(unpackReplacementAmounts(field95).actualAmountMinor);
    } catch {
      return { ok: false, reason: DeclineReason.FormatError };
    }
  }
  return { ok: true, value: { ...basics.value, targetKey, remainsMinor } };
}
