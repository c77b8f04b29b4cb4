import type { AddressInfo } from 'node:net';
import PostalMime from 'postal-mime';
import { SMTPServer } from 'smtp-server';

export interface CaughtMail {
  /** The Message-ID header, angle brackets included. */
  messageId: string;
  from: string;
  /** The Reply-To address, if any. */
  replyTo: string | undefined;
  /** Envelope recipients, lower-cased. */
  to: string[];
  subject: string;
  text: string;
  html: string;
  attachments: { filename: string; mimeType: string; content: Buffer }[];
  receivedAt: Date;
}

export interface MailCatcher {
  port: number;
  /** nodemailer options for `AppContext.notify.configure({ smtp })`. */
  smtp: { host: string; port: number; secure: false; ignoreTLS: true };
  messages: CaughtMail[];
  /** SMTP connections opened to this server so far. */
  connections: () => number;
  /** The first message (already received or still to come) that matches. */
  waitFor(match: (m: CaughtMail) => boolean, timeoutMs?: number): Promise<CaughtMail>;
  /** The next message to an address. */
  waitForTo(address: string, timeoutMs?: number): Promise<CaughtMail>;
  /** Forgets what was received (tests that count messages). */
  clear(): void;
  stop(): Promise<void>;
}

/**
 * A real SMTP server for a test: the server's outbox worker delivers to it through nodemailer
 * and each message is parsed with postal-mime, so tests read links and codes from actual mail.
 */
export async function startMailCatcher(): Promise<MailCatcher> {
  const messages: CaughtMail[] = [];
  const waiters = new Set<{ match: (m: CaughtMail) => boolean; resolve: (m: CaughtMail) => void }>();
  let connections = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onConnect(_session, callback) {
      connections += 1;
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        PostalMime.parse(Buffer.concat(chunks)).then((parsed) => {
          const mail: CaughtMail = {
            messageId: parsed.messageId ?? '',
            from: parsed.from?.address ?? '',
            replyTo: parsed.replyTo?.[0]?.address,
            to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            html: parsed.html ?? '',
            attachments: parsed.attachments.map((a) => ({
              filename: a.filename ?? '',
              mimeType: a.mimeType,
              content: Buffer.from(a.content as ArrayBuffer),
            })),
            receivedAt: new Date(),
          };
          messages.push(mail);
          for (const w of [...waiters]) {
            if (w.match(mail)) {
              waiters.delete(w);
              w.resolve(mail);
            }
          }
          callback();
        }, callback);
      });
    },
  });
  // A sender that dies in the middle of a message (a test kills a server instance) resets its
  // connection: smtp-server reports that as an 'error' of the server, which it keeps serving.
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.server.address() as AddressInfo;

  const waitFor = (match: (m: CaughtMail) => boolean, timeoutMs = 10_000) => {
    const seen = messages.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise<CaughtMail>((resolve, reject) => {
      const waiter = {
        match,
        resolve: (m: CaughtMail) => {
          clearTimeout(timer);
          resolve(m);
        },
      };
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        reject(
          new Error(
            `no matching mail within ${timeoutMs} ms (received: ${messages.map((m) => `${m.to.join(',')}: ${m.subject}`).join('; ')})`,
          ),
        );
      }, timeoutMs);
      waiters.add(waiter);
    });
  };

  return {
    port,
    smtp: { host: '127.0.0.1', port, secure: false, ignoreTLS: true },
    messages,
    connections: () => connections,
    waitFor,
    waitForTo: (address, timeoutMs) => waitFor((m) => m.to.includes(address.toLowerCase()), timeoutMs),
    clear: () => void messages.splice(0),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The value of a query parameter in the first link of the message that carries it (`gaskit-confirm`, `gaskit-reset`). */
export function linkParam(mail: CaughtMail, param: string): string {
  for (const m of mail.text.matchAll(/https?:\/\/\S+/g)) {
    const value = new URL(m[0]).searchParams.get(param);
    if (value) return value;
  }
  throw new Error(`no link with ${param} in: ${mail.text}`);
}

/** The six-digit code of a message. */
export function codeIn(text: string): string {
  const m = /(?:^|\s)(\d{6})(?=$|[\s.,])/m.exec(text);
  if (!m) throw new Error(`no code in: ${text}`);
  return m[1]!;
}
