import { CurrencyCode, Decimal, Money, zero } from '@lib/money';
import { isKnownTimeZone } from '../calendar/zoned-time';
import {
  AtmFeeRules,
  CardFormRule,
  CardFormRules,
  CHANNELS,
  CurrencyClass,
  ENTRY_MODES,
  FeeFormula,
  FeeSchedule,
  HoldRules,
  LimitRule,
  LimitScope,
  LimitWindow,
  LOAD_METHODS,
  LoadMethod,
  LoadRules,
  Program,
  Region,
  ScaRules,
  SWAP_OPTIONS,
  SwapOption,
  SwapRules,
  ThresholdFee,
} from '../program';
import {
  ConfigNode,
  currencyKey,
  fail,
  parseYamlText,
  readAmount,
  readCount,
  readCurrency,
  readDays,
  readEntries,
  readEnum,
  readEnumList,
  readList,
  readMap,
  readPercent,
  readString,
} from './config-reader';
import { MerchantCategoryGroups, readCategoryList } from './merchant-categories';

/**
 * Parses and validates one program file (config/programs/<id>.yaml) into a typed Program.
 * Pure: the caller reads the text (load-programs.ts). Every problem is a ConfigError naming the
 * file, the key path and the problem.
 */
export function parseProgram(text: string, file: string, groups: MerchantCategoryGroups): Program {
  const root = readMap(parseYamlText(text, file), {
    required: [
      'id',
      'name',
      'timeZone',
      'homeCountry',
      'accountCurrency',
      'wallets',
      'limits',
      'loads',
      'fees',
      'holds',
      'merchantCategories',
      'cardForms',
      'pin',
      'sca',
    ],
  });
  const at = (key: string): ConfigNode => root.get(key)!;
  const accountCurrency = readCurrency(at('accountCurrency'));
  const id = readString(at('id'));
  if (!/^[a-z0-9-]+$/.test(id))
    fail(at('id'), `must be lower-case letters, digits and '-', got ${JSON.stringify(id)}`);
  return {
    id,
    name: readString(at('name')),
    sourceFile: file,
    timeZone: readTimeZone(at('timeZone')),
    homeCountry: readCountry(at('homeCountry')),
    accountCurrency,
    walletCurrencies: readWallets(at('wallets'), accountCurrency),
    limits: readLimits(at('limits'), accountCurrency),
    loads: readLoads(at('loads'), accountCurrency),
    fees: readFees(at('fees'), accountCurrency),
    holds: readHolds(at('holds'), groups),
    restrictedCategories: readCategoryList(
      readMap(at('merchantCategories'), { required: ['restricted'] }).get('restricted')!,
      groups,
    ),
    cardForms: readCardForms(at('cardForms')),
    pin: {
      maxConsecutiveWrong: readDays(
        readMap(at('pin'), { required: ['maxConsecutiveWrong'] }).get('maxConsecutiveWrong')!,
      ),
    },
    sca: readSca(at('sca'), accountCurrency),
  };
}

function readTimeZone(node: ConfigNode): string {
  const zone = readString(node);
  if (!isKnownTimeZone(zone)) fail(node, `unknown IANA time zone ${JSON.stringify(zone)}`);
  return zone;
}

function readCountry(node: ConfigNode): string {
  const country = readString(node);
  if (!/^[0-9]{3}$/.test(country))
    fail(node, `must be an ISO 3166 numeric code (3 digits), got ${JSON.stringify(country)}`);
  return country;
}

function readWallets(node: ConfigNode, accountCurrency: CurrencyCode): CurrencyCode[] {
  const wallets = readList(node).map(readCurrency);
  if (new Set(wallets).size !== wallets.length) fail(node, 'must not repeat a currency');
  if (wallets[0] !== accountCurrency) fail(node, `must start with the account currency ${accountCurrency}`);
  return wallets;
}

// ---- limits -------------------------------------------------------------------------------

const WINDOW_KEYS = ['perTransaction', 'perDay', 'perMonth', 'perYear', 'rolling'] as const;
type WindowKey = (typeof WINDOW_KEYS)[number];

