/**
 * Small named validators shared by the widgets (through the SDK) and the server. Each returns an
 * error code (shown through the i18n key `errors:<code>`) or `null`. Except
 * `required`, every validator accepts an empty value, so optional fields stay
 * optional; combine with `required` where a value is mandatory.
 */
/** A login is an email address or a phone number. */
export type LoginKind = 'email' | 'phone';

export interface Validator<P extends object | undefined = undefined> {
  readonly name: string;
  execute(value: string, params: P): string | null;
  /** Values the error message may interpolate; none unless declared. */
  messageParams?(params: P): Record<string, unknown>;
}

const isEmpty = (value: string): boolean => value.trim() === '';
const length = (value: string): number => [...value].length;
const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;
/** Characters nobody sees: controls, format characters (zero-width spaces and joiners, bidi controls, soft hyphen) and Hangul fillers. */
const INVISIBLE = /[\p{Cc}\p{Cf}\u115F\u1160\u3164\uFFA0]/u;
/** Alphabets whose letters look alike: a label mixing them is a lookalike of another address. */
const LOOKALIKE_SCRIPTS = [/\p{Script=Latin}/u, /\p{Script=Cyrillic}/u, /\p{Script=Greek}/u];
const PHONE_SEPARATORS = /[\s().-]/g;
const PHONE = /^\+?[1-9]\d{9,14}$/;

export const required: Validator = {
  name: 'required',
  execute: (value) => (isEmpty(value) ? 'required' : null),
};

/**
 * An email address; one with invisible characters, or with a part (between `@` and dots) that
 * mixes Latin, Cyrillic or Greek letters (a Cyrillic "е" in a Latin domain), is refused with a
 * code of its own: such an address is a lookalike of another, not a typo.
 */
export const email: Validator = {
  name: 'email',
  execute(value) {
    if (isEmpty(value)) return null;
    const address = value.trim();
    if (INVISIBLE.test(address)) return 'email_invisible_characters';
    if (address.length > 254 || !EMAIL.test(address)) return 'invalid_email';
    const mixed = address.split(/[@.]/).some((part) => LOOKALIKE_SCRIPTS.filter((script) => script.test(part)).length > 1);
    return mixed ? 'email_mixed_scripts' : null;
  },
};

/**
 * 10–15 digits with an optional leading `+`, spaces, dots, dashes and brackets
 * ignored. The server normalises to E.164 (libphonenumber-js) and stays the
 * authority; this check keeps the metadata out of the widget bundles.
 */
export const phone: Validator = {
  name: 'phone',
  execute: (value) => (isEmpty(value) || PHONE.test(value.replace(PHONE_SEPARATORS, '')) ? null : 'invalid_phone'),
};

/** A login is an email when it contains `@`, a phone number otherwise. */
export const login: Validator<{ kinds: readonly LoginKind[] }> = {
  name: 'login',
  execute(value, { kinds }) {
    if (isEmpty(value)) return null;
    const kind: LoginKind = value.includes('@') ? 'email' : 'phone';
    if (!kinds.includes(kind)) return kinds.length === 1 ? `invalid_${kinds[0]}` : 'invalid_login';
    return kind === 'email' ? email.execute(value, undefined) : phone.execute(value, undefined);
  },
};

/** The whole value must match, as with the HTML `pattern` attribute. */
export const pattern: Validator<{ pattern: string | RegExp }> = {
  name: 'pattern',
  execute(value, params) {
    if (isEmpty(value)) return null;
    const source = typeof params.pattern === 'string' ? params.pattern : params.pattern.source;
    return new RegExp(`^(?:${source})$`, 'u').test(value) ? null : 'invalid_format';
  },
};

/** Counts characters (code points), not UTF-16 units. */
export const minLength: Validator<{ min: number }> = {
  name: 'minLength',
  execute: (value, { min }) => (isEmpty(value) || length(value) >= min ? null : 'too_short'),
  messageParams: ({ min }) => ({ min }),
};

export const maxLength: Validator<{ max: number }> = {
  name: 'maxLength',
  execute: (value, { max }) => (length(value) <= max ? null : 'too_long'),
  messageParams: ({ max }) => ({ max }),
};

/** For "repeat the password": the value must equal `other`. */
export const sameAs: Validator<{ other: string }> = {
  name: 'sameAs',
  execute: (value, { other }) => (isEmpty(value) || value === other ? null : 'mismatch'),
};

/** A validator bound to its parameters. */
export interface Rule {
  readonly name: string;
  /** Interpolation values for the error message (`{{min}}`, `{{max}}`). */
  readonly params: Record<string, unknown>;
  check(value: string): string | null;
}

export interface ValidationFailure {
  code: string;
  params: Record<string, unknown>;
}

export function rule(validator: Validator): Rule;
export function rule<P extends object>(validator: Validator<P>, params: P): Rule;
export function rule<P extends object | undefined>(validator: Validator<P>, params?: P): Rule {
  return {
    name: validator.name,
    params: validator.messageParams?.(params as P) ?? {},
    check: (value) => validator.execute(value, params as P),
  };
}

/** Runs the rules in order and returns the first failure. */
export function validate(value: string, rules: readonly Rule[]): ValidationFailure | null {
  for (const r of rules) {
    const code = r.check(value);
    if (code) return { code, params: r.params };
  }
  return null;
}
