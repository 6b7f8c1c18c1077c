import * as net from 'net';
import { DEFAULT_MAX_MESSAGE_BYTES } from '../codec/codec-options';
import { IsoMessage } from '../codec/iso-message';
import { tryUnpack } from '../codec/unpack';
import { FrameDecoder, FramingError } from '../framing/frame-decoder';
import { packFrame } from '../framing/frame-encoder';
import { IsoFormatError, NO_OFFSET } from '../iso-format-error';
import { NETWORK_MANAGEMENT_CODES, NetworkManagementCode } from '../spec/message-types';
import { IsoClientBusyError, IsoConnectionError, IsoDuplicateRequestError, IsoTimeoutError } from './link-errors';
import { matchKeyOf } from './match-key';

/**
 * The network's end of the link: the network simulator and tests use it to send requests to the
 * gateway. Many requests in flight on one connection; each response is matched to its request by
 * MTI pair + field 32 + field 11 + field 7 (match-key.ts), whatever order responses come in.
 */

export interface IsoClientOptions {
  readonly host: string;
  readonly port: number;
  readonly maxFrameBytes: number;
  /** Timeout of a send() that names none. */
  readonly defaultTimeoutMs: number;
  readonly maxInFlight: number;
  /** Send 0800 sign-on (70 = 001) after each connect; a refused sign-on fails the connect. */
  readonly signOnAtConnect: boolean;
  /** Send a 0800 echo (70 = 301) after this long without traffic; 0 = never. A failed echo drops the connection. */
  readonly echoIdleMs: number;
  /** Reconnect after a dropped connection, waiting initial, 2x, 4x ... up to the maximum between attempts. */
  readonly reconnect: boolean;
  readonly reconnectInitialDelayMs: number;
  readonly reconnectMaxDelayMs: number;
  /** Field 32 of the client's own 0800 messages; left out when undefined. */
  readonly acquirerId?: string;
  /** How many timed-out requests are remembered to recognise their late replies. */
  readonly lateReplyMemory: number;
  /** Wall clock for field 7 of the client's own 0800 messages. */
  readonly now: () => Date;
  readonly onLateReply?: (reply: IsoMessage, info: LateReplyInfo) => void;
  readonly onConnect?: () => void;
  readonly onDisconnect?: (error: IsoConnectionError) => void;
}

export interface LateReplyInfo {
  /** Time from sending the request to this reply. */
  readonly elapsedMs: number;
  readonly timeoutMs: number;
}

export interface SendOptions {
  readonly timeoutMs?: number;
}

export interface IsoClientMetrics {
  requestsSent: number;
  responsesMatched: number;
  timeouts: number;
  lateReplies: number;
  /** Replies matching no request in flight and none timed out (or not responses at all). */
  unmatchedReplies: number;
  malformedReplies: number;
  connects: number;
  disconnects: number;
  reconnectAttempts: number;
  echoesSent: number;
  echoFailures: number;
}

export const DEFAULT_CLIENT_OPTIONS: Omit<IsoClientOptions, 'host' | 'port'> = {
  maxFrameBytes: DEFAULT_MAX_MESSAGE_BYTES,
  defaultTimeoutMs: 5_000,
  maxInFlight: 4096,
  signOnAtConnect: false,
  echoIdleMs: 0,
  reconnect: true,
  reconnectInitialDelayMs: 100,
  reconnectMaxDelayMs: 10_000,
  lateReplyMemory: 10_000,
  now: () => new Date(),
};

interface PendingRequest {
  readonly mti: string;
  readonly stan: string;
  readonly sentAtMs: number;
  readonly timeoutMs: number;
  readonly timer: NodeJS.Timeout;
  readonly resolve: (response: IsoMessage) => void;
  readonly reject: (error: Error) => void;
}

interface TimedOutRequest {
  readonly sentAtMs: number;
  readonly timeoutMs: number;
}

type State = 'idle' | 'connecting' | 'connected' | 'waiting-to-reconnect' | 'closed';

const STAN_MODULUS = 1_000_000;