function windowOf(key: WindowKey, days: number): LimitWindow {
  switch (key) {
    case 'perTransaction':
      return { kind: 'transaction' };
    case 'perDay':
      return { kind: 'day' };
    case 'perMonth':
      return { kind: 'month' };
    case 'perYear':
      return { kind: 'year' };
    case 'rolling':
      return { kind: 'rolling', days };
  }
}

function readLimits(node: ConfigNode, accountCurrency: CurrencyCode): LimitRule[] {
  return readEntries(node).flatMap(([scopeName, scopeNode]) => {
    if (!/^[a-zA-Z][a-zA-Z0-9]*$/.test(scopeName)) fail(scopeNode, 'a limit scope name must be alphanumeric');
    const fields = readMap(scopeNode, {
      required: ['channels'],
      optional: ['region', 'currencyClass', ...WINDOW_KEYS],
    });
    const scope: LimitScope = {
      name: scopeName,
      channels: readEnumList(fields.get('channels')!, CHANNELS),
      region: fields.has('region')
        ? readEnum<Region>(fields.get('region')!, ['any', 'domestic', 'abroad'])
        : 'any',
      currencyClass: fields.has('currencyClass')
        ? readEnum<CurrencyClass>(fields.get('currencyClass')!, ['any', 'held', 'not-held'])
        : 'any',
    };
    const rules = WINDOW_KEYS.filter((key) => fields.has(key)).flatMap((key) =>
      readWindowLimits(fields.get(key)!, scope, key, accountCurrency),
    );
    if (rules.length === 0) fail(scopeNode, `must set at least one of ${WINDOW_KEYS.join(', ')}`);
    return rules;
  });
}

function readWindowLimits(
  node: ConfigNode,
  scope: LimitScope,
  key: WindowKey,
  accountCurrency: CurrencyCode,
): LimitRule[] {
  const isRolling = key === 'rolling';
  const measures = key === 'perTransaction' ? ['amount'] : ['count', 'amount'];
  const fields = readMap(node, { required: isRolling ? ['days'] : [], optional: measures });
  const days = isRolling ? readDays(fields.get('days')!) : 0;
  const window = windowOf(key, days);
  const rules: LimitRule[] = [];
  if (fields.has('count')) {
    rules.push({
      name: `${scope.name}.${key}.count`,
      scope,
      window,
      measure: 'count',
      limit: BigInt(readCount(fields.get('count')!)),
    });
  }
  if (fields.has('amount')) {
    const amount = readAmount(fields.get('amount')!, accountCurrency);
    rules.push({
      name: `${scope.name}.${key}.amount`,
      scope,
      window,
      measure: 'amount',
      limit: amount.amountMinor,
    });
  }
  if (rules.length === 0) fail(node, `must set ${measures.join(' or ')}`);
  return rules;
}

// ---- loads --------------------------------------------------------------------------------

function readCountAmount(
  node: ConfigNode | undefined,
  accountCurrency: CurrencyCode,
): { count: number | null; amount: Money | null } {
  if (node === undefined) return { count: null, amount: null };
  const fields = readMap(node, { optional: ['count', 'amount'] });
  return {
    count: fields.has('count') ? readCount(fields.get('count')!) : null,
    amount: fields.has('amount') ? readAmount(fields.get('amount')!, accountCurrency) : null,
  };
}

