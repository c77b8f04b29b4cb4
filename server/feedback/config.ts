import type { Config } from '../config.ts';

export interface FeedbackConfig {
  /** Domain of the reply addresses (`reply+<id>.<mac>@<domain>`) whose mail reaches the inbound endpoint. */
  inboundDomain: string;
  /** Signs reply addresses and department download links. */
  secret: string;
  /** Shared with the mail service that posts inbound mail to `POST /api/v1/inbound/email`. */
  inboundSecret: string;
}

/** The feedback module's settings, from the validated server config (`configureFeedback` at start-up). */
export const feedbackConfig: FeedbackConfig = {
  inboundDomain: 'localhost',
  secret: '',
  inboundSecret: '',
};

export function configureFeedback(config: Config): void {
  Object.assign(feedbackConfig, config.feedback);
}
