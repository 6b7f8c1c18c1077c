import type { IncomingMessage, Server, ServerResponse } from 'http';
import { Logger } from '@nestjs/common';
import { parse as parseJson } from 'secure-json-parse';
import type { GatewayConfig } from '@lib/config';
import { bearerMatches, isBackingServiceUnavailable, JSON_BODY_LIMIT_BYTES, UNAVAILABLE_BODY } from '@lib/platform';
import type { NetworkHandler } from './engine.providers';
import { answerNetworkJson } from './network-json';

export const NETWORK_ROUTE = '/v1/network/messages';

const JSON_CONTENT_TYPE = /^application\/json\s*(;|$)/i;
const FORBIDDEN_KEY_REASON = 'the body has a "__proto__" or "constructor.prototype" key';

/**
 * `POST /v1/network/messages` in the common case (a JSON body, access granted) answered on the
 * raw HTTP server, before Fastify and Nest: the route that carries authorisations under load
 * skips routing, hooks, the middleware engine, the content-type parser's async resources and the
 * controller pipeline, which together cost more CPU per message than reading and answering it.
 * Same answers as the controller (answerNetworkJson); everything else (route off, refused key,
 * other content types or encodings) goes on to the framework untouched, so its answers stay the
 * controller's. The body limit is the app's (1 MiB); an invalid JSON body is a 400 in the API's
 * error shape.
 */
export class NetworkFastPath {
  constructor(
    private readonly handler: NetworkHandler,
    private readonly config: Pick<GatewayConfig, 'gateway' | 'security'>,
    private readonly limitBytes = JSON_BODY_LIMIT_BYTES,
    private readonly logger: Pick<Logger, 'error'> = new Logger('NetworkFastPath'),
  ) {}

  /** Whether this request is one the fast path answers (decided from the request line and headers). */
  takes(req: IncomingMessage): boolean {
    if (req.method !== 'POST' || pathOf(req.url) !== NETWORK_ROUTE) return false;
    const contentType = req.headers['content-type'];
    if (typeof contentType !== 'string' || !JSON_CONTENT_TYPE.test(contentType)) return false;
    const encoding = req.headers['content-encoding'];
    if (encoding !== undefined && encoding.toLowerCase() !== 'identity') return false;
    const mode = this.config.gateway.networkHttpRoute;
    if (mode === 'open') return true;
    return mode === 'back-office-key' && bearerMatches(req.headers.authorization, this.config.security.backOfficeKeys);
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    const declared = Number(req.headers['content-length']);
    if (declared > this.limitBytes) return this.tooLarge(req, res);
    const chunks: Buffer[] = [];
    let received = 0;
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > this.limitBytes) {
        req.removeAllListeners('data');
        this.tooLarge(req, res);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (res.headersSent || res.writableEnded) return;
      let body: unknown;
      try {
        // Fastify's own parser, with Fastify's defaults: a "__proto__" or "constructor.prototype"
        // key anywhere is refused, as on every other route.
        body = parseJson(chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8'), undefined, {
          protoAction: 'error',
          constructorAction: 'error',
        });
      } catch (error) {
        const forbidden = (error as Error).message.includes('forbidden prototype property');
        send(res, 400, { error: { code: 'invalid-json', reason: forbidden ? FORBIDDEN_KEY_REASON : 'the body is not valid JSON' } });
        return;
      }
      answerNetworkJson(this.handler, body).then(
        (answer) => send(res, answer.status, answer.body),
        (error: unknown) => this.failed(res, error),
      );
    });
    req.on('error', () => res.destroy());
  }

  private tooLarge(req: IncomingMessage, res: ServerResponse): void {
    // The rest of the body is not read: the connection closes after the answer.
    res.setHeader('connection', 'close');
    send(res, 413, { error: { code: 'payload-too-large', reason: `the body exceeds ${this.limitBytes} bytes` } });
    req.resume();
  }

  private failed(res: ServerResponse, error: unknown): void {
    if (isBackingServiceUnavailable(error)) {
      send(res, 503, UNAVAILABLE_BODY);
      return;
    }
    // The name and message only: a message from the engine never carries card data, and the
    // request body (which does) is not logged.
    this.logger.error(`POST ${NETWORK_ROUTE}: ${(error as Error)?.name ?? 'error'}: ${(error as Error)?.message ?? String(error)}`);
    send(res, 500, { error: { code: 'internal', reason: 'internal error' } });
  }
}

/**
 * Puts the fast path in front of the server's own request listener (Fastify's): requests the
 * fast path takes are answered there, every other one goes to the framework as before.
 */
export function installNetworkFastPath(server: Server, fastPath: NetworkFastPath): void {
  const framework = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (fastPath.takes(req)) fastPath.handle(req, res);
    else for (const listener of framework) listener.call(server, req, res);
  });
}

function pathOf(url: string | undefined): string {
  if (url === undefined) return '';
  const query = url.indexOf('?');
  return query < 0 ? url : url.slice(0, query);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.writableEnded) return;
  const json = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json) });
  res.end(json);
}
