import { IsoFormatError, NO_OFFSET } from '../iso-format-error';
import { firstNonZero, requireDigits } from './digits';
import { FieldProblem } from './field-spec';

/**
 * Field 90, original data elements (network-interface.md): original MTI (4) + STAN (6) + field 7
 * (10) + acquirer id (11, zero-padded) + 11 zeros; n42. It identifies the original of a reversal.
 */
export interface OriginalDataElements {
  readonly mti: string;
  readonly stan: string;
  readonly transmissionDateTime: string;
  /** The original's field 32 left-padded with zeros to 11 digits (see padAcquirerId). */
  readonly acquirerIdPadded: string;
}

const FIELD = 90;
const ZEROS_START = 31;
const LENGTH = 42;

/** Field 32 as it appears in field 90: left-padded with zeros to 11 digits. */
export function padAcquirerId(acquirerId: string): string {
  return requireDigitsUpTo(acquirerId, 11).padStart(11, '0');
}

function requireDigitsUpTo(value: string, maxDigits: number): string {
  if (value.length === 0 || value.length > maxDigits || !/^[0-9]+$/.test(value)) {
    throw new IsoFormatError(`acquirer id must be 1 to ${maxDigits} digits`, NO_OFFSET, FIELD);
  }
  return value;
}

/** Structure check beyond "42 digits" (the codec checks digits): the last 11 must be zeros. */
export function checkOriginalDataElements(value: string): FieldProblem | undefined {
  const nonZero = firstNonZero(value, ZEROS_START, LENGTH);
  return nonZero === -1 ? undefined : { offsetInValue: nonZero, reason: 'positions 32-42 must be zeros' };
}

export function unpackOriginalDataElements(value: string): OriginalDataElements {
  if (value.length !== LENGTH || !/^[0-9]+$/.test(value)) throw new IsoFormatError('must be 42 digits', NO_OFFSET, FIELD);
  const problem = checkOriginalDataElements(value);
  if (problem !== undefined) throw new IsoFormatError(problem.reason, NO_OFFSET, FIELD);
  return {
    mti: value.slice(0, 4),
    stan: value.slice(4, 10),
    transmissionDateTime: value.slice(10, 20),
    acquirerIdPadded: value.slice(20, 31),
  };
}

export function packOriginalDataElements(original: OriginalDataElements): string {
  return (
    requireDigits(original.mti, 4, FIELD, 'original MTI') +
    requireDigits(original.stan, 6, FIELD, 'original STAN') +
    requireDigits(original.transmissionDateTime, 10, FIELD, 'original transmission date and time') +
    requireDigits(original.acquirerIdPadded, 11, FIELD, 'original acquirer id') +
    '0'.repeat(LENGTH - ZEROS_START)
  );
}
