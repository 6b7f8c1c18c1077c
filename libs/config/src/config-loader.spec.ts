import { ConfigError, envName, loadConfig } from './load-config';
import { gatewayConfigSchema } from './app-config';
import { int, port, str } from './fields';

const infraEnv = { REDIS_HOST: '127.0.0.1', REDIS_PORT: '16379', KAFKA_HOST: '127.0.0.1', KAFKA_PORT: '19092', POSTGRES_HOST: '127.0.0.1', POSTGRES_PORT: '15432', POSTGRES_DB: 'db', POSTGRES_USER: 'u' };
const security = { panHmacKey: 'k'.repeat(32), backOfficeKeys: ['b'.repeat(16)], zonePinKey: '0'.repeat(32) };

describe('loadConfig', () => {
  it('derives environment names from key paths', () => {
    expect(envName(['gateway', 'http', 'port'])).toBe('GATEWAY_HTTP_PORT');
    expect(envName(['redis', 'commandTimeoutMs'])).toBe('REDIS_COMMAND_TIMEOUT_MS');
  });

  it('takes the environment over the file over infra.env over defaults', () => {
    const config = loadConfig(gatewayConfigSchema, {
      env: { GATEWAY_HTTP_PORT: '4000' },
      file: { gateway: { http: { port: 3500 }, tcp: { port: 9000 } }, security },
      infraEnv,
    });
    expect(config.gateway.http.port).toBe(4000);
    expect(config.gateway.tcp.port).toBe(9000);
    expect(config.redis.port).toBe(16379);
    expect(config.redis.commandTimeoutMs).toBe(50);
    expect(config.gateway.tcp.allowList).toContain('127.0.0.1');
  });

  it('stops on a non-numeric port with one line naming the key', () => {
    const load = () => loadConfig(gatewayConfigSchema, { env: { GATEWAY_HTTP_PORT: 'abc' }, file: { security }, infraEnv });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow('config error: gateway.http.port: must be an integer between 0 and 65535, got "abc" (from env GATEWAY_HTTP_PORT)');
  });

  it('takes only IP addresses in the TCP allow list', () => {
    const load = (list: string) => loadConfig(gatewayConfigSchema, { env: { GATEWAY_TCP_ALLOW_LIST: list }, file: { security }, infraEnv });
    expect(load('10.0.0.7, ::1').gateway.tcp.allowList).toEqual(['10.0.0.7', '::1']);
    expect(() => load('not-an-ip,,')).toThrow('config error: gateway.tcp.allowList: item 0: must be an IP address, got "not-an-ip,," (from env GATEWAY_TCP_ALLOW_LIST)');
    expect(() => load('127.0.0.1,10.0.0.300')).toThrow(/item 1: must be an IP address/);
  });

  it('names a missing key and where to set it', () => {
    expect(() => loadConfig({ a: { b: str() } }, { env: {}, file: {}, infraEnv: {} })).toThrow(
      'config error: a.b: missing (set A_B or a.b in config)',
    );
  });

  it('rejects unknown keys in the file', () => {
    expect(() => loadConfig({ a: { b: int({ default: 1 }) } }, { env: {}, file: { a: { c: 1 } }, infraEnv: {} })).toThrow(
      'config error: a.c: unknown key in config',
    );
  });

  it('never echoes a secret', () => {
    let message = '';
    try {
      loadConfig(gatewayConfigSchema, { env: { SECURITY_PAN_HMAC_KEY: 'short-secret' }, file: {}, infraEnv });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('security.panHmacKey');
    expect(message).not.toContain('short-secret');
  });

  it('checks ranges', () => {
    expect(() => loadConfig({ p: port() }, { env: { P: '70000' }, file: {}, infraEnv: {} })).toThrow('config error: p: must be an integer between 0 and 65535');
  });
});
