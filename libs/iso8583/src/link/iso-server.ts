import * as net from 'net';
import { DEFAULT_MAX_MESSAGE_BYTES } from '../codec/codec-options';
import { IsoMessage } from '../codec/iso-message';
import { tryUnpack } from '../codec/unpack';
import { validateRequest } from '../codec/validate';
import { FrameDecoder, FramingError } from '../framing/frame-decoder';
import { packFrame } from '../framing/frame-encoder';
import { IsoFormatError } from '../iso-format-error';
import { NETWORK_MANAGEMENT_CODES } from '../spec/message-types';
import { AllowList, DEFAULT_ALLOW_LIST } from './allow-list';
import { buildFormatErrorResponse, buildNetworkManagementResponse, buildParsedFormatErrorResponse, buildResponse } from './responses';

/**
 * The issuer's end of the network link (network-interface.md): the network connects and sends
 * requests; each is answered on the same connection, in the order the answers are ready. No
 * framework here: apps/gateway wires a handler (its authorisation engine) into this server.
 */

export interface IsoRequestContext {
  readonly connectionId: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** True after a 0800 sign-on, false after a sign-off (only tracked when the server answers 0800 itself). */
  readonly signedOn: boolean;
}

/** Answers one request. A rejection or throw becomes a `96` response, never a crash. */
export type IsoRequestHandler = (request: IsoMessage, context: IsoRequestContext) => Promise<IsoMessage>;

export interface IsoServerOptions {
  readonly host: string;
  /** 0 picks a free port; `address()` tells which. */
  readonly port: number;
  /** Peer addresses allowed to connect; others are closed at once and counted. */
  readonly allowList: readonly string[];
  readonly maxConnections: number;
  /** Requests given to the handler and not yet answered, per connection; reading pauses at the limit. */
  readonly maxInFlightPerConnection: number;
  /** Largest message body accepted; a frame announcing more means framing is lost. */
  readonly maxFrameBytes: number;
  /** A connection with no traffic and nothing in flight for this long is closed; 0 = never. */
  readonly idleTimeoutMs: number;
  /** How long close() waits for in-flight requests before cutting connections. */
  readonly drainTimeoutMs: number;
  /** True: the server answers 0800 itself (sign-on, sign-off, echo); false: the handler gets them. */
  readonly answerNetworkManagement: boolean;
  /** Receives link events for logging; never card data (reasons, fields, offsets, ids only). */
  readonly onEvent?: (event: IsoServerEvent) => void;
}

export interface IsoServerEvent {
  readonly kind:
    | 'connection-refused'
    | 'framing-lost'
    | 'message-dropped'
    | 'format-error-answered'
    | 'handler-failed'
    | 'response-invalid'
    | 'idle-timeout'
    | 'socket-error';
  readonly connectionId?: number;
  readonly remoteAddress?: string;
  /** Why, in words: an IsoFormatError's message (field and offset, no value) or an error name. */
  readonly reason: string;
}

/** Counters, read by the gateway's metrics endpoint. Monotonic except connectionsOpen. */
export interface IsoServerMetrics {
  connectionsAccepted: number;
  connectionsOpen: number;
  connectionsRefusedAllowList: number;
  connectionsRefusedLimit: number;
  framesReceived: number;
  requestsDispatched: number;
  responsesWritten: number;
  /** Malformed or invalid messages answered `30`. */
  formatErrorsAnswered: number;
  /** Malformed messages without readable MTI, STAN and field 7: dropped (network-interface.md). */
  malformedDropped: number;
  /** Connections closed because a frame length was 0 or above the maximum. */
  framingErrors: number;
  networkManagementAnswered: number;
  /** Handler rejections answered `96`. */
  handlerErrors: number;
  /** Handler responses that could not be packed, answered `96`. */
  invalidResponses: number;
  /** Responses whose connection was gone when they were ready. */
  responsesLost: number;
  /** Times reading was paused for the in-flight limit or a full write buffer. */
  backpressurePauses: number;
  idleTimeouts: number;
  /** Frames received but not yet dispatched when close() began. */
  droppedOnClose: number;
}

export const DEFAULT_SERVER_OPTIONS: Omit<IsoServerOptions, 'host' | 'port'> = {
  allowList: DEFAULT_ALLOW_LIST,
  maxConnections: 64,
  maxInFlightPerConnection: 256,
  maxFrameBytes: DEFAULT_MAX_MESSAGE_BYTES,
  idleTimeoutMs: 5 * 60_000,
  drainTimeoutMs: 5_000,
  answerNetworkManagement: true,
};

