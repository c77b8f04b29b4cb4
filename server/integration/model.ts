import mongoose, { Schema, type Types } from 'mongoose';

export const API_SCOPES = ['billing:write', 'export:read', 'feedback:write', 'payments:write', 'readings:write'] as const;
export type ApiScope = (typeof API_SCOPES)[number];

/**
 * An integration API key of one tenant. The key itself is shown once; its sha256 is the `_id`, so
 * the key a request presents is found by one `_id` lookup, and its tenant, scopes and revocation
 * are checked in code.
 */
export interface ApiKeyDoc {
  /** sha256 of the key, hex. */
  _id: string;
  /** The id listings and `gaskit keys revoke` name the key by (24 hex digits). */
  keyId: string;
  tenantId: Types.ObjectId;
  name: string;
  /** First characters of the key, to tell keys apart in listings. */
  prefix: string;
  scopes: ApiScope[];
  createdAt: Date;
  lastUsedAt?: Date;
  revokedAt?: Date;
}

const apiKeySchema = new Schema<ApiKeyDoc>(
  {
    _id: { type: String, required: true },
    keyId: { type: String, required: true },
    tenantId: { type: Schema.Types.ObjectId, required: true },
    name: { type: String, required: true },
    prefix: { type: String, required: true },
    scopes: { type: [String], enum: API_SCOPES, default: [] },
    createdAt: { type: Date, default: () => new Date() },
    lastUsedAt: { type: Date },
    revokedAt: { type: Date },
  },
  { versionKey: false, collection: 'integration_keys' },
);
// Listing and revoking (the CLI, not a request path).
apiKeySchema.index({ tenantId: 1, createdAt: -1 });
export const ApiKey = mongoose.model<ApiKeyDoc>('ApiKey', apiKeySchema);
