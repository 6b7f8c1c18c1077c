import type { Pool } from 'pg';
import type { MoneyJson } from '@lib/events';

/**
 * The daily settlement report (`GET /v1/reports/settlement?date=YYYY-MM-DD`): per currency, what
 * the ledger posted on that business day (the clearing file's processing date for clearing
 * records, the Paris day of the event otherwise).
 *
 * - `cleared`: presentments (count, amount owed to the network for them), refunds, chargebacks
 *   raised, representments and chargeback reversals, and authorisations posted at once (0200);
 * - `fees`: fee income by fee type, and in total; `fxIncome`: the FX markup;
 * - `netPositionWithNetwork`: the day's movement of the network settlement account, from the
 *   issuer's side: negative = the issuer pays the network that much, positive = the network pays
 *   the issuer.
 */
export interface CurrencyReport {
  readonly currency: string;
  readonly presentments: { readonly count: number; readonly amount: MoneyJson };
  readonly refunds: { readonly count: number; readonly amount: MoneyJson };
  readonly chargebacks: { readonly count: number; readonly amount: MoneyJson };
  readonly representments: { readonly count: number; readonly amount: MoneyJson };
  readonly postedAtAuthorisation: { readonly count: number; readonly amount: MoneyJson };
  readonly clearedVolume: MoneyJson;
  readonly fees: MoneyJson;
  readonly feesByType: Readonly<Record<string, MoneyJson>>;
  readonly fxIncome: MoneyJson;
  readonly loads: MoneyJson;
  readonly suspense: MoneyJson;
  readonly netPositionWithNetwork: MoneyJson;
}

export interface SettlementReport {
  readonly date: string;
  readonly currencies: readonly CurrencyReport[];
}

interface Row {
  currency: string;
  presentments: string;
  presented: string;
  refunds: string;
  refunded: string;
  chargebacks: string;
  charged_back: string;
  representments: string;
  represented: string;
  at_authorisation: string;
  posted_at_authorisation: string;
  fees: string;
  fx_income: string;
  loads: string;
  suspense: string;
  network: string;
}

const REPORT_SQL = `
SELECT l.currency,
  count(DISTINCT e.entry_id) FILTER (WHERE e.type = 'presentment' AND l.ledger_account LIKE 'network-settlement:%')::text AS presentments,
  coalesce(-sum(l.amount_minor) FILTER (WHERE e.type = 'presentment' AND l.ledger_account LIKE 'network-settlement:%'), 0)::text AS presented,
  count(DISTINCT e.entry_id) FILTER (WHERE e.type = 'refund' AND l.ledger_account LIKE 'network-settlement:%')::text AS refunds,
  coalesce(sum(l.amount_minor) FILTER (WHERE e.type = 'refund' AND l.ledger_account LIKE 'network-settlement:%'), 0)::text AS refunded,
  count(DISTINCT e.entry_id) FILTER (WHERE e.type = 'dispute.raised' AND l.ledger_account LIKE 'network-settlement:%')::text AS chargebacks,
  coalesce(sum(l.amount_minor) FILTER (WHERE e.type = 'dispute.raised' AND l.ledger_account LIKE 'network-settlement:%'), 0)::text AS charged_back,
  count(DISTINCT e.entry_id) FILTER (WHERE e.type IN ('representment', 'chargeback-reversal') AND l.ledger_account LIKE 'network-settlement:%')::text AS representments,
  coalesce(-sum(l.amount_minor) FILTER (WHERE e.type IN ('representment', 'chargeback-reversal') AND l.ledger_account LIKE 'network-settlement:%'), 0)::text AS represented,
  count(DISTINCT e.entry_id) FILTER (WHERE e.topic = 'card.authorizations' AND l.ledger_account LIKE 'network-settlement:%')::text AS at_authorisation,
  coalesce(-sum(l.amount_minor) FILTER (WHERE e.topic = 'card.authorizations' AND l.ledger_account LIKE 'network-settlement:%'), 0)::text AS posted_at_authorisation,
  coalesce(-sum(l.amount_minor) FILTER (WHERE l.ledger_account LIKE 'fee-income:%'), 0)::text AS fees,
  coalesce(-sum(l.amount_minor) FILTER (WHERE l.ledger_account LIKE 'fx-income:%'), 0)::text AS fx_income,
  coalesce(sum(l.amount_minor) FILTER (WHERE l.ledger_account LIKE 'load-funding:%'), 0)::text AS loads,
  coalesce(sum(l.amount_minor) FILTER (WHERE l.ledger_account LIKE 'suspense:%'), 0)::text AS suspense,
  coalesce(sum(l.amount_minor) FILTER (WHERE l.ledger_account LIKE 'network-settlement:%'), 0)::text AS network
FROM journal_entries e JOIN journal_lines l ON l.entry_id = e.entry_id
WHERE e.business_date = $1::date
GROUP BY l.currency
ORDER BY l.currency`;

