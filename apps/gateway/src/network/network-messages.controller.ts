import { Body, Controller, Headers, HttpCode, HttpException, Inject, NotFoundException, Post, UnauthorizedException } from '@nestjs/common';
import type { GatewayConfig } from '@lib/config';
import { APP_CONFIG, bearerMatches, UNAUTHORIZED_BODY } from '@lib/platform';
import { NETWORK_HANDLER, NetworkHandler } from './engine.providers';
import { answerNetworkJson } from './network-json';

/**
 * `POST /v1/network/messages`: one ISO 8583 message as JSON, answered with the response the TCP
 * link would have given (same handler, same rules, same duplicate handling). A malformed message
 * gets the `30` response when MTI, 11 and 7 are readable, otherwise a 400 naming the problem.
 *
 * On a listening server, the requests this route serves in the common case (JSON body, access
 * granted) are taken before the framework by the fast path (network-fast-path.ts), with the same
 * answers; this controller serves the rest (route off, refused key, other content types) and
 * `inject()`.
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
    const answer = await answerNetworkJson(this.handler, body);
    if (answer.status !== 200) throw new HttpException(answer.body, answer.status);
    return answer.body;
  }

  private checkAccess(authorization: string | undefined): void {
    const mode = this.config.gateway.networkHttpRoute;
    if (mode === 'off') throw new NotFoundException();
    if (mode === 'open') return;
    // The back office's own check: same header rules, same 401 body.
    if (!bearerMatches(authorization, this.config.security.backOfficeKeys)) throw new UnauthorizedException(UNAUTHORIZED_BODY);
  }
}