function newMetrics(): IsoServerMetrics {
  return {
    connectionsAccepted: 0,
    connectionsOpen: 0,
    connectionsRefusedAllowList: 0,
    connectionsRefusedLimit: 0,
    framesReceived: 0,
    requestsDispatched: 0,
    responsesWritten: 0,
    formatErrorsAnswered: 0,
    malformedDropped: 0,
    framingErrors: 0,
    networkManagementAnswered: 0,
    handlerErrors: 0,
    invalidResponses: 0,
    responsesLost: 0,
    backpressurePauses: 0,
    idleTimeouts: 0,
    droppedOnClose: 0,
  };
}

export class IsoServer {
  readonly options: IsoServerOptions;
  readonly metrics: IsoServerMetrics = newMetrics();
  private readonly allowList: AllowList;
  private readonly server: net.Server;
  private readonly connections = new Set<ServerConnection>();
  private nextConnectionId = 1;
  private closing: Promise<void> | undefined;

  constructor(
    options: Partial<IsoServerOptions> & Pick<IsoServerOptions, 'host' | 'port'>,
    private readonly handler: IsoRequestHandler,
  ) {
    this.options = { ...DEFAULT_SERVER_OPTIONS, ...options };
    checkOptions(this.options);
    this.allowList = new AllowList(this.options.allowList);
    this.server = net.createServer({ noDelay: true }, (socket) => this.accept(socket));
  }

