import * as http from 'node:http';

/**
 * A small keep-alive HTTP client for JSON (and NDJSON bodies): the back office, the clock, the
 * clearing ingest, reconciliation, and the HTTP network route. No dependency beyond node:http.
 */
export interface HttpResponse {
  readonly status: number;
  readonly text: string;
  /** The parsed JSON body, or undefined when the body is not JSON. */
  readonly json: unknown;
}

export class HttpTimeoutError extends Error {
  override readonly name = 'HttpTimeoutError';
  constructor(
    readonly method: string,
    readonly path: string,
    readonly timeoutMs: number,
  ) {
    super(`${method} ${path}: no answer within ${timeoutMs} ms`);
  }
}

export class HttpClient {
  private readonly agent: http.Agent;
  private readonly url: URL;

  constructor(
    baseUrl: string,
    private readonly options: { readonly maxSockets?: number; readonly timeoutMs?: number; readonly headers?: Readonly<Record<string, string>> } = {},
  ) {
    this.url = new URL(baseUrl);
    this.agent = new http.Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 16 });
  }

  get baseUrl(): string {
    return this.url.origin;
  }

  request(
    method: 'GET' | 'POST',
    path: string,
    body?: { readonly json: unknown } | { readonly raw: string; readonly contentType: string },
    headers: Readonly<Record<string, string>> = {},
    timeoutMs = this.options.timeoutMs ?? 10_000,
  ): Promise<HttpResponse> {
    const payload = body === undefined ? undefined : 'json' in body ? JSON.stringify(body.json) : body.raw;
    const contentType = body === undefined ? undefined : 'json' in body ? 'application/json' : body.contentType;
    return new Promise<HttpResponse>((resolve, reject) => {
      const req = http.request(
        {
          host: this.url.hostname,
          port: this.url.port,
          method,
          path,
          agent: this.agent,
          headers: {
            ...this.options.headers,
            ...headers,
            ...(payload !== undefined ? { 'content-type': contentType!, 'content-length': Buffer.byteLength(payload) } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            clearTimeout(timer);
            const text = Buffer.concat(chunks).toString('utf8');
            let json: unknown;
            try {
              json = text.length > 0 ? JSON.parse(text) : undefined;
            } catch {
              json = undefined;
            }
            resolve({ status: res.statusCode ?? 0, text, json });
          });
          res.on('error', reject);
        },
      );
      const timer = setTimeout(() => {
        req.destroy();
        reject(new HttpTimeoutError(method, path, timeoutMs));
      }, timeoutMs);
      req.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
