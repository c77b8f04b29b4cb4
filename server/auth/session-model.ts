import mongoose, { Schema, type Types } from 'mongoose';

/** A signed-in session: `_id` = sha256 of the opaque bearer token (the token itself is never stored). */
export interface SessionDoc {
  _id: string;
  subscriberId: Types.ObjectId;
  realm: string;
  tenantId: Types.ObjectId;
  /** The cabinet's session generation when it was opened: the cabinet moving past it ends the session. */
  generation: number;
  userAgent: string;
  ip: string;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
}

const sessionSchema = new Schema<SessionDoc>(
  {
    _id: { type: String, required: true },
    subscriberId: { type: Schema.Types.ObjectId, required: true },
    realm: { type: String, required: true },
    tenantId: { type: Schema.Types.ObjectId, required: true },
    generation: { type: Number, required: true },
    userAgent: { type: String, default: '' },
    ip: { type: String, default: '' },
    createdAt: { type: Date, default: () => new Date() },
    lastSeenAt: { type: Date, default: () => new Date() },
    expiresAt: { type: Date, required: true },
  },
  { collection: 'auth_sessions', versionKey: false },
);

export const Session = mongoose.model<SessionDoc>('Session', sessionSchema);

/**
 * A cabinet's list of sessions: one gap-free stream per cabinet and period of the session
 * lifetime (`<subscriberId>:<period>:<n>`, server/db/kernel/streams.ts), an entry per sign-in.
 * A session lives no longer than a period, so the live ones are among the newest entries of the
 * current and the previous period; older periods are swept whole.
 */
export interface SessionEntryDoc {
  _id: string;
  stream: string;
  seq: number;
  sessionId: string;
  /** After this no list reads the entry's period any more. */
  expiresAt: Date;
}

const sessionEntrySchema = new Schema<SessionEntryDoc>(
  {
    _id: { type: String, required: true },
    stream: { type: String, required: true },
    seq: { type: Number, required: true },
    sessionId: { type: String, required: true },
    expiresAt: { type: Date, required: true },
  },
  { collection: 'auth_session_entries', versionKey: false },
);

export const SessionEntry = mongoose.model<SessionEntryDoc>('SessionEntry', sessionEntrySchema);
