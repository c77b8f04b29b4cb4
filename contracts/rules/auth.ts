/**
 * The sign-in and registration rules, shared by the widgets and the server (which stays the
 * authority): a tenant's password policy, logins, codes. Each validator returns an error code
 * shown through `errors:<code>`.
 */
import { login, required, rule, type LoginKind, type Rule, type Validator } from './validators.ts';

/** A tenant's password rule (`registration.password` of its public configuration). */
export interface PasswordPolicy {
  minLength: number;
  maxLength: number;
  /** Regular expression source the whole password must match. */
  pattern: string;
  /** i18n key describing the rule to the user. */
  ruleKey: string;
}

/** No password policy may allow more (scrypt work is bounded by it). */
export const PASSWORD_MAX_LENGTH = 128;
export const CODE_LENGTH = 6;
export const FULL_NAME_MAX_LENGTH = 200;

/**
 * The tenant's policy as a whole: any miss (length or characters) is the policy's own error,
 * `password_<ruleKey>`, whose text names the rule, e.g. "5 to 10 Latin letters and digits".
 */
export const passwordPolicy: Validator<{ policy: PasswordPolicy }> = {
  name: 'passwordPolicy',
  execute(value, { policy }) {
    if (value === '') return null;
    const length = [...value].length;
    const fits =
      length >= policy.minLength &&
      length <= Math.min(policy.maxLength, PASSWORD_MAX_LENGTH) &&
      new RegExp(`^(?:${policy.pattern})$`, 'u').test(value);
    return fits ? null : `password_${policy.ruleKey}`;
  },
  messageParams: ({ policy }) => ({ min: policy.minLength, max: policy.maxLength }),
};

/** A password equal to the login is refused whatever the policy says. */
export const notTheLogin: Validator<{ login: string }> = {
  name: 'notTheLogin',
  execute: (value, params) =>
    value !== '' && value.toLowerCase() === params.login.trim().toLowerCase() ? 'password_same_as_login' : null,
};

export const verificationCode: Validator = {
  name: 'verificationCode',
  execute: (value) => (value === '' || new RegExp(`^\\d{${CODE_LENGTH}}$`).test(value.trim()) ? null : 'code_format'),
};

export function passwordRules(policy: PasswordPolicy, forLogin = ''): Rule[] {
  return [rule(required), rule(passwordPolicy, { policy }), rule(notTheLogin, { login: forLogin })];
}

export function loginRules(kinds: readonly LoginKind[]): Rule[] {
  return [rule(required), rule(login, { kinds })];
}

export function codeRules(): Rule[] {
  return [rule(required), rule(verificationCode)];
}
