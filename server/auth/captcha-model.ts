import mongoose, { Schema } from 'mongoose';

/** A solved captcha challenge, kept until it expires so the same solution cannot be used twice. */
export interface CaptchaUseDoc {
  /** The challenge nonce: inserting it twice fails on the primary key. */
  _id: string;
  expiresAt: Date;
}

const captchaUseSchema = new Schema<CaptchaUseDoc>(
  { _id: { type: String, required: true }, expiresAt: { type: Date, required: true } },
  { collection: 'captcha_uses', versionKey: false },
);

export const CaptchaUse = mongoose.model<CaptchaUseDoc>('CaptchaUse', captchaUseSchema);

/** Server secrets generated on first use and shared by every instance through the database. */
export interface ServerSecretDoc {
  _id: string;
  value: string;
  createdAt: Date;
}

const secretSchema = new Schema<ServerSecretDoc>(
  {
    _id: { type: String, required: true },
    value: { type: String, required: true },
    createdAt: { type: Date, default: () => new Date() },
  },
  { collection: 'server_secrets', versionKey: false },
);

export const ServerSecret = mongoose.model<ServerSecretDoc>('ServerSecret', secretSchema);
