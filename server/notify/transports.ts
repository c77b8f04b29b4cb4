import { createHmac } from 'node:crypto';
import nodemailer from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';

export interface MailAttachment {
  filename: string;
  content: Buffer;
  contentType: string;
}

export interface MailMessage {
  /** `<id@domain>`, the same on every attempt, so a resent copy is recognisable as the same message. */
  messageId: string;
  from: string;
  replyTo?: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  attachments?: MailAttachment[];
}

export interface MailSender {
  send(message: MailMessage): Promise<void>;
  close(): void;
}

const SMTP_TIMEOUTS = { connectionTimeout: 15_000, greetingTimeout: 15_000, socketTimeout: 30_000 };

/** How many SMTP connections one instance keeps open, and how many messages each carries before it is renewed. */
export interface SmtpPool {
  maxConnections: number;
  maxMessages: number;
}

/**
 * nodemailer over SMTP: an `smtp://` / `smtps://` URL (SMTP_URL) or explicit options. One pooled
 * transport: at most `maxConnections` connections, each reused for up to `maxMessages` messages;
 * further messages wait in the pool's queue instead of opening connections of their own.
 */
export function smtpSender(smtp: string | SMTPTransport.Options, pool: SmtpPool): MailSender {
  const options = { ...SMTP_TIMEOUTS, ...(typeof smtp === 'string' ? { url: smtp } : smtp), pool: true as const, ...pool };
  const transport = nodemailer.createTransport(options);
  return {
    async send(message) {
      await transport.sendMail(message);
    },
    close: () => transport.close(),
  };
}

/** Where SMS go: a provider behind one method, so gateways can be swapped per deployment. */
export interface SmsProvider {
  send(to: string, text: string): Promise<void>;
}

/**
 * A generic HTTP SMS gateway (SMS_GATEWAY_URL): `POST {to, text}` as JSON with
 * `Authorization: Bearer SMS_GATEWAY_TOKEN`; any 2xx answer means accepted.
 */
export class HttpSmsGateway implements SmsProvider {
  constructor(
    private readonly url: string,
    private readonly token: string | undefined,
    private readonly timeoutMs = 15_000,
  ) {}

  async send(to: string, text: string): Promise<void> {
    const res = await fetch(this.url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...(this.token ? { Authorization: `Bearer ${this.token}` } : {}) },
      body: JSON.stringify({ to, text }),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    if (!res.ok) throw new Error(`SMS gateway answered ${res.status}`);
  }
}

/** `X-Gaskit-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, as Stripe signs its webhooks. */
export function webhookSignature(secret: string, timestamp: number, body: string): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${mac}`;
}

export async function postWebhook(
  input: { url: string; id: string; event: string; body: string; secret: string },
  timeoutMs = 15_000,
): Promise<void> {
  const res = await fetch(input.url, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      'User-Agent': 'Gaskit-Webhooks/1',
      'X-Gaskit-Event': input.event,
      'X-Gaskit-Delivery': input.id,
      'X-Gaskit-Signature': webhookSignature(input.secret, Math.floor(Date.now() / 1000), input.body),
    },
    body: input.body,
    redirect: 'manual',
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (res.status < 200 || res.status >= 300) throw new Error(`webhook endpoint answered ${res.status}`);
}
