import { isBackingServiceUnavailable } from './unavailable';

describe('isBackingServiceUnavailable', () => {
  const withCode = (code: string) => Object.assign(new Error('connect failed'), { code });
  const named = (name: string) => Object.assign(new Error('x'), { name });

  it('recognises unreachable Redis, PostgreSQL and Kafka', () => {
    expect(isBackingServiceUnavailable(withCode('ECONNREFUSED'))).toBe(true);
    expect(isBackingServiceUnavailable(withCode('57P01'))).toBe(true);
    expect(isBackingServiceUnavailable(named('MaxRetriesPerRequestError'))).toBe(true);
    expect(isBackingServiceUnavailable(named('KafkaJSConnectionError'))).toBe(true);
    expect(isBackingServiceUnavailable(new Error('Connection is closed.'))).toBe(true);
    expect(isBackingServiceUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isBackingServiceUnavailable(new Error('timeout exceeded when trying to connect'))).toBe(true);
  });

  it('leaves bugs and other failures alone (they stay 500s, logged)', () => {
    expect(isBackingServiceUnavailable(new TypeError("Cannot read properties of undefined (reading 'x')"))).toBe(false);
    expect(isBackingServiceUnavailable(withCode('23505'))).toBe(false);
    expect(isBackingServiceUnavailable('ECONNREFUSED')).toBe(false);
    expect(isBackingServiceUnavailable(undefined)).toBe(false);
  });
});
