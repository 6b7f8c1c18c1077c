import { buildFormatErrorResponse, buildNetworkManagementResponse, buildResponse, IsoMessage, readableOf, validateRequest } from '@lib/iso8583';
import { DeclineReason, responseCodeForDecline } from '@lib/programs';
import { AuthoriseUseCase } from './authorise/authorise.usecase';
import type { EngineDeps } from './engine-deps';

/**
 * The one entry point of every network message, whichever adapter received it (TCP link or the
 * HTTP route): same code path, same rules, same duplicate handling (http-and-events.md).
 */
export class NetworkMessageHandler {
  private readonly authorise: AuthoriseUseCase;

  constructor(deps: EngineDeps) {
    this.authorise = new AuthoriseUseCase(deps);
  }

  async handle(request: IsoMessage): Promise<IsoMessage | undefined> {
    const formatError = validateRequest(request);
    if (formatError) return buildFormatErrorResponse(readableOf(request));
    switch (request.mti) {
      case '0100':
      case '0200':
        return this.authorise.execute(request);
      case '0800':
        return buildNetworkManagementResponse(request);
      default:
        // Advices, completions and reversals (0120, 0220, 0400, 0420) come with the holds
        // lifecycle; until then they are answered "invalid transaction" and change nothing.
        return buildResponse(request, responseCodeForDecline(DeclineReason.TransactionNotSupported));
    }
  }
}
