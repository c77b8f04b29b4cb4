import type { Config } from '../config.ts';

export interface FeedbackConfig {
  /** The server's public origin for links in emails; unset, the origin a request came in on. */
  publicUrl: string | undefined;
  /** Domain of the reply addresses (`reply+<id>.<mac>@<domain>`) whose mail reaches the inbound endpoint. */
  inboundDomain: string;
  /** Signs reply addresses and department download links. */
  secret: string;
  /** Shared with the mail service that posts inbound mail to `POST /api/v1/inbound/email`. */
  inboundSecret: string;
}

/** The feedback module's settings, from the validated server config (`configureFeedback` at start-up). */
export const feedbackConfig: FeedbackConfig = {
  publicUrl: undefined,
  inboundDomain: 'localhost',
  secret: '',
  inboundSecret: '',
};

export function configureFeedback(config: Config): void {
  Object.assign(feedbackConfig, { publicUrl: config.publicUrl?.replace(/\/+$/, ''), ...config.feedback });
}
