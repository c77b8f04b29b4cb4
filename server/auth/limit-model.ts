import mongoose, { Schema, type Types } from 'mongoose';

/**
 * One counted event (a request, a failed password, a code attempt) under a key such as
 * `register:ip:1.2.3.4`. Limits insert first and count after, which stays exact under
 * concurrency on FerretDB v1 too, where `$inc` read-modify-writes lose updates.
 */
export interface RateHitDoc {
  _id: Types.ObjectId;
  key: string;
  at: Date;
  /** Past this the event no longer counts anywhere; the sweep deletes it. */
  expiresAt: Date;
}

const rateHitSchema = new Schema<RateHitDoc>(
  {
    key: { type: String, required: true },
    at: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
  },
  { collection: 'ratelimits', versionKey: false },
);
rateHitSchema.index({ key: 1, at: -1 });
rateHitSchema.index({ expiresAt: 1 });

export const RateHit = mongoose.model<RateHitDoc>('RateHit', rateHitSchema);
