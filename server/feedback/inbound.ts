import PostalMime, { type Address } from 'postal-mime';

export interface InboundMail {
  /** Every address the message was for: envelope recipients, To, Cc, Delivered-To, X-Original-To. */
  recipients: string[];
  from: string;
  messageId: string;
  /** The reply itself, without the quoted original. */
  text: string;
}

function mailboxes(addresses: readonly Address[] | undefined): string[] {
  return (addresses ?? []).flatMap((a) => ('group' in a && a.group ? a.group.map((m) => m.address) : [a.address ?? '']));
}

/** Lines from which on a mail client quotes the message being answered. */
const QUOTE_START = [
  /^>/,
  /^-{2,}\s*(original message|исходное сообщение|пересылаемое сообщение|forwarded message)\s*-{2,}/i,
  /(wrote|пишет|написал[аи]?)\s*:$/i,
  /^(from|от):\s.+/i,
];

/** The new text of a reply: everything before the quoted original, trimmed. */
export function replyText(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const end = lines.findIndex((line) => QUOTE_START.some((re) => re.test(line.trim())));
  return (end === -1 ? lines : lines.slice(0, end)).join('\n').trim();
}

/** Text of an HTML-only reply: tags dropped, quoted blocks cut, entities of the common kind decoded. */
function htmlToText(html: string): string {
  return html
    .replace(/<blockquote[\s\S]*$/i, '')
    .replace(/<(br|\/p|\/div|\/li)\b[^>]*>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

/** Parses a raw MIME message (as an SMTP server or a mail service's "raw" webhook hands it over). */
export async function parseInbound(raw: Buffer, envelopeRecipients: readonly string[] = []): Promise<InboundMail> {
  const mail = await PostalMime.parse(raw, { attachmentEncoding: 'arraybuffer' });
  const header = (name: string) => mail.headers.filter((h) => h.key === name).map((h) => h.value.trim());
  const recipients = [
    ...envelopeRecipients,
    ...mailboxes(mail.to),
    ...mailboxes(mail.cc),
    ...(mail.deliveredTo ? [mail.deliveredTo] : []),
    ...header('delivered-to'),
    ...header('x-original-to'),
  ]
    .map((a) => a.replace(/^<|>$/g, '').trim())
    .filter(Boolean);
  const body = mail.text ?? (mail.html ? htmlToText(mail.html) : '');
  return {
    recipients: [...new Set(recipients)],
    from: mail.from?.address ?? '',
    messageId: mail.messageId ?? '',
    text: replyText(body),
  };
}
