/**
 * Which card a VU uses: each VU owns a slice of cards and uses a card at most `usesPerCard` times,
 * below the program's daily count of card payments (eur-premium: 20), so no answer is a limit
 * decline. Arrival-rate executors hand iterations to the VUs of the pool in turn, not exactly
 * evenly: the slice has a margin.
 */
export const USES_PER_CARD = 19;
const MARGIN = 1.3;

export function cardsPerVu(iterations: number, vus: number, usesPerCard = USES_PER_CARD): number {
  return Math.ceil((iterations / vus / usesPerCard) * MARGIN) + 1;
}

/** Index in the provisioned list of the card of VU `vu` (1-based, k6's idInTest) at its iteration. */
export function cardIndex(vu: number, iteration: number, perVu: number, usesPerCard = USES_PER_CARD): number {
  return (vu - 1) * perVu + (Math.floor(iteration / usesPerCard) % perVu);
}