export class IsoClient {
  readonly options: IsoClientOptions;
  readonly metrics: IsoClientMetrics = {
    requestsSent: 0,
    responsesMatched: 0,
    timeouts: 0,
    lateReplies: 0,
    unmatchedReplies: 0,
    malformedReplies: 0,
    connects: 0,
    disconnects: 0,
    reconnectAttempts: 0,
    echoesSent: 0,
    echoFailures: 0,
  };
  private state: State = 'idle';
  private socket: net.Socket | undefined;
  private readonly pending = new Map<string, PendingRequest>();
  /** Keys of timed-out requests, oldest first (Map keeps insertion order), bounded by lateReplyMemory. */
  private readonly timedOut = new Map<string, TimedOutRequest>();
  private corked = false;
  private reconnectAttempt = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private echoTimer: NodeJS.Timeout | undefined;
  private echoInFlight = false;
  private lastTrafficMs = 0;
  private stanCounter = 0;

  constructor(options: Partial<IsoClientOptions> & Pick<IsoClientOptions, 'host' | 'port'>) {
    this.options = { ...DEFAULT_CLIENT_OPTIONS, ...options };
  }

  get isConnected(): boolean {
    return this.state === 'connected';
  }

  get inFlight(): number {
    return this.pending.size;
  }

  /** Opens the connection (and signs on when asked). Rejects with IsoConnectionError if that fails. */
  async connect(): Promise<void> {
    if (this.state === 'closed') throw new IsoConnectionError('client closed');
    if (this.state !== 'idle') throw new IsoConnectionError(`connect() called while ${this.state}`);
    await this.open();
  }

  /**
   * Sends a request and resolves with its response. Rejects with IsoTimeoutError, IsoConnectionError,
   * IsoDuplicateRequestError, IsoClientBusyError, or IsoFormatError for a message that cannot be packed.
   */
  send(request: IsoMessage, options: SendOptions = {}): Promise<IsoMessage> {
    if (this.state !== 'connected' || this.socket === undefined) return Promise.reject(new IsoConnectionError(`not connected (${this.state})`));
    return this.transmit(this.socket, request, options.timeoutMs ?? this.options.defaultTimeoutMs);
  }

  /** 0800 with field 70 = code (sign-on 001, sign-off 002, echo 301); resolves with the 0810. */
  sendNetworkManagement(code: NetworkManagementCode, options: SendOptions = {}): Promise<IsoMessage> {
    return this.send(this.networkManagementRequest(code), options);
  }

  /**
   * Closes the link: waits up to drainTimeoutMs for requests in flight, signs off when asked,
   * fails what is still in flight with IsoConnectionError and closes the socket. No reconnect after.
   */
  async close(options: { signOff?: boolean; drainTimeoutMs?: number; timeoutMs?: number } = {}): Promise<void> {
    if (this.state === 'closed') return;
    const wasConnected = this.state === 'connected';
    this.stopTimers();
    if (wasConnected && (options.drainTimeoutMs ?? 0) > 0) await this.waitForDrain(options.drainTimeoutMs ?? 0);
    if (wasConnected && options.signOff === true) {
      await this.sendNetworkManagement(NETWORK_MANAGEMENT_CODES.signOff, { timeoutMs: options.timeoutMs }).catch(() => undefined);
    }
    this.state = 'closed';
    this.failAll(new IsoConnectionError('client closed'));
    const socket = this.socket;
    this.socket = undefined;
    if (socket !== undefined && !socket.destroyed) await endSocket(socket, options.timeoutMs ?? this.options.defaultTimeoutMs);
  }

