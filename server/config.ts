import { isIP } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

const bool = z.enum(['1', '0', 'true', 'false', 'yes', 'no']).transform((v) => v === '1' || v === 'true' || v === 'yes');

/** The names Express (proxy-addr) knows for groups of addresses. */
const PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

function isSubnet(entry: string): boolean {
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (!family || rest.length) return false;
  if (prefix === undefined) return true;
  if (/^\d{1,3}$/.test(prefix)) return Number(prefix) <= (family === 4 ? 32 : 128);
  return family === 4 && isIP(prefix) === 4;
}

export type TrustProxy = boolean | number | string[];

/**
 * `TRUST_PROXY` in the forms Express documents for `trust proxy`: a hop count (`1`: the address
 * the nearest proxy saw), `true`/`false`, or a comma-separated list of the proxies' addresses,
 * subnets (`10.0.0.0/8`, `10.0.0.0/255.0.0.0`) and names (`loopback`, `linklocal`, `uniquelocal`).
 * Express reads a bare string as an address, so the count and the booleans are converted here.
 */
const TrustProxyVar = z
  .string()
  .trim()
  .transform((v, ctx): TrustProxy => {
    if (v === 'true' || v === 'false') return v === 'true';
    if (/^\d{1,2}$/.test(v)) return Number(v);
    const entries = v.split(',').map((e) => e.trim());
    const bad = entries.filter((e) => !PROXY_NAMES.includes(e) && !isSubnet(e));
    if (bad.length) {
      ctx.addIssue({
        code: 'custom',
        message: `${bad.map((e) => `"${e}"`).join(', ')} is not a hop count, true/false, an address, a subnet or one of ${PROXY_NAMES.join(', ')}`,
      });
      return z.NEVER;
    }
    return entries;
  });

const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).optional(),
  PUBLIC_URL: z
    .string()
    .refine((v) => {
      const u = URL.canParse(v) ? new URL(v) : undefined;
      return !!u && /^https?:$/.test(u.protocol) && !u.search && !u.hash && !u.username && !u.password;
    }, 'must be an http(s) address without query, fragment or credentials: every link in mail starts with it')
    .optional(),
  GASKIT_DEMO: bool.optional(),
  MONGODB_URI: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, 'must be a mongodb:// or mongodb+srv:// URI')
    .optional(),
  GASKIT_DATA_DIR: z.string().default('./data'),
  GASKIT_CACHE_DIR: z.string().default(path.join(os.homedir(), '.cache', 'gaskit')),
  GASKIT_DB_SYNC: z.enum(['normal', 'full']).default('normal'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TRUST_PROXY: TrustProxyVar.optional(),
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  GASKIT_EMBEDDED_DB: bool.optional(),
  STRIPE_SECRET_KEY: z
    .string()
    .regex(/^(sk|rk)_(test|live)_\w+$/, 'must be a Stripe secret key (sk_… or rk_…)')
    .optional(),
  STRIPE_PUBLISHABLE_KEY: z
    .string()
    .regex(/^pk_(test|live)_\w+$/, 'must be a Stripe publishable key (pk_…)')
    .optional(),
  STRIPE_WEBHOOK_SECRET: z
    .string()
    .regex(/^whsec_\w+$/, 'must be a Stripe webhook signing secret (whsec_…)')
    .optional(),
  STRIPE_API_BASE: z.url().optional(),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL')
    .optional(),
  SMTP_MAX_CONNECTIONS: z.coerce.number().int().min(1).max(100).default(5),
  SMTP_MAX_MESSAGES: z.coerce.number().int().min(1).default(100),
  GASKIT_LEASE_MS: z.coerce.number().int().min(1000).default(120_000),
  MAIL_FROM: z.email('must be an email address').default('no-reply@gaskit.localhost'),
  SMS_GATEWAY_URL: z.url().optional(),
  SMS_GATEWAY_TOKEN: z.string().optional(),
  CAPTCHA_HMAC_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
  GASKIT_INBOUND_DOMAIN: z
    .string()
    .regex(/^[a-z0-9.-]+\.[a-z0-9-]+$|^localhost$/i, 'must be a mail domain, e.g. reply.lk.example.ru')
    .optional(),
  GASKIT_FEEDBACK_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  GASKIT_INBOUND_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
});

type Env = z.infer<typeof EnvSchema>;

const DEV_SECRET = 'gaskit-development-only-secret';

