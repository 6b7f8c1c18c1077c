import { connect } from 'net';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type Redis from 'ioredis';
import { authorisationRequest, seedAccount, seedCard } from '@lib/engine';
import { ECHOED_FIELDS, FrameDecoder, IsoMessage, messageToJson, packFrame, unpack } from '@lib/iso8583';
import { REDIS } from '@lib/platform';
import { CardSecrets } from '@lib/store';
import { bootApp, integrationConfig } from '@lib/testing';
import { gatewayApp } from '../gateway.app';
import { NetworkLinkService } from './network-link.service';

/**
 * network-interface.md: a message whose mandatory field is missing gets `30`, and "every response
 * echoes the request's fields 2, 3, 4, 7, 11, 32, 37, 41, 42 and 49": both entry points, TCP link
 * and HTTP route, answer a parsed message's `30` with every echoed field it has.
 */
describe('gateway: 30 to a parsed message missing a mandatory field (real Redis)', () => {
  let app: NestFastifyApplication;
  let redis: Redis;
  let port: number;
  const secrets = new CardSecrets(integrationConfig().security.panHmacKey);
  let stan = 600_000 + Math.floor(Math.random() * 100_000);

  beforeAll(async () => {
    app = await bootApp(gatewayApp, { ...process.env, GATEWAY_TCP_PORT: '0' });
    redis = app.get(REDIS);
    port = app.get(NetworkLinkService).server.address().port;
  });
  afterAll(() => app.close());

  async function requestMissing49(): Promise<IsoMessage> {
    const accountId = await seedAccount(redis, { program: 'eur-standard', balances: { EUR: 5_000n }, nowMs: Date.now() });
    const card = await seedCard(redis, secrets, { accountId, nowMs: Date.now() });
    return authorisationRequest({ pan: card.pan, amountMinor: 1_250, stan: ++stan, expiry: card.expiry }).delete(49);
  }

  function expectAllEchoes(request: IsoMessage, response: IsoMessage): void {
    expect([response.mti, response.get(39)]).toEqual(['0110', '30']);
    const echoed = ECHOED_FIELDS.filter((field) => request.has(field));
    expect(echoed).toEqual([2, 3, 4, 7, 11, 32, 37, 41, 42]);
    expect(echoed.map((field) => [field, response.get(field)])).toEqual(echoed.map((field) => [field, request.get(field)]));
  }

  it('over HTTP', async () => {
    const request = await requestMissing49();
    const reply = await app
      .getHttpAdapter()
      .getInstance()
      .inject({ method: 'POST', url: '/v1/network/messages', payload: messageToJson(request) as object, headers: { 'content-type': 'application/json' } });
    expect(reply.statusCode).toBe(200);
    const body = reply.json() as { mti: string; fields: Record<string, string> };
    const response = new IsoMessage(body.mti);
    for (const [field, value] of Object.entries(body.fields)) response.set(Number(field), value);
    expectAllEchoes(request, response);
  });

  it('over the TCP link', async () => {
    const request = await requestMissing49();
    const socket = connect(port, '127.0.0.1');
    try {
      await new Promise((resolve) => socket.once('connect', resolve));
      const decoder = new FrameDecoder();
      const answer = new Promise<IsoMessage>((resolve) => socket.on('data', (chunk: Buffer) => decoder.push(chunk, (body) => resolve(unpack(body)))));
      socket.write(packFrame(request));
      expectAllEchoes(request, await answer);
    } finally {
      socket.destroy();
    }
  });
});
