import type { Request } from 'express';

/**
 * Whether the connection itself comes from this machine. Judged by the socket's address, never by
 * `req.ip` or X-Forwarded-For, which a client behind a trusted proxy can write.
 */
export function fromLoopback(req: Request): boolean {
  const address = req.socket.remoteAddress ?? '';
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}
