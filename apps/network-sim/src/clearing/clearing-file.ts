import type { CurrencyCode } from '@lib/money';
import type { ClearingItem } from '../planning/plan';

/**
 * The network's daily clearing file (clearing.md): UTF-8 JSON Lines, a header line then one
 * record per line, posted as `application/x-ndjson`. Pure: records come from the plan's clearing
 * items and what the run learnt about each transaction (approved? auth code? reversed?).
 */
export interface ClearingRecordInput {
  readonly type: 'presentment' | 'refund';
  /** null: a force post (cleared without authorisation). */
  readonly transactionId: string | null;
  readonly pan: string;
  readonly authCode: string | null;
  readonly amountMinor: bigint;
  readonly currency: CurrencyCode;
  readonly mcc: string;
  readonly merchant: { readonly id: string; readonly name: string; readonly country: string };
  readonly acquirerId: string;
  readonly final: boolean;
  /** Why this record looks the way it does (exact, tip, split, late, refund...): not written. */
  readonly label: string;
}

/** What the run knows about a planned transaction when the file is written. */
export interface ClearableTransaction {
  readonly transactionId: string;
  readonly pan: string;
  readonly authCode: string | null;
  /** Approved (00 / 10) by the issuer, or by the network in stand-in. */
  readonly approved: boolean;
  /** Reversed in full (void, timeout) or expired without presentment: nothing to clear. */
  readonly reversed: boolean;
  readonly mcc: string;
  readonly merchant: { readonly id: string; readonly name: string; readonly country: string };
  readonly acquirerId: string;
}

export interface DayRecords {
  readonly records: ClearingRecordInput[];
  /** Items not written, by reason. */
  readonly dropped: Map<string, number>;
}

/** `CLR-YYYYMMDD-<run tag>` (ids are A-Z a-z 0-9 _ -, at most 64). */
export function clearingFileId(processingDay: string, runTag: string): string {
  return `CLR-${processingDay.replace(/-/g, '')}-${runTag}`;
}

/** The records of the items of one processing day, in plan order. */
export function recordsForItems(
  items: readonly ClearingItem[],
  transactionOf: (txn: string) => ClearableTransaction | undefined,
  panOf: (cardholder: number, card: 'physical' | 'virtual') => string | undefined,
): DayRecords {
  const records: ClearingRecordInput[] = [];
  const dropped = new Map<string, number>();
  const drop = (reason: string): void => void dropped.set(reason, (dropped.get(reason) ?? 0) + 1);
  for (const item of items) {
    if (item.kind === 'force-post') {
      const pan = panOf(item.cardholder, item.card);
      if (pan === undefined) {
        drop('card not provisioned');
        continue;
      }
      records.push({
        type: 'presentment',
        transactionId: null,
        pan,
        authCode: null,
        amountMinor: item.amountMinor,
        currency: item.currency,
        mcc: item.merchant.mcc,
        merchant: { id: item.merchant.id, name: item.merchant.name, country: item.merchant.countryAlpha },
        acquirerId: item.merchant.acquirerId,
        final: true,
        label: 'force-post',
      });
      continue;
    }
    const txn = transactionOf(item.txn);
    if (txn === undefined) drop('original not sent');
    else if (!txn.approved) drop('original not approved');
    else if (txn.reversed) drop('original reversed');
    else {
      records.push({
        type: item.kind,
        transactionId: txn.transactionId,
        pan: txn.pan,
        authCode: item.kind === 'presentment' ? txn.authCode : null,
        amountMinor: item.amountMinor,
        currency: item.currency,
        mcc: txn.mcc,
        merchant: txn.merchant,
        acquirerId: txn.acquirerId,
        final: item.kind === 'presentment' ? item.final : true,
        label: item.label,
      });
    }
  }
  return { records, dropped };
}

/** The file's text: header then records, ids `<fileId>-000001`...; ends with a newline. */
export function writeClearingFile(fileId: string, processingDate: string, records: readonly ClearingRecordInput[]): string {
  const lines = [JSON.stringify({ fileId, processingDate, records: records.length })];
  records.forEach((record, index) => {
    const line: Record<string, unknown> = {
      recordId: `${fileId}-${String(index + 1).padStart(6, '0')}`,
      type: record.type,
    };
    if (record.transactionId !== null) line.transactionId = record.transactionId;
    line.pan = record.pan;
    if (record.authCode !== null) line.authCode = record.authCode;
    line.amount = { minor: record.amountMinor.toString(), currency: record.currency };
    line.mcc = record.mcc;
    line.merchant = { id: record.merchant.id, name: record.merchant.name, country: record.merchant.country };
    line.acquirerId = record.acquirerId;
    line.final = record.final;
    lines.push(JSON.stringify(line));
  });
  return `${lines.join('\n')}\n`;
}
