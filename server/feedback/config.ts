import { appContext } from '../app-context.ts';
import type { LimitRule } from '../http/limits.ts';
import type { Config } from '../config.ts';

/** The feedback module's settings of one app (`AppContext.feedback`). */
export interface FeedbackSettings {
  /** Domain of the reply addresses (`reply+<id>.<mac>@<domain>`) whose mail reaches the inbound endpoint. */
  inboundDomain: string;
  /** Signs reply addresses and department download links. */
  secret: string;
  /** Shared with the mail service that posts inbound mail to `POST /api/v1/inbound/email`. */
  inboundSecret: string;
  /** Requests one person may send: per subscriber, or per address for anonymous ones (tests use small windows). */
  limits: { subscriber: LimitRule; anonymous: LimitRule };
}

/** From the validated server config. */
export function feedbackSettings(config: Pick<Config, 'feedback'>): FeedbackSettings {
  return {
    ...config.feedback,
    limits: {
      subscriber: { points: 30, windowMs: 3600_000 },
      anonymous: { points: 10, windowMs: 3600_000 },
    },
  };
}

/** The running app's feedback settings. */
export function feedbackConfig(): FeedbackSettings {
  return appContext().feedback;
}
