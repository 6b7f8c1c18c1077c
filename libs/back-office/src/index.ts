/**
 * @lib/back-office: the issuer's back-office operations as use cases (one per folder), free of
 * any framework: they take a parsed request and return an outcome value; apps/gateway maps them
 * to HTTP.
 */
export * from './shared/errors';
export * from './shared/money-json';
export * from './shared/validation';
export * from './shared/idempotency';
export * from './shared/once-per-key';
export * from './shared/back-office-deps';
export * from './open-account/open-account.command';
export * from './open-account/open-account.usecase';
export * from './get-account/account-view';
export * from './get-account/get-account.usecase';
export * from './load-funds/load-funds.command';
export * from './load-funds/plan-load';
export * from './load-funds/load-funds.usecase';
export * from './issue-card/card-numbers';
export * from './issue-card/issue-card.command';
export * from './issue-card/plan-issue';
export * from './issue-card/issue-card.usecase';
export * from './change-card-state/card-transitions';
export * from './change-card-state/change-card-state.command';
export * from './change-card-state/change-card-state.usecase';
export * from './revoke-consent/revoke-consent.usecase';
// test support (what is stored where)
export { numericTokens, dumpKeys } from './shared/redis-dump';
