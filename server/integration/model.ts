import mongoose, { Schema, type Types } from 'mongoose';
import { toJSON } from '../db/plugins.ts';

export const API_SCOPES = ['billing:write', 'export:read', 'feedback:write', 'payments:write', 'readings:write'] as const;
export type ApiScope = (typeof API_SCOPES)[number];

/** An integration API key of one tenant. The key itself is shown once; only its sha256 is stored. */
export interface ApiKeyDoc {
  _id: Types.ObjectId;
  tenantId: Types.ObjectId;
  name: string;
  /** First characters of the key, to tell keys apart in listings. */
  prefix: string;
  keyHash: string;
  scopes: ApiScope[];
  createdAt: Date;
  lastUsedAt?: Date;
  revokedAt?: Date;
}

const apiKeySchema = new Schema<ApiKeyDoc>(
  {
    tenantId: { type: Schema.Types.ObjectId, required: true },
    name: { type: String, required: true },
    prefix: { type: String, required: true },
    keyHash: { type: String, required: true, unique: true, private: true },
    scopes: { type: [String], enum: API_SCOPES, default: [] },
    createdAt: { type: Date, default: () => new Date() },
    lastUsedAt: { type: Date },
    revokedAt: { type: Date },
  },
  { versionKey: false },
);
apiKeySchema.index({ tenantId: 1, createdAt: -1 });
apiKeySchema.plugin(toJSON);
export const ApiKey = mongoose.model<ApiKeyDoc>('ApiKey', apiKeySchema);
