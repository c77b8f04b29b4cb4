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
/** For the one-time enrolment of a supplier's cabinets (`SupplierCabinet`), links written before it. */
linkListSchema.index({ 'links.tenantId': 1, _id: 1 });
export const AccountLinkList = mongoose.model<AccountLinkListDoc>('AccountLinkList', linkListSchema);

/**
 * The cabinets that linked an account of a supplier, for its background jobs (readings
 * reminders): a gap-free stream per supplier, `cabinets:<tenantId>:<seq>` (kernel streams.ts),
 * read a page at a time by `_id`, each cabinet's link list then looked up by its `_id`. A cabinet
 * is appended before its first link of the supplier (`SupplierCabinetMark` says it is there) and
 * stays when it unlinks: a reader checks the list itself.
 */
export interface SupplierCabinetDoc {
  _id: string;
  stream: string;
  seq: number;
  subscriberId: Types.ObjectId;
}

const supplierCabinetSchema = new Schema<SupplierCabinetDoc>(
  {
    _id: { type: String, required: true },
    stream: { type: String, required: true },
    seq: { type: Number, required: true },
    subscriberId: { type: Schema.Types.ObjectId, required: true },
  },
  { versionKey: false, collection: 'account_supplier_cabinets' },
);
export const SupplierCabinet = mongoose.model<SupplierCabinetDoc>('SupplierCabinet', supplierCabinetSchema);

/**
 * Marks of the supplier cabinet streams: `<tenantId>:<subscriberId>` once the cabinet is in the
 * supplier's stream, `<tenantId>:enrolled` once the links written before the streams are in it.
 */
export interface SupplierCabinetMarkDoc {
  _id: string;
}

const supplierCabinetMarkSchema = new Schema<SupplierCabinetMarkDoc>(
  { _id: { type: String, required: true } },
  { versionKey: false, collection: 'account_supplier_cabinet_marks' },
);
export const SupplierCabinetMark = mongoose.model<SupplierCabinetMarkDoc>('SupplierCabinetMark', supplierCabinetMarkSchema);
