import mongoose, { Schema, type Types } from 'mongoose';
import { toJSON } from '../db/plugins.ts';

export type LinkMode = 'basic' | 'extended';

/** A personal account linked to a cabinet. `tenantId` is the account's supplier (any tenant of the realm). */
export interface AccountLinkDoc {
  _id: Types.ObjectId;
  tenantId: Types.ObjectId;
  realm: string;
  subscriberId: Types.ObjectId;
  accountId: Types.ObjectId;
  accountNumber: string;
  mode: LinkMode;
  /** The cabinet's slot this link holds (see LinkSlot). */
  slot: number;
  createdAt: Date;
}

const linkSchema = new Schema<AccountLinkDoc>(
  {
    tenantId: { type: Schema.Types.ObjectId, required: true },
    realm: { type: String, required: true },
    subscriberId: { type: Schema.Types.ObjectId, required: true },
    accountId: { type: Schema.Types.ObjectId, required: true },
    accountNumber: { type: String, required: true },
    mode: { type: String, enum: ['basic', 'extended'], default: 'basic' },
    slot: { type: Number, required: true },
    createdAt: { type: Date, default: () => new Date() },
  },
  { versionKey: false },
);
linkSchema.index({ subscriberId: 1, accountId: 1 }, { unique: true });
linkSchema.index({ tenantId: 1, accountId: 1 });
linkSchema.plugin(toJSON);
export const AccountLink = mongoose.model<AccountLinkDoc>('AccountLink', linkSchema);

/**
 * One document per occupied place in a cabinet, unique per (subscriber, slot). Taking a slot is an
 * insert, the one write FerretDB v1 makes atomic, so concurrent links can never exceed the limit.
 */
export interface LinkSlotDoc {
  _id: Types.ObjectId;
  subscriberId: Types.ObjectId;
  slot: number;
}

const slotSchema = new Schema<LinkSlotDoc>(
  { subscriberId: { type: Schema.Types.ObjectId, required: true }, slot: { type: Number, required: true } },
  { versionKey: false },
);
slotSchema.index({ subscriberId: 1, slot: 1 }, { unique: true });
export const LinkSlot = mongoose.model<LinkSlotDoc>('LinkSlot', slotSchema);
