import { connect } from 'net';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type Redis from 'ioredis';
import { authorisationRequest, seedAccount, seedCard } from '@lib/engine';
import { IsoClient, messageToJson } from '@lib/iso8583';
import { REDIS } from '@lib/platform';
import { CardSecrets } from '@lib/store';
import { bootApp, integrationConfig } from '@lib/testing';
import { gatewayApp } from '../gateway.app';
import { NetworkLinkService } from './network-link.service';

/** The gateway's network interface end to end: TCP link and HTTP route on the real engine. */
describe('gateway network interface (real Redis)', () => {
  let app: NestFastifyApplication;
  let redis: Redis;
  let port: number;
  const secrets = new CardSecrets(integrationConfig().security.panHmacKey);
  const now = Date.now();
  let stan = 500_000;

  beforeAll(async () => {
    app = await bootApp(gatewayApp, { ...process.env, GATEWAY_TCP_PORT: '0' });
    redis = app.get(REDIS);
    port = app.get(NetworkLinkService).server.address().port;
  });
  afterAll(() => app.close());

  async function card(balanceMinor: bigint) {
    const accountId = await seedAccount(redis, { program: 'eur-standard', balances: { EUR: balanceMinor }, nowMs: now });
    return seedCard(redis, secrets, { accountId, nowMs: now });
  }

  const inject = (payload: unknown) =>
    app.getHttpAdapter().getInstance().inject({ method: 'POST', url: '/v1/network/messages', payload: payload as object, headers: { 'content-type': 'application/json' } });

  it('answers a purchase over HTTP as JSON, and its retry identically', async () => {
    const c = await card(5_000n);
    const message = messageToJson(authorisationRequest({ pan: c.pan, amountMinor: 1_250, stan: ++stan, expiry: c.expiry }));
    const first = await inject(message);
    expect(first.statusCode).toBe(200);
    const body = first.json();
    expect(body.mti).toBe('0110');
    expect(body.fields['39']).toBe('00');
    expect(body.fields['2']).toBe(c.pan);
    expect(body.fields['54']).toBe('0001978C0000000050000002978C000000003750');
    expect((await inject(message)).json()).toEqual(body);
    const metrics = await app.getHttpAdapter().getInstance().inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/network_messages_total\{mti="0100",response_code="00"\} [1-9]/);
    expect(metrics.body).toContain('iso_link_connections_open');
    expect(metrics.body).not.toContain(c.pan);
  });

  it('answers 30 to a malformed message whose MTI, 11 and 7 are readable, else 400 naming the problem', async () => {
    const bad = await inject({ mti: '0100', fields: { '7': '1122101530', '11': '000777', '32': '12345678', '4': '12AB' } });
    expect(bad.statusCode).toBe(200);
    expect(bad.json()).toMatchObject({ mti: '0110', fields: { '7': '1122101530', '11': '000777', '39': '30' } });
    const unreadable = await inject({ fields: {} });
    expect(unreadable.statusCode).toBe(400);
    expect(unreadable.json().error.reason).toMatch(/mti/i);
    const notJson = await app.getHttpAdapter().getInstance().inject({ method: 'POST', url: '/v1/network/messages', payload: '{"mti":', headers: { 'content-type': 'application/json' } });
    expect(notJson.statusCode).toBe(400);
  });

  it('answers over the TCP link: sign-on, purchase, and a malformed frame without dropping the connection', async () => {
    const client = new IsoClient({ host: '127.0.0.1', port, signOnAtConnect: true, reconnect: false });
    await client.connect();
    try {
      const c = await card(5_000n);
      const response = await client.send(authorisationRequest({ pan: c.pan, amountMinor: 6_000, stan: ++stan, expiry: c.expiry }));
      expect(response.get(39)).toBe('51');
      // A raw 0800 with a non-digit in field 70: 7 and 11 are readable, so it is answered 30.
      const raw = connect(port, '127.0.0.1');
      await new Promise((resolve) => raw.once('connect', resolve));
      const body = Buffer.from('0800' + '8220000000000000' + '0400000000000000' + '1122101530' + '000001' + '3X1', 'ascii');
      const frame = Buffer.concat([Buffer.from([body.length >> 8, body.length & 0xff]), body]);
      raw.write(frame);
      const reply = await new Promise<Buffer>((resolve) => raw.once('data', resolve));
      expect(reply.subarray(2, 6).toString()).toBe('0810');
      expect(reply.toString('ascii')).toMatch(/30$/);
      raw.destroy();
      const again = await client.send(authorisationRequest({ pan: c.pan, amountMinor: 100, stan: ++stan, expiry: c.expiry }));
      expect(again.get(39)).toBe('00');
    } finally {
      await client.close();
    }
  });
});
