import { expect } from 'chai';
import {
  cardExpiry,
  email,
  formatCardExpiry,
  login,
  maxLength,
  minLength,
  pattern,
  phone,
  pickLocale,
  required,
  rule,
  sameAs,
  validate,
} from '../../sdk/index.ts';

describe('shared validators', () => {
  it('takes a card expiry typed as digits and writes it as on the card', () => {
    const now = new Date(2026, 2, 16);
    expect(formatCardExpiry('1130')).to.equal('11/30');
    expect(formatCardExpiry('112030')).to.equal('11/2030');
    expect(formatCardExpiry('11/30')).to.equal('11/30');
    expect(formatCardExpiry('113')).to.equal('113');
    expect(cardExpiry.execute('1130', { now })).to.equal(null);
    expect(cardExpiry.execute('1325', { now })).to.equal('card_expiry_invalid');
    expect(cardExpiry.execute('0226', { now })).to.equal('card_expired');
  });

  it('requires a value that is not only spaces', () => {
    expect(required.execute('  ', undefined)).to.equal('required');
    expect(required.execute('a', undefined)).to.equal(null);
  });

  it('accepts an email with a domain and rejects one without', () => {
    expect(email.execute('ivanov@mail.ru', undefined)).to.equal(null);
    expect(email.execute('ivanov@mail', undefined)).to.equal('invalid_email');
    expect(email.execute('iva nov@mail.ru', undefined)).to.equal('invalid_email');
  });

  it('accepts Russian and international phone notations and rejects short numbers', () => {
    expect(phone.execute('+7 (912) 345-67-89', undefined)).to.equal(null);
    expect(phone.execute('8 912 345 67 89', undefined)).to.equal(null);
    expect(phone.execute('345-67-89', undefined)).to.equal('invalid_phone');
    expect(phone.execute('+7 912 abc 67 89', undefined)).to.equal('invalid_phone');
  });

  it('checks a login against the login kinds the tenant allows', () => {
    expect(login.execute('ivanov@mail.ru', { kinds: ['email', 'phone'] })).to.equal(null);
    expect(login.execute('+79123456789', { kinds: ['email', 'phone'] })).to.equal(null);
    expect(login.execute('+79123456789', { kinds: ['email'] })).to.equal('invalid_email');
    expect(login.execute('12', { kinds: ['email', 'phone'] })).to.equal('invalid_phone');
  });

  it('matches a pattern against the whole value, like the HTML pattern attribute', () => {
    const accountNumber = { pattern: '\\d{1,10}' };
    expect(pattern.execute('1234567890', accountNumber)).to.equal(null);
    expect(pattern.execute('12345678901', accountNumber)).to.equal('invalid_format');
    expect(pattern.execute('12a', accountNumber)).to.equal('invalid_format');
  });

  it('counts characters, not UTF-16 units, for length limits', () => {
    expect(minLength.execute('пароль', { min: 5 })).to.equal(null);
    expect(minLength.execute('abcd', { min: 5 })).to.equal('too_short');
    expect(maxLength.execute('😀😀😀😀😀', { max: 5 })).to.equal(null);
    expect(maxLength.execute('abcdef', { max: 5 })).to.equal('too_long');
  });

  it('leaves empty values to required', () => {
    for (const check of [
      email.execute('', undefined),
      phone.execute('', undefined),
      minLength.execute('', { min: 5 }),
      pattern.execute('', { pattern: '\\d+' }),
    ]) {
      expect(check).to.equal(null);
    }
  });

  it('returns the first failing rule with the values its message may show', () => {
    const rules = [rule(required), rule(minLength, { min: 5 }), rule(maxLength, { max: 10 })];
    expect(validate('', rules)).to.deep.equal({ code: 'required', params: {} });
    expect(validate('abc', rules)).to.deep.equal({ code: 'too_short', params: { min: 5 } });
    expect(validate('abcdef', rules)).to.equal(null);
  });

  it('never exposes the compared password in message values', () => {
    expect(validate('secret1', [rule(sameAs, { other: 'secret2' })])).to.deep.equal({ code: 'mismatch', params: {} });
  });
});

describe('pickLocale', () => {
  it('prefers an exact match, then the base language, then the fallback', () => {
    expect(pickLocale('en', ['ru', 'en'], 'ru')).to.equal('en');
    expect(pickLocale('en-US', ['ru', 'en'], 'ru')).to.equal('en');
    expect(pickLocale('de', ['ru', 'en'], 'ru')).to.equal('ru');
  });
});
