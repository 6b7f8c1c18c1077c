import http from 'k6/http';

/**
 * The load test's own cardholders, opened through the back office as a card-program team would
 * (http-and-events.md): open an account on eur-premium, load it by SEPA transfer, issue a virtual
 * card (active at once; pays contactless from a device wallet). Requests go in parallel batches.
 */
const BATCH = 100;

function batched(requests, what) {
  const responses = [];
  for (let i = 0; i < requests.length; i += BATCH) {
    const answers = http.batch(requests.slice(i, i + BATCH));
    for (const [n, answer] of answers.entries()) {
      if (answer.status !== 200 && answer.status !== 201) {
        throw new Error(`${what} #${i + n} answered ${answer.status}: ${String(answer.body).slice(0, 200)}`);
      }
      responses.push(answer.json());
    }
  }
  return responses;
}

export function provisionCards(baseUrl, key, count, runTag) {
  const headers = (idempotencyKey) => ({ headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'idempotency-key': idempotencyKey }, tags: { name: 'back-office' } });
  const indexes = Array.from({ length: count }, (_, i) => i);
  const accounts = batched(
    indexes.map((i) => ['POST', `${baseUrl}/v1/accounts`, JSON.stringify({ program: 'eur-premium', holder: { name: `Load Test ${i}`, email: `load.${runTag}.${i}@example.test` } }), headers(`k6-${runTag}-${i}-open`)]),
    'POST /v1/accounts',
  ).map((body) => body.accountId);
  batched(
    accounts.map((id, i) => ['POST', `${baseUrl}/v1/accounts/${id}/loads`, JSON.stringify({ amount: { minor: '20000', currency: 'EUR' }, method: 'sepa-transfer' }), headers(`k6-${runTag}-${i}-load`)]),
    'POST /v1/accounts/{id}/loads',
  );
  return batched(
    accounts.map((id, i) => ['POST', `${baseUrl}/v1/accounts/${id}/cards`, JSON.stringify({ form: 'virtual' }), headers(`k6-${runTag}-${i}-card`)]),
    'POST /v1/accounts/{id}/cards',
  ).map((card) => ({ pan: card.pan, expiry: card.expiry }));
}