const FEES_BY_TYPE_SQL = `
SELECT l.currency, split_part(l.ledger_account, ':', 2) AS fee_type, (-sum(l.amount_minor))::text AS total
FROM journal_entries e JOIN journal_lines l ON l.entry_id = e.entry_id
WHERE e.business_date = $1::date AND l.ledger_account LIKE 'fee-income:%'
GROUP BY l.currency, fee_type
ORDER BY l.currency, fee_type`;

export async function readSettlementReport(pool: Pool, date: string): Promise<SettlementReport> {
  const [totals, feeTypes] = await Promise.all([
    pool.query<Row>(REPORT_SQL, [date]),
    pool.query<{ currency: string; fee_type: string; total: string }>(FEES_BY_TYPE_SQL, [date]),
  ]);
  const m = (minor: string, currency: string): MoneyJson => ({ minor, currency });
  return {
    date,
    currencies: totals.rows.map((r) => {
      const byType: Record<string, MoneyJson> = {};
      for (const f of feeTypes.rows.filter((t) => t.currency === r.currency)) byType[f.fee_type] = m(f.total, r.currency);
      return {
        currency: r.currency,
        presentments: { count: Number(r.presentments), amount: m(r.presented, r.currency) },
        refunds: { count: Number(r.refunds), amount: m(r.refunded, r.currency) },
        chargebacks: { count: Number(r.chargebacks), amount: m(r.charged_back, r.currency) },
        representments: { count: Number(r.representments), amount: m(r.represented, r.currency) },
        postedAtAuthorisation: { count: Number(r.at_authorisation), amount: m(r.posted_at_authorisation, r.currency) },
        clearedVolume: m(r.presented, r.currency),
        fees: m(r.fees, r.currency),
        feesByType: byType,
        fxIncome: m(r.fx_income, r.currency),
        loads: m(r.loads, r.currency),
        suspense: m(r.suspense, r.currency),
        netPositionWithNetwork: m(r.network, r.currency),
      };
    }),
  };
}

const CSV_COLUMNS = [
  'date', 'currency', 'presentments_count', 'presentments_minor', 'refunds_count', 'refunds_minor', 'chargebacks_count', 'chargebacks_minor',
  'representments_count', 'representments_minor', 'posted_at_authorisation_count', 'posted_at_authorisation_minor', 'cleared_volume_minor',
  'fees_minor', 'fx_income_minor', 'loads_minor', 'suspense_minor', 'net_position_with_network_minor',
] as const;

/** The same report as CSV (RFC 4180), one row per currency, amounts in minor units. */
export function settlementReportCsv(report: SettlementReport): string {
  const rows = report.currencies.map((c) =>
    [
      report.date, c.currency, c.presentments.count, c.presentments.amount.minor, c.refunds.count, c.refunds.amount.minor, c.chargebacks.count,
      c.chargebacks.amount.minor, c.representments.count, c.representments.amount.minor, c.postedAtAuthorisation.count,
      c.postedAtAuthorisation.amount.minor, c.clearedVolume.minor, c.fees.minor, c.fxIncome.minor, c.loads.minor, c.suspense.minor,
      c.netPositionWithNetwork.minor,
    ].join(','),
  );
  return [CSV_COLUMNS.join(','), ...rows].join('\r\n') + '\r\n';
}
