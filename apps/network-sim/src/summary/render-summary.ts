import { currencyByAlpha, formatDisplayAmount, money } from '@lib/money';
import { meaningOf } from '../messages/response-codes';
import type { RunSummary } from './run-stats';

/** The readable end-of-run summary printed by `npm run sim`. Pure: summary in, text out. */
const MTI_NAMES: Readonly<Record<string, string>> = {
  '0100': 'authorisation',
  '0120': 'stand-in advice',
  '0200': 'financial request',
  '0220': 'completion advice',
  '0400': 'reversal',
  '0420': 'reversal advice',
  '0800': 'network management',
};

function amount(minor: string, code: string): string {
  const currency = currencyByAlpha(code);
  return currency === undefined ? `${minor} (minor) ${code}` : formatDisplayAmount(money(BigInt(minor), currency.code));
}

function ms(value: number): string {
  return `${value.toFixed(value < 10 ? 2 : 1)} ms`;
}

function table(rows: readonly (readonly string[])[], indent = '  '): string[] {
  if (rows.length === 0) return [];
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows.map((row) => indent + row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]))).join('  ').trimEnd());
}

/** Every file when there are a few; otherwise the totals and only the files not fully accepted. */
function clearingFiles(s: RunSummary): string[] {
  const files = s.clearing.files;
  if (files.length === 0) return ['  no clearing file'];
  const line = (f: RunSummary['clearing']['files'][number]) => `  ${f.fileId} (${f.processingDate}): ${f.records} records -> ${f.outcome}${f.path ? ` [${f.path}]` : ''}`;
  const rejectedLines = (f: RunSummary['clearing']['files'][number]) => f.rejected.slice(0, 5).map((r) => `    line ${r.line}: ${r.reason}`);
  if (files.length <= 6) return files.flatMap((f) => [line(f), ...rejectedLines(f)]);
  const fully = files.filter((f) => f.outcome === `accepted ${f.records}, rejected 0`);
  const records = files.reduce((sum, f) => sum + f.records, 0);
  const out = [`  ${files.length} daily files ${files[0].processingDate} .. ${files[files.length - 1].processingDate}: ${records} records; ${fully.length} files fully accepted`];
  const directory = files[0].path?.replace(/\/[^/]*$/, '');
  if (directory) out.push(`  written to ${directory}`);
  for (const f of files.filter((file) => !fully.includes(file)).slice(0, 10)) out.push(line(f), ...rejectedLines(f));
  return out;
}

