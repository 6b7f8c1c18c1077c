import { Body, Controller, Headers, HttpCode, HttpException, Inject, NotFoundException, Post, UnauthorizedException } from '@nestjs/common';
import type { GatewayConfig } from '@lib/config';
import { buildFormatErrorResponse, IsoFormatError, IsoMessage, messageFromJson, messageToJson } from '@lib/iso8583';
import { APP_CONFIG, bearerMatches, UNAUTHORIZED_BODY } from '@lib/platform';
import { NETWORK_HANDLER, NetworkHandler } from './engine.providers';

/**
 * `POST /v1/network/messages`: one ISO 8583 message as JSON, answered with the response the TCP
 * link would have given (same handler, same rules, same duplicate handling). A malformed message
 * gets the `30` response when MTI, 11 and 7 are readable, otherwise a 400 naming the problem.
 */
@Controller('v1/network')
export class NetworkMessagesController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: GatewayConfig,
    @Inject(NETWORK_HANDLER) private readonly handler: NetworkHandler,
  ) {}

  @Post('messages')
  @HttpCode(200)
  async message(@Body() body: unknown, @Headers('authorization') authorization: string | undefined) {
    this.checkAccess(authorization);
    let request: IsoMessage;
    try {
      request = messageFromJson(body);
    } catch (error) {
      if (!(error instanceof IsoFormatError)) throw error;
      const formatError = error.readable ? buildFormatErrorResponse(error.readable) : undefined;
      if (formatError) return messageToJson(formatError);
      throw new HttpException({ error: { code: 'format', field: error.field ?? null, reason: error.reason } }, 400);
    }
    const response = await this.handler.handle(request);
    if (!response) throw new HttpException({ error: { code: 'format', reason: `MTI ${request.mti} has no response` } }, 400);
    return messageToJson(response);
  }

  private checkAccess(authorization: string | undefined): void {
    const mode = this.config.gateway.networkHttpRoute;
    if (mode === 'off') throw new NotFoundException();
    if (mode === 'open') return;
    // The back office's own check: same header rules, same 401 body.
    if (!bearerMatches(authorization, this.config.security.backOfficeKeys)) throw new UnauthorizedException(UNAUTHORIZED_BODY);
  }
}
