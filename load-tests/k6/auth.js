import http from 'k6/http';
import { check } from 'k6';
import exec from 'k6/execution';
import { Counter } from 'k6/metrics';
import { cardIndex, cardsPerVu } from '../lib/cards.ts';
import { amountMinorOf, purchase } from '../lib/messages.ts';
import { profileOf } from '../lib/profiles.ts';
import { summaryText } from '../lib/summary.ts';
import { provisionCards } from './back-office.js';

/**
 * k6 load test of the gateway's network route (k6 has no raw TCP client; the simulator drives the
 * TCP link). `npm run load -- <smoke|load|stress|soak>` runs it (load-tests/run.sh). The pure parts
 * (profiles, card slices, the message, the summary) are TypeScript in ../lib, type-checked and
 * unit-tested with the repo; this file holds what needs k6.
 */
const profile = profileOf(__ENV.PROFILE || 'smoke', __ENV);
const BASE_URL = __ENV.GATEWAY_URL || 'http://127.0.0.1:3000';
const KEY = __ENV.BACK_OFFICE_KEY || 'test-back-office-key-0001';
const VUS = profile.scenario.maxVUs;
const CARDS_PER_VU = cardsPerVu(profile.iterations, VUS);
// The run's tag, first five digits of every TI: the minute the run started, modulo 100,000 (69 days).
// A TI is network-wide and the gateway remembers it 45 days (a reused TI is a 94), so runs started
// in different minutes never share one; a random tag would meet an earlier run's now and then.
const RUN_TAG = String(Math.floor(Date.now() / 60_000) % 100_000).padStart(5, '0');
const errorBudget = Math.ceil(profile.iterations * profile.thresholds.errorRate);

const unexpected = new Counter('unexpected_response_codes');

export const options = {
  scenarios: { auth: { ...profile.scenario, exec: 'authorise' } },
  thresholds: {
    'http_req_duration{name:auth}': [`p(95)<${profile.thresholds.p95Ms}`, `p(99)<${profile.thresholds.p99Ms}`],
    'http_req_failed{name:auth}': [errorBudget === 0 ? 'rate==0' : `rate<${profile.thresholds.errorRate}`],
    unexpected_response_codes: [errorBudget === 0 ? 'count==0' : `count<${errorBudget}`],
    dropped_iterations: [errorBudget === 0 ? 'count==0' : `count<${errorBudget}`],
    'http_reqs{name:auth}': ['count>0'],
  },
  setupTimeout: '20m',
  summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'count'],
};

export function setup() {
  const started = Date.now();
  const cards = provisionCards(BASE_URL, KEY, CARDS_PER_VU * VUS, RUN_TAG);
  return { cards, setupSeconds: (Date.now() - started) / 1000 };
}

let reported = 0;

export function authorise(data) {
  const vu = exec.vu.idInTest;
  const iteration = exec.vu.iterationInScenario;
  const card = data.cards[cardIndex(vu, iteration, CARDS_PER_VU)];
  const body = JSON.stringify(purchase(card, { runTag: RUN_TAG, vu, iteration, amountMinor: amountMinorOf(vu, iteration), at: new Date() }));
  const response = http.post(`${BASE_URL}/v1/network/messages`, body, { headers: { 'content-type': 'application/json' }, tags: { name: 'auth' } });
  let code = 'none';
  if (response.status === 200) {
    try {
      code = response.json('fields.39');
    } catch (error) {
      code = 'unreadable';
    }
  }
  const approved = check(response, { 'answered 200': (r) => r.status === 200, 'approved (39 = 00)': () => code === '00' });
  if (!approved) {
    unexpected.add(1, { code: String(code) });
    // A few examples per VU, to know what went wrong without drowning the output.
    if (reported < 3) {
      reported += 1;
      console.warn(`VU ${vu} iteration ${iteration}: HTTP ${response.status}, field 39 = ${code}`);
    }
  }
}

export function handleSummary(data) {
  const setupData = data.setup_data || { cards: [], setupSeconds: 0 };
  const s = profile.scenario;
  const meta = {
    profile: profile.name,
    target: s.executor === 'constant-arrival-rate' ? `${s.rate} auth/s for ${s.duration}, ${VUS} VUs (constant arrival rate)` : `ramp ${s.startRate} -> ${s.stages.map((st) => st.target).join(' -> ')} auth/s over ${profile.seconds}s, ${VUS} VUs`,
    cards: setupData.cards.length,
    setupSeconds: setupData.setupSeconds,
    activeSeconds: profile.seconds,
  };
  // A run with RATE / DURATION / VUS overrides does not overwrite the profile's own results.
  const custom = ['RATE', 'DURATION', 'VUS'].some((name) => __ENV[name]);
  const base = `load-tests/results/${profile.name}${custom ? '-custom' : ''}-summary`;
  const text = summaryText(data, meta);
  return {
    stdout: text,
    [`${base}.txt`]: text,
    [`${base}.json`]: JSON.stringify({ profile: profile.name, custom, meta, metrics: data.metrics, state: data.state }, null, 2),
  };
}
