import mongoose, { Schema, type Types } from 'mongoose';

export interface SessionDoc {
  _id: Types.ObjectId;
  /** sha256 of the opaque bearer token; the token itself is never stored. */
  tokenHash: string;
  subscriberId: Types.ObjectId;
  realm: string;
  tenantId: Types.ObjectId;
  userAgent: string;
  ip: string;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  revokedAt?: Date;
}

const sessionSchema = new Schema<SessionDoc>({
  tokenHash: { type: String, required: true, unique: true },
  subscriberId: { type: Schema.Types.ObjectId, required: true },
  realm: { type: String, required: true },
  tenantId: { type: Schema.Types.ObjectId, required: true },
  userAgent: { type: String, default: '' },
  ip: { type: String, default: '' },
  createdAt: { type: Date, default: () => new Date() },
  lastSeenAt: { type: Date, default: () => new Date() },
  expiresAt: { type: Date, required: true },
  revokedAt: { type: Date },
});
sessionSchema.index({ realm: 1, subscriberId: 1, expiresAt: 1 });

export const Session = mongoose.model<SessionDoc>('Session', sessionSchema);
