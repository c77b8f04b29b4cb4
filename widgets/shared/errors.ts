import { html, type TemplateResult } from 'lit';
import { toGaskitError } from '../../sdk/errors.ts';
import type { LocalizeController } from './localize.ts';

/**
 * The text for an error code: `errors:<code>`, or `errors:unknown` when the
 * code has no text. Server messages are never shown.
 */
export function errorText(localize: LocalizeController, code: string, params: Record<string, unknown> = {}): string {
  const key = `errors:${code}`;
  return localize.t(localize.exists(key) ? key : 'errors:unknown', params);
}

/** The text for anything an SDK call threw: its code's text with the values the server sent for it. */
export function gaskitErrorText(localize: LocalizeController, error: unknown): string {
  const { code, params } = toGaskitError(error);
  return errorText(localize, code, params);
}

/** An announced error message for anything an SDK call threw. */
export function renderError(localize: LocalizeController, error: unknown): TemplateResult {
  return html`<p part="error" class="error" role="alert">${gaskitErrorText(localize, error)}</p>`;
}
