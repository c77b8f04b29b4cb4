/** Money, card and month rules, shared by the widgets (through the SDK) and the server. Money is in kopecks. */
import type { Validator } from './validators.ts';

const isEmpty = (value: string): boolean => value.trim() === '';

/** Spaces and dashes people type between digit groups removed. */
export function digitsOnly(value: string): string {
  return value.replace(/[\s-]/g, '');
}

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** 12–19 digits passing the Luhn check. */
export const cardNumber: Validator = {
  name: 'cardNumber',
  execute(value) {
    if (isEmpty(value)) return null;
    const digits = digitsOnly(value);
    return /^\d{12,19}$/.test(digits) && luhn(digits) ? null : 'card_number_invalid';
  },
};

const EXPIRY = /^\s*(\d{1,2})\s*\/\s*(\d{2}|\d{4})\s*$/;

/** A card's expiry typed as digits alone, `1130` or `112030`, written as on the card: `11/30`, `11/2030`; anything else as typed. */
export function formatCardExpiry(value: string): string {
  const digits = /^\s*(\d{2})(\d{2}|\d{4})\s*$/.exec(value);
  return digits ? `${digits[1]}/${digits[2]}` : value;
}

/** `MM/YY` (or `MM/YYYY`, or those digits without the slash), not before the current month. */
export const cardExpiry: Validator<{ now: Date }> = {
  name: 'cardExpiry',
  execute(value, { now }) {
    if (isEmpty(value)) return null;
    const m = EXPIRY.exec(formatCardExpiry(value));
    if (!m) return 'card_expiry_invalid';
    const month = Number(m[1]);
    const year = m[2]!.length === 2 ? 2000 + Number(m[2]) : Number(m[2]);
    if (month < 1 || month > 12) return 'card_expiry_invalid';
    return year * 12 + month < now.getFullYear() * 12 + now.getMonth() + 1 ? 'card_expired' : null;
  },
};

export const cardCvc: Validator = {
  name: 'cardCvc',
  execute: (value) => (isEmpty(value) || /^\d{3,4}$/.test(value.trim()) ? null : 'card_cvc_invalid'),
};

const RUBLES = /^(\d{1,12})(?:[.,](\d{1,2}))?$/;

/** A rouble amount as typed ("1 500", "1500,5", "1500.50") in kopecks; `null` when it is not one. */
export function parseRubles(value: string): number | null {
  const m = RUBLES.exec(value.replace(/[\s\u00a0]/g, ''));
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}

/** Kopecks as an editable rouble amount: `1500.5` → "1500,50" in Russian, "1500.50" otherwise. */
export function formatRublesInput(kopecks: number, locale: string): string {
  const text = `${Math.floor(kopecks / 100)}.${String(kopecks % 100).padStart(2, '0')}`;
  return locale.startsWith('ru') ? text.replace('.', ',') : text;
}

/** A non-negative rouble amount with at most two decimals. */
export const rubles: Validator = {
  name: 'rubles',
  execute: (value) => (isEmpty(value) || parseRubles(value) !== null ? null : 'amount_invalid'),
};

/** The tenant's limits on one payment's total, in kopecks. */
export interface PaymentLimits {
  minAmount: number;
  maxAmount: number;
}

/** The rule on a payment's total: not zero, within the tenant's limits. Returns the error code or null. */
export function checkPaymentTotal(total: number, { minAmount, maxAmount }: PaymentLimits): string | null {
  if (total <= 0) return 'payment_total_zero';
  if (total < minAmount) return 'payment_below_min';
  if (total > maxAmount) return 'payment_above_max';
  return null;
}

export { periodOfDate, shiftPeriod } from './periods.ts';
