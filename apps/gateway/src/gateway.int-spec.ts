import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { bootApp, runBuiltApp } from '@lib/testing';
import { gatewayApp } from './gateway.app';

describe('gateway app', () => {
  let app: NestFastifyApplication;
  beforeAll(async () => {
    app = await bootApp(gatewayApp, { ...process.env, GATEWAY_TCP_PORT: '0' });
  });
  afterAll(() => app.close());

  it('boots against the real services and answers GET /health', async () => {
    const response = await app.getHttpAdapter().getInstance().inject({ method: 'GET', url: '/health' });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.status).toBe('ok');
    expect(Object.keys(body.checks).sort()).toEqual(['redis', 'kafka', 'database'].sort());
  });

  it('stops at boot with one line naming the key of a bad config value', () => {
    const run = runBuiltApp('gateway', { GATEWAY_HTTP_PORT: 'not-a-port' });
    expect(run.status).toBe(1);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^gateway: config error: .*http\.port: must be an integer between 0 and 65535, got "not-a-port" \(from env GATEWAY_HTTP_PORT\)$/);
  });

  it('stops at boot with a line naming Redis and its address when Redis cannot be reached', () => {
    const run = runBuiltApp('gateway', { REDIS_PORT: '1', GATEWAY_HTTP_PORT: '0', GATEWAY_TCP_PORT: '0' });
    expect(run.status).toBe(1);
    expect(run.stderr + run.stdout).toMatch(/Redis unreachable at 127\.0\.0\.1:1 \(REDIS_HOST \/ REDIS_PORT\)/);
    expect(run.stderr + run.stdout).not.toMatch(/Unhandled error event/);
  });
});
