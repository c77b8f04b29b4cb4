import { ValidationError } from '../http/errors.ts';
import { claimAttempt, clearKey } from '../http/limits.ts';
import type { SubscriberDoc } from '../subscribers/model.ts';
import { verifyPassword } from './passwords.ts';
import { authPolicy } from './policy.ts';

/** Wrong passwords of one login (existing or not) are counted under this key. */
export function failureKey(realm: string, login: string): string {
  return `fail:${realm}:${login}`;
}

/**
 * Checks the person's current password where an action needs it again (change password, delete
 * the cabinet) under the same lockout as sign-in: the try is counted before the password is
 * checked, and forgotten when it was right.
 */
export async function checkCurrentPassword(
  sub: Pick<SubscriberDoc, 'realm' | 'login' | 'passwordHash'>,
  password: string,
  field: string,
): Promise<void> {
  const failKey = failureKey(sub.realm, sub.login);
  await claimAttempt(failKey, authPolicy().lockout, 'login_locked');
  if (!(await verifyPassword(password, sub.passwordHash))) {
    throw new ValidationError({ [field]: { code: 'current_password_wrong' } });
  }
  await clearKey(failKey);
}