export function renderSummary(s: RunSummary): string {
  const out: string[] = [];
  const sentTotal = Object.values(s.sentByMti).reduce((a, b) => a + b, 0);
  out.push(`== network simulator: scenario ${s.scenario} (seed ${s.seed}, ${s.driver} link)`);
  out.push(`  clock: ${s.clock}`);
  out.push(`  simulated period: ${s.simulatedFrom} -> ${s.simulatedTo}; real time ${s.realSeconds.toFixed(1)} s`);
  const failed = Object.entries(s.cardholders.failed).map(([reason, n]) => `${n} ${reason}`).join(', ');
  const programs = Object.entries(s.cardholders.byProgram).map(([program, n]) => `${program} ${n}`).join(', ');
  out.push(`  cardholders: ${s.cardholders.provisioned} of ${s.cardholders.planned} provisioned through the back office${programs ? ` (${programs})` : ''}${failed ? `; failed: ${failed}` : ''}`);
  out.push('');
  out.push('== messages by type (sent -> answered)');
  out.push(...table(Object.entries(s.sentByMti).map(([mti, n]) => [mti, MTI_NAMES[mti] ?? '', String(n)])));
  out.push(`  total sent ${sentTotal}; answered ${Object.values(s.answeredByMti).reduce((a, b) => a + b, 0)}; throughput ${s.throughputPerSecond.toFixed(1)} answers/s`);
  out.push(`  latency: p50 ${ms(s.latencyMs.p50)}, p95 ${ms(s.latencyMs.p95)}, p99 ${ms(s.latencyMs.p99)}, max ${ms(s.latencyMs.max)} (${s.latencyMs.count} answers)`);
  out.push('');
  out.push('== decisions by response code (field 39)');
  out.push(...table(Object.entries(s.codes).map(([code, byMti]) => [code, meaningOf(code), String(Object.values(byMti).reduce((a, b) => a + b, 0)), Object.entries(byMti).map(([mti, n]) => `${mti}: ${n}`).join(', ')])));
  out.push('  by family:');
  out.push(...table(Object.entries(s.codesByFamily).map(([family, codes]) => [family, Object.entries(codes).map(([code, n]) => `${code} x${n}`).join(', ')]), '    '));
  out.push('');
  out.push('== fees and FX (fields 28, 6, 10, 51)');
  const fees = Object.entries(s.feesMinor).map(([code, minor]) => amount(minor, code));
  out.push(`  fees charged: ${fees.length ? fees.join(' + ') : 'none'} on ${s.feeMessages} messages`);
  const fx = Object.entries(s.fx).map(([pair, line]) => {
    const [from, to] = pair.split('->');
    return [pair, `${line.count} conversions`, `${amount(line.transactionMinor, from)} -> ${amount(line.billingMinor, to)}`];
  });
  out.push(...(fx.length ? table(fx) : ['  no conversion']));
  out.push('');
  out.push('== expectations (codes the scenario planned for)');
  out.push(`  ${s.expectations.met} of ${s.expectations.checked} met; ${s.expectations.mismatches} mismatches`);
  for (const m of s.expectations.examples) out.push(`    ${m.family}/${m.behaviour} ${m.mti}: expected ${m.expected.join(' or ')}, got ${m.got} (${meaningOf(m.got)})`);
  out.push('');
  out.push('== network behaviour');
  out.push(`  retries (same MTI, 32, 11, 7): ${s.retries.sent} sent, ${s.retries.identical} identical answers, ${s.retries.different} different`);
  out.push(`  timeouts: ${s.timeouts.injected} injected + ${s.timeouts.real} real -> ${s.timeouts.reversalAdvices} reversal advices 0420; ${s.timeouts.lateReplies} late replies seen`);
  out.push(`  stand-in advices 0120: ${s.standInAdvices}`);
  const linkErrors = Object.entries(s.linkErrors);
  if (linkErrors.length) out.push(`  link errors: ${linkErrors.map(([kind, n]) => `${kind} x${n}`).join(', ')}`);
  const backOffice = Object.entries(s.backOffice);
  if (backOffice.length) {
    out.push('  back office during the run:');
    out.push(
      ...table(
        backOffice.map(([action, r]) => [action, `ok ${r.ok}`, `refused by a rule ${r.refused}${r.lastRefusal ? ` (last: ${r.lastRefusal})` : ''}`, `failed ${r.failed}${r.lastError ? ` (last: ${r.lastError})` : ''}`]),
        '    ',
      ),
    );
  }
  const skipped = Object.entries(s.skipped);
  if (skipped.length) out.push(`  steps skipped: ${skipped.map(([reason, n]) => `${n} ${reason}`).join(', ')}`);
  if (s.stepsNotSent > 0) out.push(`  steps not sent (run ended first): ${s.stepsNotSent}`);
  out.push('');
  out.push('== clearing');
  out.push(...clearingFiles(s));
  const labels = Object.entries(s.clearing.recordsByLabel);
  if (labels.length) out.push(`  records: ${labels.map(([label, n]) => `${label} ${n}`).join(', ')}`);
  const dropped = Object.entries(s.clearing.dropped);
  if (dropped.length) out.push(`  not written: ${dropped.map(([reason, n]) => `${n} ${reason}`).join(', ')}`);
  out.push(`  holds left to expire: ${s.holds.leftToExpire} (expired: ${s.holds.expired}, still open: ${s.holds.stillOpen}, not checked: ${s.holds.notChecked})`);
  out.push('');
  out.push(`== reconciliation (settlement GET /v1/reconciliation): ${s.reconciliation.status}`);
  out.push(`  ${s.reconciliation.detail}`);
  if (s.notes.length) {
    out.push('');
    out.push('== notes');
    for (const note of s.notes) out.push(`  - ${note}`);
  }
  return `${out.join('\n')}\n`;
}
