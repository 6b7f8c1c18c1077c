/**
 * Settlement's back-office routes (`/v1/reconciliation`, `/v1/reports/...`) need the same
 * `Authorization: Bearer <key>` as the gateway's (http-and-events.md): the same matcher (scheme
 * case-insensitive, keys compared as digests in constant time) and the same 401 body, from
 * @lib/platform. These routes are GETs without a body, so the guard alone runs before anything
 * is read.
 */
export { BackOfficeAuthGuard as BackOfficeKeyGuard } from '@lib/platform';