export type Config = {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  publicUrl: string | undefined;
  demo: boolean;
  mongodbUri: string | undefined;
  dataDir: string;
  cacheDir: string;
  /** The embedded database's SQLite synchronous mode (see `startEmbeddedDb`). */
  dbSync: 'normal' | 'full';
  logLevel: Env['LOG_LEVEL'];
  trustProxy: TrustProxy | undefined;
  /** Bearer token of `/metrics`; without it `/metrics` answers loopback clients in demo mode only. */
  metricsToken: string | undefined;
  /** Stripe Connect platform keys; `apiBase` points the server at another API host (stripe-mock in tests). */
  stripe: { secretKey?: string; publishableKey?: string; webhookSecret?: string; apiBase?: string };
  /** Outgoing mail; without it demo mode starts the dev mailbox. */
  smtpUrl: string | undefined;
  /** The one pooled SMTP transport of an instance; `maxConnections` also bounds its outbox deliveries at a time. */
  smtpPool: { maxConnections: number; maxMessages: number };
  /** How long a claim (an outbox attempt, a job's run) holds before another instance may take it over. */
  leaseMs: number;
  mailFrom: string;
  smsGateway: { url: string; token: string | undefined } | undefined;
  /** Signs captcha challenges; without it a random key is kept in the database, shared by all instances. */
  captchaHmacKey: string | undefined;
  /** Support requests: reply addresses and inbound mail (see server/feedback). */
  feedback: { inboundDomain: string; secret: string; inboundSecret: string };
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * What production refuses although each value is valid on its own: the embedded database (unless
 * `GASKIT_EMBEDDED_DB=1` says a one-machine install is meant), Stripe test keys or another Stripe
 * API host, Stripe without the webhook secret that confirms payments, links without `PUBLIC_URL`
 * (they would be built from the request's Host) or over plain http, and the development secrets.
 * One line per variable.
 */
function productionProblems(e: Env): string[] {
  const problems: string[] = [];
  if (!e.MONGODB_URI && !e.GASKIT_EMBEDDED_DB)
    problems.push('MONGODB_URI: required in production (or GASKIT_EMBEDDED_DB=1 to run the embedded database on this machine)');
  if (!e.PUBLIC_URL) problems.push('PUBLIC_URL: required in production: links in mail are built from it');
  else if (new URL(e.PUBLIC_URL).protocol !== 'https:')
    problems.push('PUBLIC_URL: https required in production: links in mail carry sign-in, confirmation and receipt tokens');
  for (const key of ['STRIPE_SECRET_KEY', 'STRIPE_PUBLISHABLE_KEY'] as const) {
    if (/^(sk|rk|pk)_test_/.test(e[key] ?? '')) problems.push(`${key}: a test key is refused in production`);
  }
  if (e.STRIPE_API_BASE) problems.push('STRIPE_API_BASE: another Stripe API host is refused in production');
  if (e.STRIPE_SECRET_KEY && !e.STRIPE_WEBHOOK_SECRET)
    problems.push('STRIPE_WEBHOOK_SECRET: required with STRIPE_SECRET_KEY: payments are confirmed by signed webhooks');
  for (const key of ['GASKIT_FEEDBACK_SECRET', 'GASKIT_INBOUND_SECRET'] as const) {
    if (!e[key]) problems.push(`${key}: required in production`);
  }
  return problems;
}

/**
 * Validates the environment once at start-up; the error names every bad variable at once, each
 * once: malformed values first, then what production refuses among the others.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  const lines = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  const named = new Set(lines.map((line) => line.split(':')[0]));
  // Each variable on its own, so that one malformed value does not hide what production refuses.
  const e = parsed.success
    ? parsed.data
    : (Object.fromEntries(Object.entries(EnvSchema.shape).map(([key, schema]) => [key, schema.safeParse(env[key]).data])) as Env);
  const demo = e.GASKIT_DEMO ?? e.NODE_ENV !== 'production';
  if (e.NODE_ENV === 'production') {
    const refused = [...(demo ? ['GASKIT_DEMO: demo mode is refused when NODE_ENV=production'] : []), ...productionProblems(e)];
    lines.push(...refused.filter((line) => !named.has(line.split(':')[0])));
  }
  if (lines.length) throw new ConfigError(`Invalid environment:\n${lines.map((line) => `  ${line}`).join('\n')}`);
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    // The demo (dev mailbox, full-scope demo keys) is reachable from this machine only unless HOST says otherwise.
    host: e.HOST ?? (demo ? '127.0.0.1' : '0.0.0.0'),
    publicUrl: e.PUBLIC_URL,
    demo,
    mongodbUri: e.MONGODB_URI,
    dataDir: path.resolve(e.GASKIT_DATA_DIR),
    cacheDir: path.resolve(e.GASKIT_CACHE_DIR),
    dbSync: e.GASKIT_DB_SYNC,
    logLevel: e.LOG_LEVEL,
    trustProxy: e.TRUST_PROXY,
    metricsToken: e.METRICS_TOKEN,
    stripe: {
      secretKey: e.STRIPE_SECRET_KEY,
      publishableKey: e.STRIPE_PUBLISHABLE_KEY,
      webhookSecret: e.STRIPE_WEBHOOK_SECRET,
      apiBase: e.STRIPE_API_BASE,
    },
    smtpUrl: e.SMTP_URL,
    smtpPool: { maxConnections: e.SMTP_MAX_CONNECTIONS, maxMessages: e.SMTP_MAX_MESSAGES },
    leaseMs: e.GASKIT_LEASE_MS,
    mailFrom: e.MAIL_FROM,
    smsGateway: e.SMS_GATEWAY_URL ? { url: e.SMS_GATEWAY_URL, token: e.SMS_GATEWAY_TOKEN } : undefined,
    captchaHmacKey: e.CAPTCHA_HMAC_KEY,
    feedback: {
      inboundDomain: e.GASKIT_INBOUND_DOMAIN ?? (e.PUBLIC_URL ? new URL(e.PUBLIC_URL).hostname : 'localhost'),
      secret: e.GASKIT_FEEDBACK_SECRET ?? `${DEV_SECRET}:feedback`,
      inboundSecret: e.GASKIT_INBOUND_SECRET ?? `${DEV_SECRET}:inbound`,
    },
  };
}
