import { specCatalogue } from '../shared/spec-catalogue';
import { parseOpenAccount } from './open-account.command';

const programs = specCatalogue().programs;
const valid = { program: 'eur-premium', holder: { name: '  Ada Lovelace ', email: 'ada@example.org' } };

describe('open account body', () => {
  it('parses a valid body, trims the name and defaults the billing period of a subscription program', () => {
    const parsed = parseOpenAccount(valid, programs);
    expect(
      parsed.ok && {
        program: parsed.value.program.id,
        name: parsed.value.holderName,
        billing: parsed.value.billing,
      },
    ).toEqual({ program: 'eur-premium', name: 'Ada Lovelace', billing: 'monthly' });
    const yearly = parseOpenAccount({ ...valid, billing: 'yearly' }, programs);
    expect(yearly.ok && yearly.value.billing).toBe('yearly');
    const travel = parseOpenAccount({ ...valid, program: 'travel-multicurrency' }, programs);
    expect(travel.ok && travel.value.billing).toBe('none');
  });

  it.each([
    [null, 'body', 'must be a JSON object'],
    [[], 'body', 'must be a JSON object'],
    [{ ...valid, extra: 1 }, 'extra', 'unknown field'],
    [{ holder: valid.holder }, 'program', 'is required'],
    [{ ...valid, program: 7 }, 'program', 'must be a string'],
    [
      { ...valid, program: 'gold' },
      'program',
      'unknown program "gold" (known: eur-premium, eur-standard, travel-multicurrency)',
    ],
    [{ program: 'eur-standard' }, 'holder', 'is required'],
    [{ ...valid, holder: 'ada' }, 'holder', 'must be a JSON object'],
    [{ ...valid, holder: { email: 'a@b.fr' } }, 'holder.name', 'is required'],
    [{ ...valid, holder: { name: '   ', email: 'a@b.fr' } }, 'holder.name', 'must not be empty'],
    [
      { ...valid, holder: { name: 'x'.repeat(141), email: 'a@b.fr' } },
      'holder.name',
      'must have at most 140 characters',
    ],
    [
      { ...valid, holder: { name: 'a\u0007b', email: 'a@b.fr' } },
      'holder.name',
      'must not contain control characters',
    ],
    [
      { ...valid, holder: { name: 'Ada', email: 'ada.example.org' } },
      'holder.email',
      'must be an e-mail address',
    ],
    [
      { ...valid, holder: { name: 'Ada', email: 'ada@localhost' } },
      'holder.email',
      'must be an e-mail address',
    ],
    [{ ...valid, holder: { name: 'Ada', email: 'a@b.fr', phone: '1' } }, 'holder.phone', 'unknown field'],
    [{ ...valid, billing: 'weekly' }, 'billing', 'must be one of monthly, yearly'],
    [
      { ...valid, program: 'travel-multicurrency', billing: 'monthly' },
      'billing',
      'program travel-multicurrency has no subscription: leave billing out',
    ],
  ])('refuses %j naming %s', (body, field, reason) => {
    expect(parseOpenAccount(body, programs)).toEqual({ ok: false, error: { field, reason } });
  });
});
