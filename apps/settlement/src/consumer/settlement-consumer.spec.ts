import { isInfrastructureError } from './settlement-consumer';

describe('which failures are outages (never dead-lettered)', () => {
  it('recognises unreachable PostgreSQL and Redis, not a bad message', () => {
    expect(isInfrastructureError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:15432'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isInfrastructureError(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))).toBe(true);
    expect(isInfrastructureError(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isInfrastructureError(new Error('Connection is closed.'))).toBe(true);
    expect(isInfrastructureError(new Error('journal entry of event e1 (presentment) does not balance: EUR 1'))).toBe(false);
    expect(isInfrastructureError(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(false);
    expect(isInfrastructureError(undefined)).toBe(false);
  });
});
