/** Field 39 meanings (network-interface.md "Response codes"), for the summary. */
export const RESPONSE_CODE_MEANINGS: Readonly<Record<string, string>> = {
  '00': 'approved',
  '10': 'partial approval',
  '05': 'do not honour (account suspended)',
  '12': 'invalid transaction',
  '13': 'invalid amount',
  '14': 'invalid card number',
  '30': 'format error',
  '41': 'lost card',
  '43': 'stolen card',
  '51': 'insufficient funds',
  '54': 'expired card',
  '55': 'incorrect PIN',
  '57': 'not permitted to cardholder',
  '61': 'exceeds amount limit',
  '62': 'restricted card',
  '65': 'exceeds frequency limit',
  '75': 'PIN tries exceeded',
  '78': 'card not activated',
  '82': 'CVV2 failure',
  '85': 'no reason to decline',
  '1A': 'strong customer authentication required',
  '91': 'issuer unavailable',
  '94': 'duplicate transmission',
  '96': 'system malfunction',
};

export function meaningOf(code: string): string {
  return RESPONSE_CODE_MEANINGS[code] ?? 'unknown code';
}

/** Codes that approve (what the network will clear). */
export function isApproval(code: string | undefined): boolean {
  return code === '00' || code === '10' || code === '85';
}
