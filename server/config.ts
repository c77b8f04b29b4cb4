import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

const bool = z.enum(['1', '0', 'true', 'false', 'yes', 'no']).transform((v) => v === '1' || v === 'true' || v === 'yes');

const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  PUBLIC_URL: z.url().optional(),
  GASKIT_DEMO: bool.optional(),
  MONGODB_URI: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, 'must be a mongodb:// or mongodb+srv:// URI')
    .optional(),
  GASKIT_DATA_DIR: z.string().default('./data'),
  GASKIT_CACHE_DIR: z.string().default(path.join(os.homedir(), '.cache', 'gaskit')),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TRUST_PROXY: z.string().optional(),
  SMTP_URL: z.string().regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL').optional(),
  MAIL_FROM: z.email('must be an email address').default('no-reply@gaskit.localhost'),
  SMS_GATEWAY_URL: z.url().optional(),
  SMS_GATEWAY_TOKEN: z.string().optional(),
  CAPTCHA_HMAC_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
});

export type Config = {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  publicUrl: string | undefined;
  demo: boolean;
  mongodbUri: string | undefined;
  dataDir: string;
  cacheDir: string;
  logLevel: z.infer<typeof EnvSchema>['LOG_LEVEL'];
  trustProxy: string | undefined;
  /** Outgoing mail; without it demo mode starts the dev mailbox. */
  smtpUrl: string | undefined;
  mailFrom: string;
  smsGateway: { url: string; token: string | undefined } | undefined;
  /** Signs captcha challenges; without it a random key is kept in the database, shared by all instances. */
  captchaHmacKey: string | undefined;
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Validates the environment once at start-up; the error names every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid environment:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const demo = e.GASKIT_DEMO ?? e.NODE_ENV !== 'production';
  if (demo && e.NODE_ENV === 'production') {
    throw new ConfigError('GASKIT_DEMO: demo mode is refused when NODE_ENV=production');
  }
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    publicUrl: e.PUBLIC_URL,
    demo,
    mongodbUri: e.MONGODB_URI,
    dataDir: path.resolve(e.GASKIT_DATA_DIR),
    cacheDir: path.resolve(e.GASKIT_CACHE_DIR),
    logLevel: e.LOG_LEVEL,
    trustProxy: e.TRUST_PROXY,
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    smsGateway: e.SMS_GATEWAY_URL ? { url: e.SMS_GATEWAY_URL, token: e.SMS_GATEWAY_TOKEN } : undefined,
    captchaHmacKey: e.CAPTCHA_HMAC_KEY,
  };
}
