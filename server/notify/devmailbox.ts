import type { AddressInfo } from 'node:net';
import type { DevMailEntry } from '../../contracts/notify.ts';
import PostalMime from 'postal-mime';
import { SMTPServer } from 'smtp-server';
import type { Logger } from 'pino';
import { DevMail, type DevMailDoc } from './model.ts';
import { escapeHtml } from './templates.ts';
import type { SmsProvider } from './transports.ts';

/** Room for a department's email with its attachments (base64 makes them a third larger). */
const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

export interface DevMailbox {
  port: number;
  sms: SmsProvider;
  stop(): Promise<void>;
}

/**
 * The development mail catcher: an SMTP server on a free loopback port that stores every message
 * it receives in the `devmail` collection, and an SMS provider that does the same. Demo mode only.
 */
export async function startDevMailbox(logger: Logger): Promise<DevMailbox> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    size: MAX_MESSAGE_BYTES,
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        void (async () => {
          const mail = await PostalMime.parse(Buffer.concat(chunks));
          const docs = session.envelope.rcptTo.map((r) => ({
            kind: 'email' as const,
            to: r.address.toLowerCase(),
            subject: mail.subject ?? '',
            text: mail.text ?? '',
            html: mail.html ?? '',
            attachments: mail.attachments.map((a) => ({
              filename: a.filename ?? '',
              type: a.mimeType,
              size: typeof a.content === 'string' ? a.content.length : a.content.byteLength,
            })),
            sentAt: new Date(),
          }));
          await DevMail.insertMany(docs);
        })().then(
          () => callback(),
          (err: unknown) => {
            logger.error({ err }, 'dev mailbox could not store a message');
            callback(err instanceof Error ? err : new Error(String(err)));
          },
        );
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  // A sender that drops its connection in the middle of a message is an 'error' of the server
  // (smtp-server), which goes on serving; unheard, it would end this process.
  server.on('error', (err) => logger.warn({ err }, 'dev mailbox: a connection failed'));
  const { port } = server.server.address() as AddressInfo;
  return {
    port,
    sms: {
      async send(to, text) {
        await DevMail.create({ kind: 'sms', to, subject: '', text, html: '', sentAt: new Date() });
      },
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Newest first; `to` narrows to one recipient (lower-cased email or E.164 phone). */
export async function listDevMail(filter: { to?: string; limit?: number } = {}): Promise<DevMailEntry[]> {
  const rows = await DevMail.find(filter.to ? { to: filter.to.toLowerCase() } : {})
    .sort({ sentAt: -1, _id: -1 })
    .limit(filter.limit ?? 100)
    .lean<DevMailDoc[]>();
  return rows.map((r) => ({
    kind: r.kind,
    to: r.to,
    subject: r.subject,
    text: r.text,
    html: r.html,
    attachments: (r.attachments ?? []).map((a) => ({ filename: a.filename, type: a.type, size: a.size })),
    sentAt: r.sentAt.toISOString(),
  }));
}

/** Escapes the text and turns its http(s) URLs into links. */
function linkify(text: string): string {
  return text
    .split(/(https?:\/\/[^\s<>"']+)/g)
    .map((part, i) => (i % 2 === 1 ? `<a href="${escapeHtml(part)}">${escapeHtml(part)}</a>` : escapeHtml(part)))
    .join('');
}

export function devMailboxPage(entries: DevMailEntry[], title: string, empty: string): string {
  const items = entries
    .map(
      (e) => `<article>
<h2>${escapeHtml(e.kind === 'sms' ? 'SMS' : e.subject || '(no subject)')}</h2>
<p class="meta">${escapeHtml(e.kind)} → <strong>${escapeHtml(e.to)}</strong> · <time datetime="${e.sentAt}">${escapeHtml(e.sentAt)}</time></p>
<pre>${linkify(e.text)}</pre>${
        e.attachments.length
          ? `\n<p class="meta">Attached: ${e.attachments.map((a) => `${escapeHtml(a.filename)} (${escapeHtml(a.type)}, ${a.size} bytes)`).join(', ')}</p>`
          : ''
      }
</article>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(title)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:0 auto;max-width:860px;padding:16px;color:#111827}
article{border:1px solid #d1d5db;border-radius:6px;padding:12px 16px;margin:0 0 12px}
h2{font-size:1.1rem;margin:0 0 4px}.meta{color:#4b5563;margin:0 0 8px;font-size:.9rem}
pre{white-space:pre-wrap;word-break:break-word;font:inherit;margin:0}
</style></head>
<body><h1>${escapeHtml(title)}</h1>
${items || `<p>${escapeHtml(empty)}</p>`}
</body></html>`;
}
