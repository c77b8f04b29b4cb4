import type { Logger } from 'pino';

/**
 * Warnings for the operator from services, which have no request at hand: what is under attack
 * (tenant, account…), never the secret that was tried. Start-up gives the server's logger.
 */
const sink: { logger: Logger | undefined } = { logger: undefined };

/** Sets the logger alerts go to; returns the one before. */
export function configureAlerts(logger: Logger | undefined): Logger | undefined {
  const previous = sink.logger;
  sink.logger = logger;
  return previous;
}

/** One warn line, `alert` naming its kind. */
export function alert(kind: string, fields: Record<string, unknown>, message: string): void {
  sink.logger?.warn({ alert: kind, ...fields }, message);
}
