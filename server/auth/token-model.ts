import mongoose, { Schema, type Types } from 'mongoose';

export type TokenPurpose = 'confirm' | 'reset' | 'contact';

/**
 * A confirmation link or code. Only a hash is stored (sha256 of the link token; of salt + code
 * for codes); each is single use, expires, and a subscriber holds at most one per purpose.
 */
export interface VerificationTokenDoc {
  _id: Types.ObjectId;
  realm: string;
  tenantId: Types.ObjectId;
  subscriberId: Types.ObjectId;
  purpose: TokenPurpose;
  kind: 'link' | 'code';
  hash: string;
  salt?: string;
  /** For `contact`: the new email or phone that the code proves. */
  target?: { field: 'email' | 'phone'; value: string };
  expiresAt: Date;
  createdAt: Date;
}

const tokenSchema = new Schema<VerificationTokenDoc>(
  {
    realm: { type: String, required: true },
    tenantId: { type: Schema.Types.ObjectId, required: true },
    subscriberId: { type: Schema.Types.ObjectId, required: true },
    purpose: { type: String, enum: ['confirm', 'reset', 'contact'], required: true },
    kind: { type: String, enum: ['link', 'code'], required: true },
    hash: { type: String, required: true, unique: true },
    salt: { type: String },
    target: { field: { type: String, enum: ['email', 'phone'] }, value: String },
    expiresAt: { type: Date, required: true },
    createdAt: { type: Date, default: () => new Date() },
  },
  { collection: 'verification_tokens', versionKey: false },
);
tokenSchema.index({ realm: 1, subscriberId: 1, purpose: 1 });
tokenSchema.index({ expiresAt: 1 });

export const VerificationToken = mongoose.model<VerificationTokenDoc>('VerificationToken', tokenSchema);
