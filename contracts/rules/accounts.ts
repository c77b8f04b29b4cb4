/** The account number and PIN rules, shared by the widgets (through the SDK) and the server. */
import type { Validator } from './validators.ts';

const PIN = /^\d{4,8}$/;

/** Spaces around a typed account number are not part of it. */
export function normalizeAccountNumber(value: string): string {
  return value.trim();
}

/**
 * An account number under the supplier's rule (`accounts.numberPattern` of the config, e.g.
 * `^\d{1,10}$`), which the whole number must match; surrounding spaces are ignored.
 */
export const accountNumber: Validator<{ pattern: string }> = {
  name: 'accountNumber',
  execute(value, { pattern }) {
    const number = normalizeAccountNumber(value);
    if (number === '') return null;
    return new RegExp(`^(?:${pattern})$`).test(number) ? null : 'account_number_format';
  },
};

/** The PIN printed on the bill: 4 to 8 digits. */
export const accountPin: Validator = {
  name: 'accountPin',
  execute(value) {
    const pin = value.trim();
    return pin === '' || PIN.test(pin) ? null : 'pin_format';
  },
};
