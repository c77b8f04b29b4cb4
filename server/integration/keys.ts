import { createHash, randomBytes } from 'node:crypto';
import type { RequestHandler } from 'express';
import { Types } from 'mongoose';
import { appContext } from '../app-context.ts';
import { integrationJson } from '../http/body.ts';
import { fromLoopback } from '../http/loopback.ts';
import { ctxOf } from '../http/context.ts';
import { AuthError, ForbiddenError, NotFoundError } from '../http/errors.ts';
import { API_SCOPES, ApiKey, type ApiKeyDoc, type ApiScope } from './model.ts';
import { findByKey } from '../db/kernel/keys.ts';

declare module '../http/context.ts' {
  interface Ctx {
    /** Set by `requireApiKey`: the integration key the request came with. */
    apiKey?: { id: string; scopes: readonly ApiScope[]; demo: boolean };
  }
}

const hash = (key: string) => createHash('sha256').update(key).digest('hex');

/** Most keys a listing shows; a supplier has a handful. */
const LIST_LIMIT = 1000;
/** `lastUsedAt` is written at most this often per key, so a busy integration does not write on every call. */
const LAST_USED_PRECISION_MS = 60_000;

export async function createApiKey(
  tenantId: Types.ObjectId,
  name: string,
  scopes: ApiScope[],
): Promise<{ id: string; key: string }> {
  const key = `gk_${randomBytes(24).toString('base64url')}`;
  const keyId = String(new Types.ObjectId());
  await ApiKey.create({ _id: hash(key), keyId, tenantId, name, prefix: key.slice(0, 10), scopes });
  return { id: keyId, key };
}

export async function revokeApiKey(tenantId: Types.ObjectId, id: string): Promise<void> {
  const res = await ApiKey.updateOne({ tenantId, keyId: id }, { $set: { revokedAt: new Date() } });
  if (!res.matchedCount) throw new NotFoundError('api_key_not_found');
}

/** A key as a listing shows it: never the key or its hash. */
export interface ApiKeyView {
  id: string;
  name: string;
  prefix: string;
  scopes: ApiScope[];
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export async function listApiKeys(tenantId: Types.ObjectId): Promise<ApiKeyView[]> {
  const rows = await ApiKey.find({ tenantId }).sort({ createdAt: -1 }).limit(LIST_LIMIT).lean<ApiKeyDoc[]>();
  return rows.map((r) => ({
    id: r.keyId,
    name: r.name,
    prefix: r.prefix,
    scopes: r.scopes,
    createdAt: r.createdAt,
    lastUsedAt: r.lastUsedAt ?? null,
    revokedAt: r.revokedAt ?? null,
  }));
}

function presented(header: string | undefined, xApiKey: string | undefined): string | undefined {
  const bearer = /^Bearer (\S{8,200})$/.exec(header ?? '')?.[1];
  return bearer ?? (xApiKey && xApiKey.length <= 200 ? xApiKey : undefined);
}

/**
 * Guard of the integration API: a live key of this tenant (`Authorization: Bearer <key>` or
 * `X-Api-Key`) with the scope. A key of another tenant is as unknown as a wrong one. In demo mode
 * only, and only to a client on this machine, `demo-<slug>` is the tenant's key with every scope.
 * Cost: one `_id` lookup (the key's hash), and a write of `lastUsedAt` at most once a minute. Only
 * then is the JSON body read (`integrationJson`, up to 8 MB): a caller without a key never makes
 * the server parse it.
 */
export function requireApiKey(scope: ApiScope): RequestHandler {
  return async (req, res, next) => {
    const ctx = ctxOf(req);
    const key = presented(req.get('authorization'), req.get('x-api-key'));
    if (!key) throw new AuthError('api_key_missing');
    if (appContext().config.demo && key === `demo-${ctx.tenant.slug}` && fromLoopback(req)) {
      ctx.apiKey = { id: 'demo', scopes: API_SCOPES, demo: true };
      integrationJson(req, res, next);
      return;
    }
    const doc = await findByKey<ApiKeyDoc>(ApiKey, hash(key));
    if (!doc || !doc.tenantId.equals(ctx.tenant._id) || doc.revokedAt) throw new AuthError('api_key_invalid');
    if (!doc.scopes.includes(scope)) throw new ForbiddenError('api_key_scope', { scope });
    const now = new Date();
    if (!doc.lastUsedAt || now.getTime() - doc.lastUsedAt.getTime() >= LAST_USED_PRECISION_MS) {
      await ApiKey.updateOne({ _id: doc._id }, { $set: { lastUsedAt: now } });
    }
    ctx.apiKey = { id: doc.keyId, scopes: doc.scopes, demo: false };
    integrationJson(req, res, next);
  };
}