function readLoads(node: ConfigNode, accountCurrency: CurrencyCode): LoadRules {
  const fields = readMap(node, {
    required: ['perLoad', 'maxBalance'],
    optional: ['firstLoad', 'minimumByCurrency', 'perDay', 'cardPerDay', 'perMonth', 'perYear'],
  });
  const perLoad = readMap(fields.get('perLoad')!, { required: ['min', 'max'] });
  const perDay = readCountAmount(fields.get('perDay'), accountCurrency);
  const cardPerDay = readCountAmount(fields.get('cardPerDay'), accountCurrency);
  const minimumByCurrency = new Map<CurrencyCode, Money>();
  if (fields.has('minimumByCurrency')) {
    for (const [code, amountNode] of readEntries(fields.get('minimumByCurrency')!)) {
      const currencyCode = currencyKey(amountNode, code);
      minimumByCurrency.set(currencyCode, readAmount(amountNode, currencyCode));
    }
  }
  return {
    firstLoad: fields.has('firstLoad') ? readFirstLoad(fields.get('firstLoad')!, accountCurrency) : null,
    perLoadMin: readAmount(perLoad.get('min')!, accountCurrency),
    perLoadMax: readAmount(perLoad.get('max')!, accountCurrency),
    minimumByCurrency,
    perDayCount: perDay.count,
    perDayAmount: perDay.amount,
    cardPerDayCount: cardPerDay.count,
    cardPerDayAmount: cardPerDay.amount,
    perMonthAmount: readCountAmount(fields.get('perMonth'), accountCurrency).amount,
    perYearAmount: readCountAmount(fields.get('perYear'), accountCurrency).amount,
    maxBalance: readAmount(fields.get('maxBalance')!, accountCurrency),
  };
}

function readFirstLoad(node: ConfigNode, accountCurrency: CurrencyCode): LoadRules['firstLoad'] {
  const fields = readMap(node, { required: ['min', 'max', 'methods'] });
  return {
    min: readAmount(fields.get('min')!, accountCurrency),
    max: readAmount(fields.get('max')!, accountCurrency),
    methods: readEnumList(fields.get('methods')!, LOAD_METHODS),
  };
}

// ---- fees ---------------------------------------------------------------------------------

function readFormula(node: ConfigNode, accountCurrency: CurrencyCode): FeeFormula {
  const fields = readMap(node, {
    optional: ['fixed', 'percent', 'min', 'max', 'freePerMonth', 'freeAmountPerMonth'],
  });
  if (!fields.has('fixed') && !fields.has('percent')) fail(node, 'must set fixed or percent');
  const optionalAmount = (key: string): Money | null =>
    fields.has(key) ? readAmount(fields.get(key)!, accountCurrency) : null;
  return {
    fixed: optionalAmount('fixed') ?? zero(accountCurrency),
    percent: fields.has('percent') ? readPercent(fields.get('percent')!) : new Decimal(0),
    min: optionalAmount('min'),
    max: optionalAmount('max'),
    freePerMonth: fields.has('freePerMonth') ? readCount(fields.get('freePerMonth')!) : null,
    freeAmountPerMonth: optionalAmount('freeAmountPerMonth'),
  };
}

function readFees(node: ConfigNode, accountCurrency: CurrencyCode): FeeSchedule {
  const fields = readMap(node, {
    required: ['fx'],
    optional: [
      'atmWithdrawal',
      'payment',
      'balanceInquiry',
      'pinChange',
      'declineInsufficientFunds',
      'chargeback',
      'cardCreation',
      'cardReplacement',
      'balanceRefund',
      'subscription',
      'accountManagement',
      'inactivity',
      'loads',
      'swap',
    ],
  });
  const formula = (key: string): FeeFormula | null =>
    fields.has(key) ? readFormula(fields.get(key)!, accountCurrency) : null;
  const fx = readMap(fields.get('fx')!, { required: ['percent'] });
  return {
    atmWithdrawal: fields.has('atmWithdrawal')
      ? readAtmFees(fields.get('atmWithdrawal')!, accountCurrency)
      : null,
    payment: fields.has('payment') ? readPaymentFees(fields.get('payment')!, accountCurrency) : null,
    fxPercent: readPercent(fx.get('percent')!),
    balanceInquiry: formula('balanceInquiry'),
    pinChange: formula('pinChange'),
    declineInsufficientFunds: formula('declineInsufficientFunds'),
    chargeback: formula('chargeback'),
    cardCreation: fields.has('cardCreation')
      ? readPhysicalVirtual(fields.get('cardCreation')!, accountCurrency)
      : null,
    cardReplacement: formula('cardReplacement'),
    balanceRefund: formula('balanceRefund'),
    subscription: fields.has('subscription')
      ? readSubscription(fields.get('subscription')!, accountCurrency)
      : null,
    accountManagement: fields.has('accountManagement')
      ? readAccountManagement(fields.get('accountManagement')!, accountCurrency)
      : null,
    inactivity: fields.has('inactivity') ? readInactivity(fields.get('inactivity')!, accountCurrency) : null,
    loads: fields.has('loads') ? readLoadFees(fields.get('loads')!, accountCurrency) : new Map(),
    swap: fields.has('swap') ? readSwap(fields.get('swap')!) : null,
  };
}

