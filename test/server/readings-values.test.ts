import { expect } from 'chai';
import { formatReading, meterReading, parseReading, rule, validate } from '../../sdk/index.ts';

const integer = { digits: 5, decimals: 0 };
const decimal = { digits: 5, decimals: 3 };

describe('readings: values in the meter’s notation (shared by widget and server)', () => {
  it('reads digits with a decimal point or comma as exact thousandths', () => {
    expect(parseReading('12345', integer)).to.deep.equal({ ok: true, milli: 12_345_000 });
    expect(parseReading(' 00123 ', integer)).to.deep.equal({ ok: true, milli: 123_000 });
    expect(parseReading('12345,678', decimal)).to.deep.equal({ ok: true, milli: 12_345_678 });
    expect(parseReading('0.1', decimal)).to.deep.equal({ ok: true, milli: 100 });
    expect(parseReading(99999.999, decimal)).to.deep.equal({ ok: true, milli: 99_999_999 });
    expect(parseReading('12.000', integer)).to.deep.equal({ ok: true, milli: 12_000 });
  });

  it('refuses negative, non-numeric, too long and over-precise values with their codes', () => {
    expect(parseReading('-5', integer)).to.include({ ok: false, code: 'reading_negative' });
    expect(parseReading(-0.5, decimal)).to.include({ ok: false, code: 'reading_negative' });
    expect(parseReading('12a', integer)).to.include({ ok: false, code: 'reading_not_a_number' });
    expect(parseReading('1e5', integer)).to.include({ ok: false, code: 'reading_not_a_number' });
    expect(parseReading('', integer)).to.include({ ok: false, code: 'reading_not_a_number' });
    expect(parseReading('123456', integer)).to.deep.equal({ ok: false, code: 'reading_too_many_digits', params: { digits: 5 } });
    expect(parseReading('12.5', integer)).to.include({ ok: false, code: 'reading_decimals_not_allowed' });
    expect(parseReading('1.2345', decimal)).to.deep.equal({
      ok: false,
      code: 'reading_too_many_decimals',
      params: { decimals: 3 },
    });
  });

  it('writes thousandths back in the meter’s notation', () => {
    expect(formatReading(12_345_000, 0)).to.equal('12345');
    expect(formatReading(12_345_078, 3)).to.equal('12345.078');
    expect(formatReading(0, 3)).to.equal('0.000');
  });

  it('validates a typed value as a named validator with the meter’s digits for the message', () => {
    expect(meterReading.execute('', integer)).to.equal(null);
    expect(validate('123456', [rule(meterReading, integer)])).to.deep.equal({
      code: 'reading_too_many_digits',
      params: { digits: 5, decimals: 0 },
    });
  });
});
