/**
 * The parts of @lib/store settlement uses, in one place: the gateway's atomic step, its key
 * builders and records. Settlement writes the cache only through that step.
 */
export {
  type AtomicStepPlan,
  type HoldRecord,
  type Op,
  HOLDS_KEY,
  StepKeys,
  TRANSACTION_RECORD_TTL_MS,
  BALANCES_KEY,
  accountFromHash,
  eventRecord,
  keys,
  runAtomicStep,
  runStep,
  transactionFromHash,
  walletFields,
} from '@lib/store';
