/**
 * Public API of @lib/ledger: the double-entry ledger of settlement. Posting rules are pure
 * functions from an event to journal lines (posting-rules/); the repository writes them to
 * PostgreSQL; the use cases tie a consumed batch, the cache and the ledger together.
 */
export * from './ledger-accounts';
export * from './journal-entry';
export * from './posting-rules/authorization-events';
export * from './posting-rules/authorization-rules';
export * from './posting-rules/clearing-rules';
export * from './posting-rules/clearing-state';
export * from './repository/ledger-repository';
export * from './settle/apply-clearing';
export * from './settle/settle-batch.usecase';
export * from './reads/statement';
export * from './reads/settlement-report';
export * from './reconciliation/reconcile';
export * from './reconciliation/reconciliation.usecase';
export * from './periodic-fees/charge-periodic-fees.usecase';
