import { appContext } from '../app-context.ts';
import type { LimitRule, LockoutRule } from '../http/limits.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * The security knobs of the auth flows. Deployment-wide (the per-tenant ones — flow, password
 * policy, captcha, link and code lifetimes — are in the tenant's `registration`).
 */
export interface AuthPolicy {
  /** Requests per client IP, per login and per tenant, for each public action. */
  limits: {
    register: { ip: LimitRule; login: LimitRule; tenant: LimitRule };
    login: { ip: LimitRule };
    confirm: { ip: LimitRule };
    forgot: { ip: LimitRule; login: LimitRule };
    resend: { ip: LimitRule; login: LimitRule };
  };
  /** Wrong passwords per login before the progressive delay starts. */
  lockout: LockoutRule;
  /** Wrong entries of one code before it is void. */
  codeAttempts: number;
  /** Minimum wait between two sends of a link or code to one login. */
  resendCooldownMs: number;
  /** How long a password reset link works. */
  resetLinkTtlMs: number;
  /** Register, forgot and resend answer no faster than this, whichever branch they took. */
  responseFloorMs: number;
}

export const DEFAULT_AUTH_POLICY: AuthPolicy = {
  limits: {
    register: {
      ip: { points: 10, windowMs: 10 * MINUTE },
      login: { points: 5, windowMs: HOUR },
      tenant: { points: 1000, windowMs: HOUR },
    },
    // Sign-in's address key is never cleared: its window skips the epoch lookup.
    login: { ip: { points: 50, windowMs: 10 * MINUTE, neverCleared: true } },
    confirm: { ip: { points: 30, windowMs: 10 * MINUTE } },
    forgot: { ip: { points: 10, windowMs: 10 * MINUTE }, login: { points: 5, windowMs: HOUR } },
    resend: { ip: { points: 10, windowMs: 10 * MINUTE }, login: { points: 5, windowMs: HOUR } },
  },
  lockout: { threshold: 5, windowMs: HOUR, baseDelayMs: 30_000, maxDelayMs: 30 * MINUTE },
  codeAttempts: 5,
  resendCooldownMs: MINUTE,
  resetLinkTtlMs: HOUR,
  responseFloorMs: 250,
};

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

function merge<T extends object>(base: T, patch: DeepPartial<T>): T {
  const out = { ...base } as Record<string, unknown>;
  for (const [k, v] of Object.entries(patch)) {
    const current = out[k];
    out[k] = v && typeof v === 'object' && current && typeof current === 'object' ? merge(current as object, v as object) : v;
  }
  return out as T;
}

/** The auth module's settings of one app (`AppContext.auth`). */
export class AuthSettings {
  policy: AuthPolicy = DEFAULT_AUTH_POLICY;

  /** Tests patch the policy (tighter or looser limits): the patch applies to the defaults, not to the previous patch. */
  setPolicy(patch: DeepPartial<AuthPolicy>): void {
    this.policy = merge(DEFAULT_AUTH_POLICY, patch);
  }
}

/** The auth policy of the running app. */
export function authPolicy(): AuthPolicy {
  return appContext().auth.policy;
}