function readAtmFees(node: ConfigNode, accountCurrency: CurrencyCode): AtmFeeRules {
  const fields = readMap(node, {
    optional: ['accountCurrency', 'foreignCurrency', 'thresholdByCurrency', 'otherCurrencies'],
  });
  if (fields.has('thresholdByCurrency')) {
    if (fields.has('accountCurrency') || fields.has('foreignCurrency')) {
      fail(node, 'set either thresholdByCurrency or accountCurrency + foreignCurrency, not both');
    }
    if (!fields.has('otherCurrencies'))
      fail({ ...node, path: `${node.path}.otherCurrencies` }, 'is required with thresholdByCurrency');
    const table = new Map<CurrencyCode, ThresholdFee>();
    for (const [code, rowNode] of readEntries(fields.get('thresholdByCurrency')!)) {
      const currencyCode = currencyKey(rowNode, code);
      const row = readMap(rowNode, { required: ['below', 'fee'] });
      table.set(currencyCode, {
        currency: currencyCode,
        below: readAmount(row.get('below')!, currencyCode),
        fee: readAmount(row.get('fee')!, currencyCode),
      });
    }
    const other = readCurrency(fields.get('otherCurrencies')!);
    if (!table.has(other))
      fail(fields.get('otherCurrencies')!, `must be a currency of thresholdByCurrency, got ${other}`);
    return { kind: 'threshold-by-currency', table, otherCurrencies: other };
  }
  if (!fields.has('accountCurrency') || !fields.has('foreignCurrency'))
    fail(node, 'must set accountCurrency and foreignCurrency (or thresholdByCurrency)');
  return {
    kind: 'by-currency-class',
    accountCurrency: readFormula(fields.get('accountCurrency')!, accountCurrency),
    foreignCurrency: readFormula(fields.get('foreignCurrency')!, accountCurrency),
  };
}

function readPaymentFees(node: ConfigNode, accountCurrency: CurrencyCode): FeeSchedule['payment'] {
  const fields = readMap(node, { required: ['accountCurrency', 'foreignCurrency'] });
  return {
    accountCurrency: readFormula(fields.get('accountCurrency')!, accountCurrency),
    foreignCurrency: readFormula(fields.get('foreignCurrency')!, accountCurrency),
  };
}

function readPhysicalVirtual(
  node: ConfigNode,
  accountCurrency: CurrencyCode,
): { physical: Money; virtual: Money } {
  const fields = readMap(node, { required: ['physical', 'virtual'] });
  return {
    physical: readAmount(fields.get('physical')!, accountCurrency),
    virtual: readAmount(fields.get('virtual')!, accountCurrency),
  };
}

function readSubscription(
  node: ConfigNode,
  accountCurrency: CurrencyCode,
): { monthly: Money; yearly: Money } {
  const fields = readMap(node, { required: ['monthly', 'yearly'] });
  return {
    monthly: readAmount(fields.get('monthly')!, accountCurrency),
    yearly: readAmount(fields.get('yearly')!, accountCurrency),
  };
}

function readAccountManagement(
  node: ConfigNode,
  accountCurrency: CurrencyCode,
): FeeSchedule['accountManagement'] {
  const fields = readMap(node, { required: ['fixed', 'minTransactions', 'windowDays'] });
  return {
    fee: readAmount(fields.get('fixed')!, accountCurrency),
    minTransactions: readCount(fields.get('minTransactions')!),
    windowDays: readDays(fields.get('windowDays')!),
  };
}

function readInactivity(node: ConfigNode, accountCurrency: CurrencyCode): FeeSchedule['inactivity'] {
  const fields = readMap(node, { required: ['fixed', 'months'] });
  return { fee: readAmount(fields.get('fixed')!, accountCurrency), months: readDays(fields.get('months')!) };
}

