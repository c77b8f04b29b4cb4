import mongoose, { Schema, type Types } from 'mongoose';
import { toJSON } from '../db/plugins.ts';

export type SubscriberStatus = 'pending' | 'active';

/**
 * A cabinet. Its `_id` stays an ObjectId (other modules keep it; logins change in settings); it
 * is found by login through its `LoginKey`.
 */
export interface SubscriberDoc {
  _id: Types.ObjectId;
  /** Logins are unique per realm (tenants sharing one subscriber base); the tenant is where the cabinet was opened. */
  realm: string;
  tenantId: Types.ObjectId;
  /** The normalised login: lower-case email or E.164 phone, whichever the cabinet signs in with. */
  login: string;
  email?: string;
  phone?: string;
  loginKind: 'email' | 'phone';
  personType: 'individual' | 'legal';
  passwordHash?: string;
  mustChangePassword: boolean;
  /** A temporary password (the email-code flow) stops working at this moment. */
  passwordExpiresAt?: Date;
  passwordChangedAt?: Date;
  status: SubscriberStatus;
  fullName: string;
  locale: string;
  /** Consent to the processing of personal data: the document version accepted and when. */
  consent?: { version: string; url: string; acceptedAt: Date };
  /** Unconfirmed cabinets are removed after this moment (checked on read, and due then in the sweep's queue: no TTL indexes). */
  confirmBy?: Date;
  confirmedAt?: Date;
  lastSignInAt?: Date;
  /**
   * Sessions opened before this generation are over (a password changed or reset): raising it
   * ends them all at once, without a query over sessions. Missing in earlier documents: 0.
   */
  sessionGeneration?: number;
  createdAt: Date;
  updatedAt: Date;
}

const subscriberSchema = new Schema<SubscriberDoc>(
  {
    realm: { type: String, required: true },
    tenantId: { type: Schema.Types.ObjectId, required: true },
    login: { type: String, required: true },
    email: { type: String },
    phone: { type: String },
    loginKind: { type: String, enum: ['email', 'phone'], required: true },
    personType: { type: String, enum: ['individual', 'legal'], default: 'individual' },
    passwordHash: { type: String, private: true },
    mustChangePassword: { type: Boolean, default: false },
    passwordExpiresAt: { type: Date },
    passwordChangedAt: { type: Date },
    status: { type: String, enum: ['pending', 'active'], default: 'pending' },
    fullName: { type: String, default: '' },
    locale: { type: String, default: 'ru' },
    consent: { version: String, url: String, acceptedAt: Date },
    confirmBy: { type: Date },
    confirmedAt: { type: Date },
    lastSignInAt: { type: Date },
    sessionGeneration: { type: Number },
  },
  { timestamps: true },
);
subscriberSchema.plugin(toJSON);

export const Subscriber = mongoose.model<SubscriberDoc>('Subscriber', subscriberSchema);

/**
 * A login of a realm: `_id` = `<realm>:<normalised login>` → the cabinet's id. Inserting it is
 * what takes a login (the `_id` is unique), so of two concurrent registrations or login changes
 * to one login only one wins; a cabinet is found by login with two `_id` lookups.
 */
export interface LoginKeyDoc {
  _id: string;
  subscriberId: Types.ObjectId;
  createdAt: Date;
}

const loginKeySchema = new Schema<LoginKeyDoc>(
  {
    _id: { type: String, required: true },
    subscriberId: { type: Schema.Types.ObjectId, required: true },
    createdAt: { type: Date, default: () => new Date() },
  },
  { collection: 'subscriber_logins', versionKey: false },
);

export const LoginKey = mongoose.model<LoginKeyDoc>('LoginKey', loginKeySchema);
