import { appContext } from '../app-context.ts';

/**
 * Warnings for the operator from services, which have no request at hand: what is under attack
 * (tenant, account…), never the secret that was tried. They go to the app's alert logger (the
 * server's logger; `AppContext.alerts`).
 */
export function alert(kind: string, fields: Record<string, unknown>, message: string): void {
  appContext().alerts.logger?.warn({ alert: kind, ...fields }, message);
}