function readLoadFees(node: ConfigNode, accountCurrency: CurrencyCode): Map<LoadMethod, FeeFormula> {
  const fees = new Map<LoadMethod, FeeFormula>();
  for (const [method, formulaNode] of readEntries(node)) {
    const known = LOAD_METHODS.find((candidate) => candidate === method);
    if (known === undefined) fail(formulaNode, `unknown load method (allowed: ${LOAD_METHODS.join(', ')})`);
    fees.set(known, readFormula(formulaNode, accountCurrency));
  }
  return fees;
}

function readSwap(node: ConfigNode): SwapRules {
  const fields = readMap(node, { required: ['options', 'maxVolatilitySurcharge', 'minimumByCurrency'] });
  const percentByOption = new Map<SwapOption, Decimal>();
  for (const [option, percentNode] of readEntries(fields.get('options')!)) {
    const known = SWAP_OPTIONS.find((candidate) => candidate === option);
    if (known === undefined) fail(percentNode, `unknown swap option (allowed: ${SWAP_OPTIONS.join(', ')})`);
    percentByOption.set(known, readPercent(percentNode));
  }
  const minimumByCurrency = new Map<CurrencyCode, Money>();
  for (const [code, amountNode] of readEntries(fields.get('minimumByCurrency')!)) {
    const currencyCode = currencyKey(amountNode, code);
    minimumByCurrency.set(currencyCode, readAmount(amountNode, currencyCode));
  }
  return {
    percentByOption,
    maxVolatilitySurchargePercent: readPercent(fields.get('maxVolatilitySurcharge')!),
    minimumByCurrency,
  };
}

// ---- holds, card forms, SCA ---------------------------------------------------------------

function readHolds(node: ConfigNode, groups: MerchantCategoryGroups): HoldRules {
  const fields = readMap(node, {
    required: ['preAuthorisationDays', 'defaultDays'],
    optional: ['byMerchantCategory'],
  });
  const overrides = fields.has('byMerchantCategory')
    ? readList(fields.get('byMerchantCategory')!).map((item) => {
        const override = readMap(item, { required: ['categories', 'days'] });
        return {
          categories: readCategoryList(override.get('categories')!, groups),
          days: readDays(override.get('days')!),
        };
      })
    : [];
  return {
    preAuthorisationDays: readDays(fields.get('preAuthorisationDays')!),
    defaultDays: readDays(fields.get('defaultDays')!),
    byMerchantCategory: overrides,
  };
}

function readCardForm(node: ConfigNode): CardFormRule {
  const fields = readMap(node, {
    required: ['channels', 'entryModes'],
    optional: ['deviceWalletRequiredFor'],
  });
  const entryModes = readEnumList(fields.get('entryModes')!, ENTRY_MODES);
  const deviceWalletRequiredFor = fields.has('deviceWalletRequiredFor')
    ? readEnumList(fields.get('deviceWalletRequiredFor')!, ENTRY_MODES)
    : [];
  for (const mode of deviceWalletRequiredFor) {
    if (!entryModes.includes(mode))
      fail(fields.get('deviceWalletRequiredFor')!, `${mode} is not in entryModes`);
  }
  return { channels: readEnumList(fields.get('channels')!, CHANNELS), entryModes, deviceWalletRequiredFor };
}

function readCardForms(node: ConfigNode): CardFormRules {
  const fields = readMap(node, { required: ['physical'], optional: ['virtual'] });
  return {
    physical: readCardForm(fields.get('physical')!),
    virtual: fields.has('virtual') ? readCardForm(fields.get('virtual')!) : null,
  };
}

function readSca(node: ConfigNode, accountCurrency: CurrencyCode): ScaRules {
  const fields = readMap(node, {
    required: ['exemptionMaxAmount', 'exemptionMaxCount', 'exemptionMaxTotal'],
  });
  return {
    exemptionMaxAmount: readAmount(fields.get('exemptionMaxAmount')!, accountCurrency),
    exemptionMaxCount: readCount(fields.get('exemptionMaxCount')!),
    exemptionMaxTotal: readAmount(fields.get('exemptionMaxTotal')!, accountCurrency),
  };
}
