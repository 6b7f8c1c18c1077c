/**
 * Typed errors of the TCP link. They name the request by MTI and STAN only: neither is card data,
 * and nothing else of a message goes into an error.
 */
export type IsoLinkErrorCode = 'timeout' | 'connection' | 'duplicate-request' | 'busy';

export abstract class IsoLinkError extends Error {
  abstract readonly code: IsoLinkErrorCode;
}

/** No response within the request's timeout. A reply that comes later is reported as late. */
export class IsoTimeoutError extends IsoLinkError {
  override readonly name = 'IsoTimeoutError';
  readonly code = 'timeout';

  constructor(
    readonly mti: string,
    readonly stan: string,
    readonly timeoutMs: number,
  ) {
    super(`no response to ${mti} STAN ${stan} within ${timeoutMs} ms`);
  }
}

/** Not connected, or the connection dropped or was closed while the request was in flight. */
export class IsoConnectionError extends IsoLinkError {
  override readonly name = 'IsoConnectionError';
  readonly code = 'connection';

  constructor(readonly reason: string) {
    super(`ISO 8583 link: ${reason}`);
  }
}

/** A request with the same matching key (MTI pair, 32, 11, 7) is already in flight. */
export class IsoDuplicateRequestError extends IsoLinkError {
  override readonly name = 'IsoDuplicateRequestError';
  readonly code = 'duplicate-request';

  constructor(
    readonly mti: string,
    readonly stan: string,
  ) {
    super(`a request ${mti} STAN ${stan} with the same fields 7 and 32 is already in flight`);
  }
}

/** The client's in-flight limit is reached. */
export class IsoClientBusyError extends IsoLinkError {
  override readonly name = 'IsoClientBusyError';
  readonly code = 'busy';

  constructor(readonly maxInFlight: number) {
    super(`${maxInFlight} requests already in flight`);
  }
}
