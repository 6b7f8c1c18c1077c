import { buildFormatErrorResponse, IsoFormatError, messageFromJson, messageToJson } from '@lib/iso8583';
import type { NetworkHandler } from './engine.providers';

/** What `POST /v1/network/messages` answers for a parsed JSON body: the response message, or a 400. */
export type NetworkJsonAnswer =
  | { readonly status: 200; readonly body: unknown }
  | { readonly status: 400; readonly body: { readonly error: { readonly code: 'format'; readonly field?: number | null; readonly reason: string } } };

/**
 * One message as JSON to its JSON response, the same handler as the TCP link. A malformed message
 * gets the `30` response when MTI, 11 and 7 are readable, otherwise a 400 naming the problem.
 * Shared by the Nest controller and the framework-free fast path (network-fast-path.ts).
 */
export async function answerNetworkJson(handler: NetworkHandler, body: unknown): Promise<NetworkJsonAnswer> {
  let request;
  try {
    request = messageFromJson(body);
  } catch (error) {
    if (!(error instanceof IsoFormatError)) throw error;
    const formatError = error.readable ? buildFormatErrorResponse(error.readable) : undefined;
    if (formatError) return { status: 200, body: messageToJson(formatError) };
    return { status: 400, body: { error: { code: 'format', field: error.field ?? null, reason: error.reason } } };
  }
  const response = await handler.handle(request);
  if (!response) return { status: 400, body: { error: { code: 'format', reason: `MTI ${request.mti} has no response` } } };
  return { status: 200, body: messageToJson(response) };
}
