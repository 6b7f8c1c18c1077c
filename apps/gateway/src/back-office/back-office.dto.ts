import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/*
 * OpenAPI description of the back-office bodies. Documentation only: bodies are validated once,
 * by the use cases' parsers in @lib/back-office (no class-validator here, so nothing is validated
 * twice); these classes must follow those parsers.
 */

export class MoneyDto {
  @ApiProperty({
    description: 'Integer minor units, as a string',
    example: '1250',
    pattern: '^(0|[1-9][0-9]{0,14})$',
  })
  minor!: string;
  @ApiProperty({ description: 'ISO 4217 alpha code', example: 'EUR' })
  currency!: string;
}

export class HolderDto {
  @ApiProperty({ example: 'Marie Curie', maxLength: 140 })
  name!: string;
  @ApiProperty({ example: 'marie@example.org', maxLength: 254 })
  email!: string;
}

export class OpenAccountDto {
  @ApiProperty({ example: 'eur-standard', description: 'A program of config/programs' })
  program!: string;
  @ApiProperty({ type: HolderDto })
  holder!: HolderDto;
  @ApiPropertyOptional({
    enum: ['monthly', 'yearly'],
    description: 'Subscription period (programs with a subscription only; default monthly)',
  })
  billing?: 'monthly' | 'yearly';
}

export class OpenedAccountDto {
  @ApiProperty({ example: 'acc_0f3c9a7d1e2b4c5a6d7e8f90' })
  accountId!: string;
}

export class LoadDto {
  @ApiProperty({ type: MoneyDto })
  amount!: MoneyDto;
  @ApiProperty({ enum: ['sepa-transfer', 'card', 'p2p'] })
  method!: 'sepa-transfer' | 'card' | 'p2p';
}

export class FeeDto {
  @ApiProperty({ example: 'load' })
  type!: string;
  @ApiProperty({ type: MoneyDto })
  amount!: MoneyDto;
}

export class BalancesDto {
  @ApiProperty({ type: MoneyDto })
  ledger!: MoneyDto;
  @ApiProperty({ type: MoneyDto })
  available!: MoneyDto;
}

export class LoadReceiptDto {
  @ApiProperty() loadId!: string;
  @ApiProperty() accountId!: string;
  @ApiProperty({ type: MoneyDto }) amount!: MoneyDto;
  @ApiProperty({ enum: ['sepa-transfer', 'card', 'p2p'] }) method!: string;
  @ApiProperty({ type: [FeeDto] }) fees!: FeeDto[];
  @ApiProperty({ type: BalancesDto, description: 'The funded wallet after the load' }) balances!: BalancesDto;
}

export class WalletDto {
  @ApiProperty({ example: 'EUR' }) currency!: string;
  @ApiProperty({ type: MoneyDto }) ledger!: MoneyDto;
  @ApiProperty({ type: MoneyDto }) available!: MoneyDto;
}

export class HoldDto {
  @ApiProperty() holdId!: string;
  @ApiProperty() transactionId!: string;
  @ApiProperty({ type: MoneyDto }) amount!: MoneyDto;
  @ApiProperty({ format: 'date-time' }) expiresAt!: string;
}

export class LimitDto {
  @ApiProperty({ example: 'atm.perDay.amount' }) name!: string;
  @ApiProperty({ example: 'day', description: 'transaction, day, month, year or rolling-<n>d' })
  window!: string;
  @ApiProperty({
    description: 'An integer for count limits, money for amount limits',
    oneOf: [{ type: 'integer' }, { $ref: '#/components/schemas/MoneyDto' }],
  })
  used!: number | MoneyDto;
  @ApiProperty({ oneOf: [{ type: 'integer' }, { $ref: '#/components/schemas/MoneyDto' }] }) limit!:
    number | MoneyDto;
  @ApiProperty({ oneOf: [{ type: 'integer' }, { $ref: '#/components/schemas/MoneyDto' }] }) remaining!:
    number | MoneyDto;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) resetsAt!: string | null;
}

export class AccountViewDto {
  @ApiProperty() accountId!: string;
  @ApiProperty() program!: string;
  @ApiProperty({ enum: ['active', 'suspended', 'restricted', 'blocked', 'closed'] }) status!: string;
  @ApiProperty({ type: [WalletDto] }) wallets!: WalletDto[];
  @ApiProperty({ type: [HoldDto] }) holds!: HoldDto[];
  @ApiProperty({ type: [LimitDto] }) limits!: LimitDto[];
}

export class IssueCardDto {
  @ApiProperty({ enum: ['physical', 'virtual'] })
  form!: 'physical' | 'virtual';
}

export class IssuedCardDto {
  @ApiProperty() cardId!: string;
  @ApiProperty({ description: 'Answered once; never retrievable again', example: '4999991234567897' })
  pan!: string;
  @ApiProperty({ description: 'YYMM', example: '2911' }) expiry!: string;
  @ApiProperty({ example: '123' }) cvv2!: string;
  @ApiProperty({ example: '583920' }) pin!: string;
  @ApiProperty({ enum: ['physical', 'virtual'] }) form!: string;
  @ApiProperty({ enum: ['inactive', 'active'] }) state!: string;
}

export class BlockCardDto {
  @ApiProperty({ enum: ['temporary', 'total', 'lost', 'stolen'] })
  mode!: 'temporary' | 'total' | 'lost' | 'stolen';
}

export class CardStateDto {
  @ApiProperty() cardId!: string;
  @ApiProperty({
    enum: ['inactive', 'active', 'blocked-temporary', 'blocked-total', 'lost', 'stolen', 'restricted'],
  })
  state!: string;
}

export class RevokedConsentDto {
  @ApiProperty() cardId!: string;
  @ApiProperty() merchantId!: string;
  @ApiProperty({ format: 'date-time' }) revokedAt!: string;
}

export class ErrorDetailDto {
  @ApiProperty({ example: 'validation' }) code!: string;
  @ApiProperty({ example: 'must be one of sepa-transfer, card, p2p' }) reason!: string;
  @ApiPropertyOptional({ example: 'method', description: 'validation errors: the JSON path of the field' })
  field?: string;
}

export class ErrorDto {
  @ApiProperty({ type: ErrorDetailDto }) error!: ErrorDetailDto;
}
