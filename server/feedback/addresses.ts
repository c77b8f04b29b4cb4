import { createHmac, timingSafeEqual } from 'node:crypto';
import { feedbackConfig } from './config.ts';

/** An HMAC-SHA256 of the value for one purpose, in hex: mail systems may change the case of an address, hex survives that. */
function mac(purpose: string, value: string): string {
  return createHmac('sha256', feedbackConfig().secret).update(`${purpose}:${value}`).digest('hex');
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Hex digits of the mac in a reply address (80 bits), short enough for the 64-character limit of a local part. */
const REPLY_MAC_LENGTH = 20;

/**
 * The Reply-To address of a request's email to its department: `reply+<requestId>.<mac>@<inbound domain>`.
 * Only the server can make one, so a reply to it identifies the request.
 */
export function replyAddress(requestId: string): string {
  return `reply+${requestId}.${mac('reply', requestId).slice(0, REPLY_MAC_LENGTH)}@${feedbackConfig().inboundDomain}`;
}

const REPLY_ADDRESS = new RegExp(`^reply\\+([a-f0-9]{24})\\.([a-f0-9]{${REPLY_MAC_LENGTH}})@(.+)$`, 'i');

/** The request id a reply address stands for, or `null` when it is not one of ours or its mac is wrong. */
export function requestIdOfReplyAddress(address: string): string | null {
  const m = REPLY_ADDRESS.exec(address.trim());
  if (!m) return null;
  const [, id, given, domain] = m as unknown as [string, string, string, string];
  if (domain.toLowerCase() !== feedbackConfig().inboundDomain.toLowerCase()) return null;
  const requestId = id.toLowerCase();
  return same(given.toLowerCase(), mac('reply', requestId).slice(0, REPLY_MAC_LENGTH)) ? requestId : null;
}

/** Signature of a download link for an attachment, valid until `expiresAt` (unix seconds). */
export function fileLinkSignature(tenantSlug: string, requestId: string, fileId: string, expiresAt: number): string {
  return Buffer.from(mac('file', `${tenantSlug}/${requestId}/${fileId}/${expiresAt}`), 'hex').toString('base64url');
}

export function fileLinkValid(tenantSlug: string, requestId: string, fileId: string, expiresAt: number, sig: string): boolean {
  return expiresAt * 1000 > Date.now() && same(sig, fileLinkSignature(tenantSlug, requestId, fileId, expiresAt));
}

/**
 * Checks `X-Gaskit-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` made with the
 * inbound secret (the format Gaskit signs its own webhooks with), within `toleranceSeconds` of now.
 */
export function inboundSignatureValid(header: string, body: Buffer, toleranceSeconds: number): boolean {
  const signed = freshSignature(header, toleranceSeconds);
  if (!signed) return false;
  const expected = createHmac('sha256', feedbackConfig().inboundSecret).update(`${signed.timestamp}.`).update(body).digest('hex');
  return same(signed.given, expected);
}

/**
 * The parts of a signature header that is well formed (a timestamp within `toleranceSeconds` of
 * now and a hex HMAC of the right length), or null: checked before the body is read.
 */
export function freshSignature(header: string, toleranceSeconds: number): { timestamp: string; given: string } | null {
  const parts = new Map(header.split(',').map((p) => p.trim().split('=', 2) as [string, string]));
  const timestamp = parts.get('t') ?? '';
  const given = (parts.get('v1') ?? '').toLowerCase();
  if (!/^\d{1,12}$/.test(timestamp) || Math.abs(Date.now() / 1000 - Number(timestamp)) > toleranceSeconds) return null;
  return /^[0-9a-f]{64}$/.test(given) ? { timestamp, given } : null;
}
