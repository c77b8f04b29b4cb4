import mongoose, { Schema, type Types } from 'mongoose';

export type TokenPurpose = 'confirm' | 'reset' | 'contact';

/**
 * A cabinet's current link or code of a purpose: `_id` = `<realm>:<subscriberId>:<purpose>`.
 * Only a hash is stored (sha256 of the link token; of salt + code for codes). A new one replaces
 * it, so a cabinet holds one per purpose and only that one is accepted.
 */
export interface CurrentTokenDoc {
  _id: string;
  realm: string;
  tenantId: Types.ObjectId;
  subscriberId: Types.ObjectId;
  purpose: TokenPurpose;
  kind: 'link' | 'code';
  /** The `_id` of its `VerificationToken`. */
  hash: string;
  salt?: string;
  /** For `contact`: the new email or phone that the code proves. */
  target?: { field: 'email' | 'phone'; value: string };
  /** For `confirm`: the password hash of the registration that sent it, which confirming sets. */
  passwordHash?: string;
  expiresAt: Date;
  createdAt: Date;
}

const currentTokenSchema = new Schema<CurrentTokenDoc>(
  {
    _id: { type: String, required: true },
    realm: { type: String, required: true },
    tenantId: { type: Schema.Types.ObjectId, required: true },
    subscriberId: { type: Schema.Types.ObjectId, required: true },
    purpose: { type: String, enum: ['confirm', 'reset', 'contact'], required: true },
    kind: { type: String, enum: ['link', 'code'], required: true },
    hash: { type: String, required: true },
    salt: { type: String },
    target: { field: { type: String, enum: ['email', 'phone'] }, value: String },
    passwordHash: { type: String },
    expiresAt: { type: Date, required: true },
    createdAt: { type: Date, default: () => new Date() },
  },
  { collection: 'auth_current_tokens', versionKey: false },
);

export const CurrentToken = mongoose.model<CurrentTokenDoc>('CurrentToken', currentTokenSchema);

/**
 * One issued link or code, by its hash (`_id`): a link is found by it, and deleting it is what
 * spends the token (of two concurrent uses, one deletes it).
 */
export interface VerificationTokenDoc {
  _id: string;
  realm: string;
  subscriberId: Types.ObjectId;
  purpose: TokenPurpose;
  expiresAt: Date;
}

const tokenSchema = new Schema<VerificationTokenDoc>(
  {
    _id: { type: String, required: true },
    realm: { type: String, required: true },
    subscriberId: { type: Schema.Types.ObjectId, required: true },
    purpose: { type: String, enum: ['confirm', 'reset', 'contact'], required: true },
    expiresAt: { type: Date, required: true },
  },
  { collection: 'auth_tokens', versionKey: false },
);

export const VerificationToken = mongoose.model<VerificationTokenDoc>('VerificationToken', tokenSchema);
