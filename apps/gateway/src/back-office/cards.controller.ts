import { Body, Controller, Headers, HttpCode, Param, Post, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiHeader, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import {
  CardAction,
  ChangeCardStateUseCase,
  Parsed,
  RevokeConsentUseCase,
  idempotencyRequest,
  parseBlock,
  parseBodiless,
  parseIdempotencyKey,
  parseMerchantId,
} from '@lib/back-office';
import { BackOfficeAuthGuard } from './back-office-auth';
import { BackOfficeHttp } from './back-office-http';
import { BlockCardDto, CardStateDto, ErrorDto, RevokedConsentDto } from './back-office.dto';

const IDEMPOTENCY_HEADER_DOC = {
  name: 'Idempotency-Key',
  required: false,
  description: 'Same key + same body: the first answer; another body: 409 (24 h)',
};

/** Card state changes: thin adapter from HTTP to the use cases of @lib/back-office. */
@ApiTags('back office: cards')
@ApiBearerAuth()
@ApiHeader(IDEMPOTENCY_HEADER_DOC)
@ApiResponse({ status: 401, description: 'Missing or wrong back-office key', type: ErrorDto })
@ApiResponse({ status: 404, description: 'Unknown card', type: ErrorDto })
@UseGuards(BackOfficeAuthGuard)
@Controller('v1/cards/:cardId')
export class CardsController {
  constructor(
    private readonly http: BackOfficeHttp,
    private readonly changeState: ChangeCardStateUseCase,
    private readonly revokeConsent: RevokeConsentUseCase,
  ) {}

  @Post('activate')
  @HttpCode(200)
  @ApiResponse({ status: 200, type: CardStateDto })
  @ApiResponse({ status: 409, description: 'Only an inactive card can be activated', type: ErrorDto })
  activate(
    @Param('cardId') cardId: string,
    @Body() body: unknown,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.change(reply, cardId, 'activate', body, key, parseBodiless(body, { kind: 'activate' }));
  }

  @Post('block')
  @HttpCode(200)
  @ApiBody({ type: BlockCardDto })
  @ApiResponse({ status: 200, type: CardStateDto })
  @ApiResponse({
    status: 409,
    description: 'The card cannot be blocked that way from its state',
    type: ErrorDto,
  })
  block(
    @Param('cardId') cardId: string,
    @Body() body: unknown,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.change(reply, cardId, 'block', body, key, parseBlock(body));
  }

  @Post('unblock')
  @HttpCode(200)
  @ApiResponse({ status: 200, type: CardStateDto })
  @ApiResponse({
    status: 409,
    description: 'Only a temporarily blocked card can be unblocked',
    type: ErrorDto,
  })
  unblock(
    @Param('cardId') cardId: string,
    @Body() body: unknown,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.change(reply, cardId, 'unblock', body, key, parseBodiless(body, { kind: 'unblock' }));
  }

  @Post('pin/unblock')
  @HttpCode(200)
  @ApiResponse({ status: 200, description: 'The wrong-PIN counter is back to 0', type: CardStateDto })
  @ApiResponse({ status: 409, description: 'The card is blocked for good', type: ErrorDto })
  pinUnblock(
    @Param('cardId') cardId: string,
    @Body() body: unknown,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.change(reply, cardId, 'pin/unblock', body, key, parseBodiless(body, { kind: 'pin-unblock' }));
  }

  @Post('recurring-consents/:merchantId/revoke')
  @HttpCode(200)
  @ApiResponse({
    status: 200,
    description: 'Later recurring charges from this merchant are declined 57',
    type: RevokedConsentDto,
  })
  async revoke(
    @Param('cardId') cardId: string,
    @Param('merchantId') merchantId: string,
    @Body() body: unknown,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const parsedKey = parseIdempotencyKey(key);
    if (!parsedKey.ok)
      return this.http.invalid(reply, 'revoke-consent', parsedKey.error.field, parsedKey.error.reason);
    const route = `/v1/cards/${cardId}/recurring-consents/${merchantId}/revoke`;
    const answer = await this.revokeConsent.execute(
      cardId,
      parseMerchantId(merchantId, body),
      idempotencyRequest(parsedKey.value, 'POST', route, body),
    );
    return this.http.reply(reply, 'revoke-consent', answer, 200);
  }

  private async change(
    reply: FastifyReply,
    cardId: string,
    route: string,
    body: unknown,
    key: string | undefined,
    action: Parsed<CardAction>,
  ) {
    const parsedKey = parseIdempotencyKey(key);
    if (!parsedKey.ok)
      return this.http.invalid(reply, 'card-state', parsedKey.error.field, parsedKey.error.reason);
    const answer = await this.changeState.execute(
      cardId,
      action,
      idempotencyRequest(parsedKey.value, 'POST', `/v1/cards/${cardId}/${route}`, body),
    );
    return this.http.reply(reply, 'card-state', answer, 200);
  }
}
