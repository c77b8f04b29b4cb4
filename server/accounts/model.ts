import mongoose, { Schema, type Types } from 'mongoose';

export type LinkMode = 'basic' | 'extended';

/** The most slots a cabinet can hold: the highest `maxAccounts` a tenant may set. */
export const MOST_SLOTS = 100;

/**
 * A personal account linked to a cabinet, held in one of the cabinet's slots (kernel slots.ts):
 * `_id` = `<subscriberId>:<slot>`, at most the tenant's `maxAccounts` of them, so the cabinet's
 * accounts are that many lookups by `_id` and concurrent links never exceed the limit.
 * `tenantId` is the account's supplier (any tenant of the realm).
 */
export interface AccountLinkDoc {
  _id: string;
  /** The subscriber's id as a string: the slot's owner. */
  owner: string;
  slot: number;
  subscriberId: Types.ObjectId;
  realm: string;
  tenantId: Types.ObjectId;
  /** The account's key (`<tenantId>:<number>`), its id everywhere. */
  accountId: string;
  accountNumber: string;
  mode: LinkMode;
  linkedAt: Date;
}

const linkSchema = new Schema<AccountLinkDoc>(
  {
    _id: { type: String, required: true },
    owner: { type: String, required: true },
    slot: { type: Number, required: true },
    subscriberId: { type: Schema.Types.ObjectId, required: true },
    realm: { type: String, required: true },
    tenantId: { type: Schema.Types.ObjectId, required: true },
    accountId: { type: String, required: true },
    accountNumber: { type: String, required: true },
    mode: { type: String, enum: ['basic', 'extended'], default: 'basic' },
    linkedAt: { type: Date, default: () => new Date() },
  },
  { versionKey: false, collection: 'account_links' },
);
/** For the readings reminders, a background job that pages through a supplier's links. */
linkSchema.index({ tenantId: 1, _id: 1 });
export const AccountLink = mongoose.model<AccountLinkDoc>('AccountLink', linkSchema);

/**
 * Which slot holds an account of a cabinet: `_id` = `<subscriberId>:<account key>`, inserted after
 * the slot is taken and deleted before it is given back. "Is this account linked to this cabinet"
 * is one lookup, and a unique `_id` refuses a second link of the same account under concurrency.
 */
export interface LinkKeyDoc {
  _id: string;
  subscriberId: Types.ObjectId;
  slot: number;
}

const linkKeySchema = new Schema<LinkKeyDoc>(
  {
    _id: { type: String, required: true },
    subscriberId: { type: Schema.Types.ObjectId, required: true },
    slot: { type: Number, required: true },
  },
  { versionKey: false, collection: 'account_link_keys' },
);
export const LinkKey = mongoose.model<LinkKeyDoc>('AccountLinkKey', linkKeySchema);
