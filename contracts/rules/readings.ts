/**
 * Meter reading values, shared by the widgets (through the SDK) and the server. Values travel as
 * decimal strings with the meter's decimals ("12345" or "12345.678") and are compared as integer
 * thousandths of a unit, so no floating-point drift ever decides a rule.
 */
import { MILLI_PER_UNIT } from './reading-values.ts';
import type { Validator } from './validators.ts';

export { formatReading, MILLI_PER_UNIT } from './reading-values.ts';

/** How a meter's dial reads: `digits` before the decimal point (its capacity), `decimals` after (0 or 3). */
export interface MeterScale {
  digits: number;
  decimals: number;
}

const NUMBER = /^(\d+)(?:[.,](\d+))?$/;
const NEGATIVE = /^-\s*\d/;

export type ParsedReading = { ok: true; milli: number } | { ok: false; code: string; params: Record<string, unknown> };

/**
 * Parses a reading as typed by a person or sent by an integrator: digits with an optional
 * decimal part after `.` or `,`. Returns the value in thousandths, or the error code.
 */
export function parseReading(input: string | number, scale: MeterScale): ParsedReading {
  const text = String(input).trim();
  if (NEGATIVE.test(text)) return { ok: false, code: 'reading_negative', params: {} };
  const match = NUMBER.exec(text);
  if (!match) return { ok: false, code: 'reading_not_a_number', params: {} };
  const whole = match[1]!.replace(/^0+(?=\d)/, '');
  const fraction = (match[2] ?? '').replace(/0+$/, '');
  if (whole.length > scale.digits) return { ok: false, code: 'reading_too_many_digits', params: { digits: scale.digits } };
  if (fraction && scale.decimals === 0) return { ok: false, code: 'reading_decimals_not_allowed', params: {} };
  if (fraction.length > scale.decimals) {
    return { ok: false, code: 'reading_too_many_decimals', params: { decimals: scale.decimals } };
  }
  return { ok: true, milli: Number(whole) * MILLI_PER_UNIT + Number(fraction.padEnd(3, '0')) };
}

/** The value a meter shows after `milli` when its dial has `digits` places: 10^digits units. */
export function meterCapacity(digits: number): number {
  return 10 ** digits * MILLI_PER_UNIT;
}

/** A meter reading in the meter's notation (see `parseReading`); empty passes, combine with `required`. */
export const meterReading: Validator<MeterScale> = {
  name: 'meterReading',
  execute(value, scale) {
    if (value.trim() === '') return null;
    const parsed = parseReading(value, scale);
    return parsed.ok ? null : parsed.code;
  },
  messageParams: ({ digits, decimals }) => ({ digits, decimals }),
};
