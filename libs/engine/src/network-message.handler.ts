import { buildNetworkManagementResponse, buildParsedFormatErrorResponse, buildResponse, IsoMessage, validateRequest } from '@lib/iso8583';
import { DeclineReason, responseCodeForDecline } from '@lib/programs';
import { AdviceUseCase } from './advice/advice.usecase';
import { AuthoriseUseCase } from './authorise/authorise.usecase';
import { CompletionUseCase } from './completion/completion.usecase';
import type { EngineDeps } from './engine-deps';
import { ReversalUseCase } from './reversal/reversal.usecase';
import { CardDirectory } from './shared/card-directory';

/**
 * The one entry point of every network message, whichever adapter received it (TCP link or the
 * HTTP route): same code path, same rules, same duplicate handling (http-and-events.md).
 */
export class NetworkMessageHandler {
  private readonly authorise: AuthoriseUseCase;
  private readonly advice: AdviceUseCase;
  private readonly completion: CompletionUseCase;
  private readonly reversal: ReversalUseCase;

  constructor(deps: EngineDeps) {
    const cards = new CardDirectory(deps.redis, deps.secrets);
    this.authorise = new AuthoriseUseCase(deps, cards);
    this.advice = new AdviceUseCase(deps, cards);
    this.completion = new CompletionUseCase(deps, cards);
    this.reversal = new ReversalUseCase(deps, cards);
  }

  async handle(request: IsoMessage): Promise<IsoMessage | undefined> {
    // The message is parsed, so a `30` echoes the request's fields like every other answer.
    if (validateRequest(request)) return buildParsedFormatErrorResponse(request);
    switch (request.mti) {
      case '0100':
      case '0200':
        return this.authorise.execute(request);
      case '0120':
        return this.advice.execute(request);
      case '0220':
        return this.completion.execute(request);
      case '0400':
      case '0420':
        return this.reversal.execute(request);
      case '0800':
        return buildNetworkManagementResponse(request);
      default:
        // validateRequest knows only the dialect's requests: nothing else reaches here.
        return buildResponse(request, responseCodeForDecline(DeclineReason.TransactionNotSupported));
    }
  }
}
