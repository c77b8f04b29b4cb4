import type { LimitRule, LockoutRule } from '../http/limits.ts';
import { configureCaptcha } from './captcha.ts';

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

interface AuthRuntime {
  policy: AuthPolicy;
}

export const auth: AuthRuntime = { policy: DEFAULT_AUTH_POLICY };

/**
 * Start-up passes the config (CAPTCHA_HMAC_KEY); tests patch the policy (tighter or looser
 * limits). `policy` patches the defaults, not the previous patch.
 */
export function configureAuth(options: { captchaHmacKey?: string; policy?: DeepPartial<AuthPolicy> }): void {
  if (options.captchaHmacKey !== undefined) configureCaptcha({ hmacKey: options.captchaHmacKey });
  if (options.policy) auth.policy = merge(DEFAULT_AUTH_POLICY, options.policy);
}
