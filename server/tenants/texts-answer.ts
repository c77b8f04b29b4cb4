import { promisify } from 'node:util';
import { brotliCompress, constants } from 'node:zlib';
import type { Request, Response } from 'express';
import { LRUCache } from 'lru-cache';

const compress = promisify(brotliCompress);

/** Answers smaller than this go as they are, as the API's compression middleware leaves them. */
const THRESHOLD = 1024;

/**
 * Brotli copies (quality 11) of the texts' answers by their ETag: the texts of a tenant, language
 * and set of namespaces are the same for every visitor, so each is compressed once per process,
 * not at the middleware's quality 4 on every request (about a fifth smaller). Bounded in bytes.
 */
const compressed = new LRUCache<string, Buffer>({ maxSize: 16_000_000, sizeCalculation: (body) => body.length });

/**
 * Sends a texts answer (its JSON): brotli-compressed at the highest quality when the client accepts
 * brotli and the answer is large enough to be compressed at all, else as any answer goes (gzip or
 * plain, by the middleware). Its ETag is the one Express gives the uncompressed JSON either way,
 * so a revalidation answers 304 whatever encoding each request accepted.
 */
export async function sendTexts(req: Request, res: Response, json: string): Promise<void> {
  const etagOf = req.app.get('etag fn') as ((body: string, encoding: BufferEncoding) => string) | undefined;
  if (Buffer.byteLength(json) < THRESHOLD || !req.acceptsEncodings('br') || !etagOf) {
    res.type('json').send(json);
    return;
  }
  const etag = etagOf(json, 'utf8');
  let body = compressed.get(etag);
  if (!body) {
    body = await compress(json, { params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY } });
    compressed.set(etag, body);
  }
  res.vary('Accept-Encoding');
  res.set({ ETag: etag, 'Content-Encoding': 'br', 'Content-Type': 'application/json; charset=utf-8' });
  res.send(body);
}
