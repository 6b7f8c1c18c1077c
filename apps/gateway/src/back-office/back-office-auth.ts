/**
 * Back-office authentication lives in @lib/platform (shared with the settlement app: one matcher,
 * one 401 body); re-exported here for the gateway's modules.
 */
export { BackOfficeAuthGuard, BackOfficeAuthMiddleware, UNAUTHORIZED_BODY, bearerMatches } from '@lib/platform';