  private transmit(socket: net.Socket, request: IsoMessage, timeoutMs: number): Promise<IsoMessage> {
    const key = matchKeyOf(request);
    if (key === undefined) return Promise.reject(new IsoFormatError('a request needs fields 7 and 11 to be matched', NO_OFFSET, 11));
    if (this.pending.has(key)) return Promise.reject(new IsoDuplicateRequestError(request.mti, request.get(11) ?? ''));
    if (this.pending.size >= this.options.maxInFlight) return Promise.reject(new IsoClientBusyError(this.options.maxInFlight));
    let frame: Buffer;
    try {
      frame = packFrame(request, { maxMessageBytes: this.options.maxFrameBytes });
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<IsoMessage>((resolve, reject) => {
      const sentAtMs = Date.now();
      const timer = setTimeout(() => this.expire(key), timeoutMs);
      this.pending.set(key, { mti: request.mti, stan: request.get(11) ?? '', sentAtMs, timeoutMs, timer, resolve, reject });
      this.metrics.requestsSent++;
      this.lastTrafficMs = sentAtMs;
      this.write(socket, frame);
    });
  }

  /** Writes are corked to the end of the tick so that a burst of sends leaves in one system call. */
  private write(socket: net.Socket, frame: Buffer): void {
    if (!this.corked) {
      this.corked = true;
      socket.cork();
      process.nextTick(() => {
        this.corked = false;
        socket.uncork();
      });
    }
    socket.write(frame);
  }

  private expire(key: string): void {
    const request = this.pending.get(key);
    if (request === undefined) return;
    this.pending.delete(key);
    this.metrics.timeouts++;
    this.rememberTimedOut(key, { sentAtMs: request.sentAtMs, timeoutMs: request.timeoutMs });
    request.reject(new IsoTimeoutError(request.mti, request.stan, request.timeoutMs));
  }

  private rememberTimedOut(key: string, entry: TimedOutRequest): void {
    this.timedOut.set(key, entry);
    if (this.timedOut.size > this.options.lateReplyMemory) {
      const oldest = this.timedOut.keys().next();
      if (oldest.done !== true) this.timedOut.delete(oldest.value);
    }
  }

  /** One connection attempt. On failure the client is back to idle (the caller may schedule a retry). */
  private open(): Promise<void> {
    this.state = 'connecting';
    return new Promise<void>((resolve, reject) => {
      const socket = net.connect({ host: this.options.host, port: this.options.port, noDelay: true });
      const decoder = new FrameDecoder(this.options.maxFrameBytes);
      const failed = (error: IsoConnectionError): void => {
        // Detached first, so that onClose does not treat this as a dropped connection too.
        if (this.socket === socket) this.socket = undefined;
        socket.destroy();
        this.stopEcho();
        this.failAll(error);
        if (this.state !== 'closed') this.state = 'idle';
        reject(error);
      };
      const onConnectError = (error: Error): void => {
        failed(new IsoConnectionError(`cannot connect to ${this.options.host}:${this.options.port} (${error.name})`));
      };
      socket.once('error', onConnectError);
      socket.once('connect', () => {
        socket.off('error', onConnectError);
        this.attach(socket, decoder);
        this.afterConnect().then(resolve, (error: unknown) => {
          failed(error instanceof IsoConnectionError ? error : new IsoConnectionError(`sign-on failed (${reasonName(error)})`));
        });
      });
    });
  }

  private attach(socket: net.Socket, decoder: FrameDecoder): void {
    this.socket = socket;
    this.state = 'connected';
    this.lastTrafficMs = Date.now();
    socket.on('data', (chunk: Buffer) => this.onData(socket, decoder, chunk));
    socket.on('error', () => undefined); // 'close' follows and does the work.
    socket.on('close', () => this.onClose(socket));
  }

  private async afterConnect(): Promise<void> {
    if (this.options.signOnAtConnect) {
      const response = await this.sendNetworkManagement(NETWORK_MANAGEMENT_CODES.signOn);
      if (response.get(39) !== '00') throw new IsoConnectionError('sign-on refused');
    }
    this.metrics.connects++;
    this.reconnectAttempt = 0;
    this.startEcho();
    this.options.onConnect?.();
  }

  private onData(socket: net.Socket, decoder: FrameDecoder, chunk: Buffer): void {
    this.lastTrafficMs = Date.now();
    try {
      decoder.push(chunk, (frame) => this.onFrame(frame));
    } catch (error) {
      if (!(error instanceof FramingError)) throw error;
      // Framing lost: nothing more on this connection can be trusted; drop it and reconnect.
      socket.destroy();
    }
  }

  private onFrame(frame: Buffer): void {
    const result = tryUnpack(frame, { maxMessageBytes: this.options.maxFrameBytes });
    if (!result.ok) {
      this.metrics.malformedReplies++;
      return;
    }
    const reply = result.message;
    const key = isResponseMti(reply.mti) ? matchKeyOf(reply) : undefined;
    if (key === undefined) {
      this.metrics.unmatchedReplies++;
      return;
    }
    const request = this.pending.get(key);
    if (request !== undefined) {
      this.pending.delete(key);
      clearTimeout(request.timer);
      this.metrics.responsesMatched++;
      request.resolve(reply);
      return;
    }
    this.onUnexpectedReply(key, reply);
  }

  private onUnexpectedReply(key: string, reply: IsoMessage): void {
    const timedOut = this.timedOut.get(key);
    if (timedOut === undefined) {
      this.metrics.unmatchedReplies++;
      return;
    }
    this.timedOut.delete(key);
    this.metrics.lateReplies++;
    try {
      this.options.onLateReply?.(reply, { elapsedMs: Date.now() - timedOut.sentAtMs, timeoutMs: timedOut.timeoutMs });
    } catch {
      // A failing listener must not break the link.
    }
  }

  private onClose(socket: net.Socket): void {
    if (this.socket !== socket) return;
    this.socket = undefined;
    this.stopEcho();
    this.timedOut.clear();
    const error = new IsoConnectionError('connection lost');
    this.failAll(error);
    if (this.state === 'closed') return;
    this.metrics.disconnects++;
    this.options.onDisconnect?.(error);
    if (this.options.reconnect) this.scheduleReconnect();
    else this.state = 'idle';
  }

  private scheduleReconnect(): void {
    this.state = 'waiting-to-reconnect';
    const delayMs = Math.min(this.options.reconnectMaxDelayMs, this.options.reconnectInitialDelayMs * 2 ** this.reconnectAttempt);
    this.reconnectAttempt++;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.state !== 'waiting-to-reconnect') return;
      this.metrics.reconnectAttempts++;
      this.open().catch(() => {
        if (this.state !== 'closed') this.scheduleReconnect();
      });
    }, delayMs);
  }

  private failAll(error: IsoConnectionError): void {
    for (const request of this.pending.values()) {
      clearTimeout(request.timer);
      request.reject(error);
    }
    this.pending.clear();
  }

  private startEcho(): void {
    const idleMs = this.options.echoIdleMs;
    if (idleMs <= 0) return;
    // Checking a few times per idle period is enough; rearming a timer on every message is not free.
    this.echoTimer = setInterval(() => this.echoIfIdle(), Math.max(10, Math.floor(idleMs / 4)));
    this.echoTimer.unref();
  }

  private echoIfIdle(): void {
    if (this.echoInFlight || this.state !== 'connected' || this.pending.size > 0) return;
    if (Date.now() - this.lastTrafficMs < this.options.echoIdleMs) return;
    this.echoInFlight = true;
    this.metrics.echoesSent++;
    this.sendNetworkManagement(NETWORK_MANAGEMENT_CODES.echo)
      .then((response) => {
        if (response.get(39) !== '00') this.onEchoFailed();
      }, () => this.onEchoFailed())
      .finally(() => {
        this.echoInFlight = false;
      });
  }

  /** No answer to an echo: the link is presumed dead; dropping it starts the reconnect. */
  private onEchoFailed(): void {
    this.metrics.echoFailures++;
    // Stop at once: the interval could otherwise send another echo before 'close' is processed.
    this.stopEcho();
    this.socket?.destroy();
  }

  private stopEcho(): void {
    if (this.echoTimer !== undefined) clearInterval(this.echoTimer);
    this.echoTimer = undefined;
  }

  private stopTimers(): void {
    this.stopEcho();
    if (this.reconnectTimer !== undefined) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
  }

  private waitForDrain(timeoutMs: number): Promise<void> {
    const deadlineMs = Date.now() + timeoutMs;
    return new Promise((resolve) => {
      const check = (): void => {
        if (this.pending.size === 0 || Date.now() >= deadlineMs) resolve();
        else setTimeout(check, 5);
      };
      check();
    });
  }

  private networkManagementRequest(code: NetworkManagementCode): IsoMessage {
    const message = new IsoMessage('0800');
    message.fields.set(7, transmissionDateTime(this.options.now())).set(11, this.nextStan());
    if (this.options.acquirerId !== undefined) message.fields.set(32, this.options.acquirerId);
    message.fields.set(70, code);
    return message;
  }

  private nextStan(): string {
    this.stanCounter = (this.stanCounter % (STAN_MODULUS - 1)) + 1;
    return String(this.stanCounter).padStart(6, '0');
  }
}

function reasonName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}

/** Third MTI digit odd: a response (0110, 0130, 0810 ...). */
function isResponseMti(mti: string): boolean {
  return (mti.charCodeAt(2) & 1) === 1;
}

/** Field 7: MMDDhhmmss in UTC (network-interface.md). */
export function transmissionDateTime(at: Date): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  return two(at.getUTCMonth() + 1) + two(at.getUTCDate()) + two(at.getUTCHours()) + two(at.getUTCMinutes()) + two(at.getUTCSeconds());
}

function endSocket(socket: net.Socket, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      socket.destroy();
      resolve();
    }, timeoutMs);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.end();
  });
}
