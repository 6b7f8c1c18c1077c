/** The end-of-test text of `npm run load` (no remote jslib: the machine may be offline). */
export interface MetricValues {
  readonly [stat: string]: number | undefined;
}

export interface SummaryData {
  readonly metrics: Readonly<Record<string, { readonly values: MetricValues; readonly thresholds?: Readonly<Record<string, { readonly ok: boolean }>> }>>;
}

export interface SummaryMeta {
  readonly profile: string;
  readonly target: string;
  readonly cards: number;
  readonly setupSeconds: number;
  readonly activeSeconds: number;
}

const ms = (value: number | undefined): string => (value === undefined ? 'n/a' : `${value.toFixed(2)} ms`);

export function summaryText(data: SummaryData, meta: SummaryMeta): string {
  const m = data.metrics;
  const duration = m['http_req_duration{name:auth}']?.values ?? {};
  const requests = m['http_reqs{name:auth}']?.values.count ?? 0;
  const failed = m['http_req_failed{name:auth}']?.values ?? {};
  const unexpected = m.unexpected_response_codes?.values.count ?? 0;
  const dropped = m.dropped_iterations?.values.count ?? 0;
  const lines = [
    '',
    `== k6 ${meta.profile}: POST /v1/network/messages (0100 contactless purchases, ${meta.cards} cards of their own)`,
    `  target ${meta.target}`,
    `  ${requests} authorisations in ${meta.activeSeconds.toFixed(1)} s = ${(requests / meta.activeSeconds).toFixed(0)} auth/s`,
    `  latency: p50 ${ms(duration.med)}, p95 ${ms(duration['p(95)'])}, p99 ${ms(duration['p(99)'])}, max ${ms(duration.max)}`,
    `  HTTP errors: ${(((failed.rate ?? 0) as number) * 100).toFixed(3)}% (${failed.passes ?? 0}); answers other than 00: ${unexpected}; dropped iterations (gateway or k6 behind): ${dropped}`,
    '  thresholds:',
  ];
  for (const [name, metric] of Object.entries(m)) {
    for (const [threshold, result] of Object.entries(metric.thresholds ?? {})) lines.push(`    ${result.ok ? 'ok  ' : 'FAIL'} ${name} ${threshold}`);
  }
  lines.push(`  provisioning in setup(): ${meta.setupSeconds.toFixed(1)} s through the back office`);
  lines.push('  note: k6 runs on the same 2 cores as the gateway, settlement, Redis, Kafka and PostgreSQL.');
  return `${lines.join('\n')}\n`;
}