  /** Starts listening; resolves with the bound address (the real port when port 0 was asked). */
  listen(): Promise<net.AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.off('error', reject);
        resolve(this.address());
      });
    });
  }

  address(): net.AddressInfo {
    const address = this.server.address();
    if (address === null || typeof address === 'string') throw new Error('server is not listening on TCP');
    return address;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /**
   * Graceful close: stop accepting, stop reading, let in-flight requests finish and their
   * responses be written, then close the sockets. After drainTimeoutMs the rest are cut.
   */
  close(drainTimeoutMs: number = this.options.drainTimeoutMs): Promise<void> {
    if (this.closing === undefined) this.closing = this.drainAndClose(drainTimeoutMs);
    return this.closing;
  }

  private async drainAndClose(drainTimeoutMs: number): Promise<void> {
    const listening = new Promise<void>((resolve) => this.server.close(() => resolve()));
    const drained = [...this.connections].map((connection) => connection.beginClose());
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, drainTimeoutMs);
    });
    await Promise.race([Promise.all(drained), timedOut]);
    clearTimeout(timer);
    for (const connection of this.connections) connection.destroy();
    await listening;
  }

  /** Emits an event to the optional listener; a throwing listener must not break the link. */
  emit(event: IsoServerEvent): void {
    if (this.options.onEvent === undefined) return;
    try {
      this.options.onEvent(event);
    } catch {
      // Logging must never take the link down.
    }
  }

  handle(request: IsoMessage, context: IsoRequestContext): Promise<IsoMessage> {
    try {
      return this.handler(request, context);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  forget(connection: ServerConnection): void {
    if (this.connections.delete(connection)) this.metrics.connectionsOpen--;
  }

  get isClosing(): boolean {
    return this.closing !== undefined;
  }

  private accept(socket: net.Socket): void {
    const remoteAddress = socket.remoteAddress;
    if (this.closing !== undefined || !this.allowList.allows(remoteAddress)) {
      this.refuse(socket, 'connectionsRefusedAllowList', 'peer address not in the allow-list');
      return;
    }
    if (this.connections.size >= this.options.maxConnections) {
      this.refuse(socket, 'connectionsRefusedLimit', `${this.options.maxConnections} connections already open`);
      return;
    }
    const connection = new ServerConnection(this, socket, this.nextConnectionId++);
    this.connections.add(connection);
    this.metrics.connectionsAccepted++;
    this.metrics.connectionsOpen++;
  }

  private refuse(socket: net.Socket, counter: 'connectionsRefusedAllowList' | 'connectionsRefusedLimit', reason: string): void {
    this.metrics[counter]++;
    this.emit({ kind: 'connection-refused', remoteAddress: socket.remoteAddress, reason });
    socket.on('error', () => undefined);
    socket.destroy();
  }
}

function checkOptions(options: IsoServerOptions): void {
  const positive: Array<keyof IsoServerOptions> = ['maxConnections', 'maxInFlightPerConnection', 'maxFrameBytes'];
  for (const key of positive) {
    const value = options[key];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw new RangeError(`${key} must be a positive integer`);
  }
  if (options.maxFrameBytes > 0xffff) throw new RangeError('maxFrameBytes cannot exceed 65535 (2-byte length prefix)');
  if (options.idleTimeoutMs < 0 || options.drainTimeoutMs < 0) throw new RangeError('timeouts must be >= 0');
}

/**
 * One network connection. Requests are dispatched as frames arrive, up to the in-flight limit;
 * responses are written as they complete, in any order. Reading pauses while the limit is reached
 * or the socket's write buffer is full (backpressure), and resumes when both clear.
 */
class ServerConnection implements IsoRequestContext {
  readonly remoteAddress: string;
  readonly remotePort: number;
  signedOn = false;
  private readonly decoder: FrameDecoder;
  /** Frames received while the in-flight limit was reached; bounded because reading is paused. */
  private readonly backlog: Buffer[] = [];
  private inFlight = 0;
  private writeBlocked = false;
  private paused = false;
  private corked = false;
  private closing = false;
  private closed = false;
  private drainedResolve: (() => void) | undefined;

  constructor(
    private readonly server: IsoServer,
    private readonly socket: net.Socket,
    readonly connectionId: number,
  ) {
    this.remoteAddress = socket.remoteAddress ?? '';
    this.remotePort = socket.remotePort ?? 0;
    this.decoder = new FrameDecoder(server.options.maxFrameBytes);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => this.onDrain());
    socket.on('error', (error) => this.server.emit({ kind: 'socket-error', connectionId, reason: error.name }));
    socket.on('close', () => this.onClose());
    if (server.options.idleTimeoutMs > 0) {
      socket.setTimeout(server.options.idleTimeoutMs, () => this.onIdle());
    }
  }

  /** Stops reading; resolves once every in-flight response is written and the socket closed. */
  beginClose(): Promise<void> {
    this.closing = true;
    this.server.metrics.droppedOnClose += this.backlog.length;
    this.backlog.length = 0;
    this.updateFlow();
    const drained = new Promise<void>((resolve) => {
      this.drainedResolve = resolve;
    });
    this.endIfDrained();
    return drained;
  }

  destroy(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    try {
      this.decoder.push(chunk, (frame) => this.onFrame(frame));
    } catch (error) {
      if (!(error instanceof FramingError)) throw error;
      this.server.metrics.framingErrors++;
      this.server.emit({ kind: 'framing-lost', connectionId: this.connectionId, reason: error.message });
      this.socket.destroy();
      return;
    }
    this.updateFlow();
  }

  private onFrame(frame: Buffer): void {
    this.server.metrics.framesReceived++;
    if (this.closing || this.closed) {
      this.server.metrics.droppedOnClose++;
    } else if (this.mustHoldFrames() || this.backlog.length > 0) {
      // Frames of a read already taken wait here: reading is paused, so the backlog stays bounded.
      this.backlog.push(frame);
    } else {
      this.process(frame);
    }
  }

  private process(frame: Buffer): void {
    const result = tryUnpack(frame, { maxMessageBytes: this.server.options.maxFrameBytes });
    if (!result.ok) {
      this.answerFormatError(result.error);
      return;
    }
    const request = result.message;
    const problem = validateRequest(request);
    if (problem !== undefined) {
      this.answerFormatError(problem, request);
    } else if (request.mti === '0800' && this.server.options.answerNetworkManagement) {
      this.answerNetworkManagement(request);
    } else {
      this.dispatch(request);
    }
  }

  /**
   * `30` when MTI, STAN and field 7 are readable, otherwise dropped and counted (network-interface.md).
   * A message that unpacked but failed validation (`parsed`) is answered with every echoed field it
   * has, like any other response; one that did not unpack, with what the lenient walk could read.
   */
  private answerFormatError(error: IsoFormatError, parsed?: IsoMessage): void {
    const response = parsed === undefined ? buildFormatErrorResponse(error.readable) : buildParsedFormatErrorResponse(parsed);
    if (response === undefined) {
      this.server.metrics.malformedDropped++;
      this.server.emit({ kind: 'message-dropped', connectionId: this.connectionId, reason: error.message });
      return;
    }
    this.server.metrics.formatErrorsAnswered++;
    this.server.emit({ kind: 'format-error-answered', connectionId: this.connectionId, reason: error.message });
    this.writeMessage(response);
  }

  private answerNetworkManagement(request: IsoMessage): void {
    const code = request.get(70);
    if (code === NETWORK_MANAGEMENT_CODES.signOn) this.signedOn = true;
    else if (code === NETWORK_MANAGEMENT_CODES.signOff) this.signedOn = false;
    this.server.metrics.networkManagementAnswered++;
    this.writeMessage(buildNetworkManagementResponse(request));
  }

  private dispatch(request: IsoMessage): void {
    this.inFlight++;
    this.server.metrics.requestsDispatched++;
    this.server.handle(request, this).then(
      (response) => this.complete(request, response),
      (error: unknown) => this.fail(request, error),
    );
  }

  private complete(request: IsoMessage, response: IsoMessage): void {
    let frame: Buffer;
    try {
      frame = packFrame(response, { maxMessageBytes: this.server.options.maxFrameBytes });
    } catch (error) {
      this.server.metrics.invalidResponses++;
      this.server.emit({ kind: 'response-invalid', connectionId: this.connectionId, reason: reasonOf(error) });
      this.answerSystemMalfunction(request);
      return;
    }
    this.finish(frame);
  }

  private fail(request: IsoMessage, error: unknown): void {
    this.server.metrics.handlerErrors++;
    this.server.emit({ kind: 'handler-failed', connectionId: this.connectionId, reason: reasonOf(error) });
    this.answerSystemMalfunction(request);
  }

  /** `96`: the handler failed or answered something unusable; the peer still gets an answer. */
  private answerSystemMalfunction(request: IsoMessage): void {
    const response = buildResponse(request, '96');
    let frame: Buffer | undefined;
    try {
      frame = response === undefined ? undefined : packFrame(response, { maxMessageBytes: this.server.options.maxFrameBytes });
    } catch {
      frame = undefined;
    }
    this.finish(frame);
  }

  private finish(frame: Buffer | undefined): void {
    this.inFlight--;
    if (frame !== undefined) this.writeFrame(frame);
    this.pumpBacklog();
    this.updateFlow();
    this.endIfDrained();
  }

  private writeMessage(message: IsoMessage): void {
    let frame: Buffer;
    try {
      frame = packFrame(message, { maxMessageBytes: this.server.options.maxFrameBytes });
    } catch (error) {
      this.server.metrics.invalidResponses++;
      this.server.emit({ kind: 'response-invalid', connectionId: this.connectionId, reason: reasonOf(error) });
      return;
    }
    this.writeFrame(frame);
  }

  /**
   * Writes are corked until the end of the current tick: responses completing together leave in
   * one system call (writev) instead of one each, which is most of the link's cost at high rates.
   */
  private writeFrame(frame: Buffer): void {
    if (this.closed || this.socket.destroyed) {
      this.server.metrics.responsesLost++;
      return;
    }
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(() => {
        this.corked = false;
        this.socket.uncork();
      });
    }
    this.server.metrics.responsesWritten++;
    if (!this.socket.write(frame)) this.writeBlocked = true;
  }

  /** No new request while the in-flight limit is reached or the peer is not reading its answers. */
  private mustHoldFrames(): boolean {
    return this.writeBlocked || this.inFlight >= this.server.options.maxInFlightPerConnection;
  }

  private pumpBacklog(): void {
    while (this.backlog.length > 0 && !this.mustHoldFrames() && !this.closing) {
      this.process(this.backlog.shift() as Buffer);
    }
  }

  private onDrain(): void {
    this.writeBlocked = false;
    this.pumpBacklog();
    this.updateFlow();
  }

  /** Pause reading while anything says so; resume when nothing does. */
  private updateFlow(): void {
    const mustPause = this.closing || this.backlog.length > 0 || this.mustHoldFrames();
    if (mustPause && !this.paused) {
      this.paused = true;
      if (!this.closing) this.server.metrics.backpressurePauses++;
      this.socket.pause();
    } else if (!mustPause && this.paused) {
      this.paused = false;
      this.socket.resume();
    }
  }

  private endIfDrained(): void {
    if (this.closing && this.inFlight === 0 && !this.closed) this.socket.end();
  }

  private onIdle(): void {
    // A slow handler is not an idle peer: only a connection with nothing in flight is closed.
    if (this.inFlight > 0) return;
    this.server.metrics.idleTimeouts++;
    this.server.emit({ kind: 'idle-timeout', connectionId: this.connectionId, reason: `no traffic for ${this.server.options.idleTimeoutMs} ms` });
    this.socket.destroy();
  }

  private onClose(): void {
    this.closed = true;
    this.backlog.length = 0;
    this.server.forget(this);
    this.drainedResolve?.();
  }
}

/** An error's description for an event: an IsoFormatError's message has no values; others give their name only. */
function reasonOf(error: unknown): string {
  if (error instanceof IsoFormatError) return error.message;
  return error instanceof Error ? error.name : typeof error;
}
