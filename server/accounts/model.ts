import mongoose, { Schema, type Types } from 'mongoose';

export type LinkMode = 'basic' | 'extended';

/**
 * A personal account linked to a cabinet: an entry of the cabinet's link list. `tenantId` is the
 * account's supplier (any tenant of the realm).
 */
export interface AccountLinkDoc {
  realm: string;
  tenantId: Types.ObjectId;
  /** The account's key (`<tenantId>:<number>`), its id everywhere. */
  accountId: string;
  accountNumber: string;
  mode: LinkMode;
  linkedAt: Date;
}

/**
 * A cabinet's links, oldest first: one document, `_id` = the subscriber's id as a string, so the
 * cabinet's accounts and "is this account linked" are one lookup by `_id`. The list is bounded by
 * the tenant's `maxAccounts` and changed only as a revision (kernel revisions.ts), so concurrent
 * links never exceed the limit nor link one account twice, and none is lost.
 */
export interface AccountLinkListDoc {
  _id: string;
  subscriberId: Types.ObjectId;
  links: AccountLinkDoc[];
  /** Changes made to the list (server/db/kernel/revisions.ts). */
  rev?: number;
}

const linkSchema = new Schema<AccountLinkDoc>(
  {
    realm: { type: String, required: true },
    tenantId: { type: Schema.Types.ObjectId, required: true },
    accountId: { type: String, required: true },
    accountNumber: { type: String, required: true },
    mode: { type: String, enum: ['basic', 'extended'], default: 'basic' },
    linkedAt: { type: Date, default: () => new Date() },
  },
  { _id: false },
);

const linkListSchema = new Schema<AccountLinkListDoc>(
  {
    _id: { type: String, required: true },
    subscriberId: { type: Schema.Types.ObjectId, required: true },
    links: { type: [linkSchema], default: [] },
    rev: { type: Number },
  },
  { versionKey: false, collection: 'account_link_lists' },
);
/** For the readings reminders, a background job that pages through the cabinets with a supplier's links. */
linkListSchema.index({ 'links.tenantId': 1, _id: 1 });
export const AccountLinkList = mongoose.model<AccountLinkListDoc>('AccountLinkList', linkListSchema);
