/**
 * The messages of network-interface.md ("Messages") and what each must carry. Mandatory fields
 * are checked by validateRequest / validateResponse, a step apart from unpacking: the codec reads
 * any well-formed message, the validation decides whether this dialect accepts it.
 */

export interface MessageTypeSpec {
  readonly mti: string;
  readonly name: string;
  /** MTI of the answer; undefined for a response. */
  readonly responseMti?: string;
  readonly mandatoryFields: readonly number[];
  /** Field 48 tags that must be present. */
  readonly mandatoryTags: readonly string[];
}

/**
 * Fields 7, 11 and 32 are the matching key of every request (network-interface.md: responses
 * "are matched by STAN + transmission date/time + acquirer"), so every financial message carries
 * them. Every authorisation carries `TI`, and follow-ups carry the original's, so every financial
 * message carries it too.
 */
const MATCHING_KEY = [7, 11, 32];
const ECHOED_CORE = [2, 3, 4, 37, 49];

/**
 * A new authorisation or financial request: besides the echoed core, the fields the decision
 * needs (network-interface.md, "Order of checks"): expiry (14), merchant category (18), country
 * (19), entry mode (22), condition code (25), terminal (41) and merchant (42).
 */
const NEW_TRANSACTION = [...ECHOED_CORE, ...MATCHING_KEY, 14, 18, 19, 22, 25, 41, 42];

function sorted(fields: number[]): readonly number[] {
  return [...new Set(fields)].sort((a, b) => a - b);
}

export const REQUEST_TYPES: Readonly<Record<string, MessageTypeSpec>> = {
  '0100': { mti: '0100', name: 'authorisation request', responseMti: '0110', mandatoryFields: sorted(NEW_TRANSACTION), mandatoryTags: ['TI'] },
  // An advice carries the stand-in decision in fields 38 and 39 (38 only on approval).
  '0120': { mti: '0120', name: 'authorisation advice', responseMti: '0130', mandatoryFields: sorted([...NEW_TRANSACTION, 39]), mandatoryTags: ['TI'] },
  '0200': { mti: '0200', name: 'financial request', responseMti: '0210', mandatoryFields: sorted(NEW_TRANSACTION), mandatoryTags: ['TI'] },
  // Completion: field 4 is the final amount of the pre-authorisation TI; field 90 optional.
  '0220': { mti: '0220', name: 'completion advice', responseMti: '0230', mandatoryFields: sorted([...ECHOED_CORE, ...MATCHING_KEY]), mandatoryTags: ['TI'] },
  // Reversals are "identified by field 90 and TI"; field 95 only on a partial reversal.
  '0400': { mti: '0400', name: 'reversal request', responseMti: '0410', mandatoryFields: sorted([...ECHOED_CORE, ...MATCHING_KEY, 90]), mandatoryTags: ['TI'] },
  '0420': { mti: '0420', name: 'reversal advice', responseMti: '0430', mandatoryFields: sorted([...ECHOED_CORE, ...MATCHING_KEY, 90]), mandatoryTags: ['TI'] },
  // "0800: fields 7, 11, 70 (32 optional)".
  '0800': { mti: '0800', name: 'network management request', responseMti: '0810', mandatoryFields: [7, 11, 70], mandatoryTags: [] },
};

/** Every response carries the echoed fields 7 and 11 and its response code. */
export const RESPONSE_TYPES: Readonly<Record<string, MessageTypeSpec>> = Object.fromEntries(
  Object.values(REQUEST_TYPES).map((request) => {
    const mti = request.responseMti as string;
    const spec: MessageTypeSpec = { mti, name: `${request.name} response`, mandatoryFields: [7, 11, 39], mandatoryTags: [] };
    return [mti, spec];
  }),
);

/** Field 70 values (network-interface.md). */
export const NETWORK_MANAGEMENT_CODES = { signOn: '001', signOff: '002', echo: '301' } as const;
export type NetworkManagementCode = (typeof NETWORK_MANAGEMENT_CODES)[keyof typeof NETWORK_MANAGEMENT_CODES];

export function isNetworkManagementCode(value: string | undefined): value is NetworkManagementCode {
  return value === '001' || value === '002' || value === '301';
}

/**
 * The response MTI of a request or advice MTI by the ISO 8583 rule (third digit 0 -> 1, 2 -> 3),
 * or undefined when the MTI is not 4 digits or is itself a response. Used to answer `30` to a
 * message whose MTI is readable even when the dialect does not know it.
 */
export function responseMtiOf(mti: string): string | undefined {
  if (!/^[0-9]{4}$/.test(mti)) return undefined;
  const functionDigit = mti[2];
  if (functionDigit !== '0' && functionDigit !== '2') return undefined;
  return mti.slice(0, 2) + String(Number(functionDigit) + 1) + '0';
}

/**
 * The message class and function pair shared by a request and its response (0100 and 0110 give
 * `010`, 0120 and 0130 give `012`); the fourth digit (origin, repeat) is ignored.
 */
export function mtiPairOf(mti: string): string {
  const functionDigit = mti.charCodeAt(2) - 48;
  // Clearing the low bit maps 1 -> 0 and 3 -> 2: a response onto its request.
  return mti.slice(0, 2) + String(functionDigit & ~1);
}
