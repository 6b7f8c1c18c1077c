import { Body, Controller, Get, Headers, Param, Post, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiHeader, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import {
  GetAccountUseCase,
  IssueCardResult,
  IssueCardUseCase,
  LoadFundsUseCase,
  OpenAccountUseCase,
  idempotencyRequest,
  parseIdempotencyKey,
} from '@lib/back-office';
import { BackOfficeAuthGuard } from './back-office-auth';
import { BackOfficeHttp } from './back-office-http';
import {
  AccountViewDto,
  ErrorDto,
  IssueCardDto,
  IssuedCardDto,
  LoadDto,
  LoadReceiptDto,
  OpenAccountDto,
  OpenedAccountDto,
} from './back-office.dto';

const IDEMPOTENCY_HEADER_DOC = {
  name: 'Idempotency-Key',
  required: false,
  description: 'Same key + same body: the first answer; another body: 409 (24 h)',
};

/** Accounts: thin adapter from HTTP to the use cases of @lib/back-office. */
@ApiTags('back office: accounts')
@ApiBearerAuth()
@ApiResponse({ status: 401, description: 'Missing or wrong back-office key', type: ErrorDto })
@UseGuards(BackOfficeAuthGuard)
@Controller('v1/accounts')
export class AccountsController {
  constructor(
    private readonly http: BackOfficeHttp,
    private readonly openAccount: OpenAccountUseCase,
    private readonly getAccount: GetAccountUseCase,
    private readonly loadFunds: LoadFundsUseCase,
    private readonly issueCard: IssueCardUseCase,
  ) {}

  @Post()
  @ApiHeader(IDEMPOTENCY_HEADER_DOC)
  @ApiBody({ type: OpenAccountDto })
  @ApiResponse({ status: 201, type: OpenedAccountDto })
  @ApiResponse({ status: 400, description: 'Invalid body (unknown program included)', type: ErrorDto })
  @ApiResponse({ status: 409, description: 'Idempotency-Key reused with another body', type: ErrorDto })
  async open(
    @Body() body: unknown,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const parsedKey = parseIdempotencyKey(key);
    if (!parsedKey.ok)
      return this.http.invalid(reply, 'open-account', parsedKey.error.field, parsedKey.error.reason);
    const answer = await this.openAccount.execute(
      body,
      idempotencyRequest(parsedKey.value, 'POST', '/v1/accounts', body),
    );
    return this.http.reply(reply, 'open-account', answer, 201);
  }

  @Get(':accountId')
  @ApiResponse({ status: 200, type: AccountViewDto })
  @ApiResponse({ status: 404, type: ErrorDto })
  async get(@Param('accountId') accountId: string, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.http.reply(
      reply,
      'get-account',
      { outcome: await this.getAccount.execute(accountId), replayed: false },
      200,
    );
  }

  @Post(':accountId/loads')
  @ApiHeader(IDEMPOTENCY_HEADER_DOC)
  @ApiBody({ type: LoadDto })
  @ApiResponse({ status: 201, type: LoadReceiptDto })
  @ApiResponse({ status: 400, type: ErrorDto })
  @ApiResponse({ status: 404, type: ErrorDto })
  @ApiResponse({
    status: 409,
    description: 'Idempotency-Key reused with another body; account blocked or closed',
    type: ErrorDto,
  })
  @ApiResponse({
    status: 422,
    description: 'Refused by a load rule of the program: {error: {code: load-limit, reason, limit}}',
    type: ErrorDto,
  })
  async load(
    @Param('accountId') accountId: string,
    @Body() body: unknown,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const parsedKey = parseIdempotencyKey(key);
    if (!parsedKey.ok) return this.http.invalid(reply, 'load', parsedKey.error.field, parsedKey.error.reason);
    const answer = await this.loadFunds.execute(
      accountId,
      body,
      idempotencyRequest(parsedKey.value, 'POST', `/v1/accounts/${accountId}/loads`, body),
    );
    return this.http.reply(reply, 'load', answer, 201);
  }

  @Post(':accountId/cards')
  @ApiHeader(IDEMPOTENCY_HEADER_DOC)
  @ApiBody({ type: IssueCardDto })
  @ApiResponse({
    status: 201,
    description:
      'The card numbers, answered once. A replay with the same Idempotency-Key answers {cardId, panMasked, expiry, form, state} and never the numbers',
    type: IssuedCardDto,
  })
  @ApiResponse({
    status: 409,
    description: 'Creation fee not covered; a live card of this form exists; form not offered; key reused',
    type: ErrorDto,
  })
  async issue(
    @Param('accountId') accountId: string,
    @Body() body: unknown,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const parsedKey = parseIdempotencyKey(key);
    if (!parsedKey.ok)
      return this.http.invalid(reply, 'issue-card', parsedKey.error.field, parsedKey.error.reason);
    const answer = await this.issueCard.execute(
      accountId,
      body,
      idempotencyRequest(parsedKey.value, 'POST', `/v1/accounts/${accountId}/cards`, body),
    );
    // Replies must not be cached anywhere: the first one carries the card numbers.
    reply.header('cache-control', 'no-store');
    return this.http.reply(reply, 'issue-card', answer, 201, issuedCardBody);
  }
}

function issuedCardBody(result: IssueCardResult) {
  if (result.kind === 'issued') {
    const { cardId, pan, expiry, cvv2, pin, form, state } = result;
    return { cardId, pan, expiry, cvv2, pin, form, state };
  }
  const { cardId, panMasked, expiry, form, state } = result;
  return { cardId, panMasked, expiry, form, state };
}
