/**
 * Where a receipt goes: by email to a subscriber who has an address, otherwise by SMS (a short
 * link) to one who signed up with a mobile phone; and how the payer is told where it went.
 */

export type ReceiptChannel = 'email' | 'sms';

export interface ReceiptDestination {
  channel: ReceiptChannel;
  /** The full address or number, for the outbox. */
  to: string;
  /** The same, partly hidden, for the payer's screen: "i***@example.ru", "+7 *** ***-45-67". */
  shown: string;
}

/** `ivan@example.ru` → `i***@example.ru`; `+79991234567` → `+7 *** ***-45-67`. */
export function maskDestination(value: string): string {
  const at = value.indexOf('@');
  if (at > 0) return `${value[0]}***${value.slice(at)}`;
  return `${value.slice(0, 2)} *** ***-${value.slice(-4, -2)}-${value.slice(-2)}`;
}

/** Email when the subscriber has an address, SMS to the phone otherwise; nowhere without either. */
export function receiptDestination(contacts: { email?: string | null; phone?: string | null }): ReceiptDestination | null {
  if (contacts.email) return { channel: 'email', to: contacts.email, shown: maskDestination(contacts.email) };
  if (contacts.phone) return { channel: 'sms', to: contacts.phone, shown: maskDestination(contacts.phone) };
  return null;
}

/** A short address that leads to the receipt, for an SMS: `<origin>/r/<supplier>/<token>`. */
export function receiptShortUrl(p: { linkBase: string; tenantSlug: string; receiptToken: string }): string {
  return `${p.linkBase}/r/${p.tenantSlug}/${p.receiptToken}`;
}
