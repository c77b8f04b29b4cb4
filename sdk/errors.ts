/** Error codes produced by the SDK itself (the server sends its own snake_case codes). */
export const ClientErrorCode = {
  /** The request never got a response: offline, DNS, CORS refusal, connection reset. */
  network: 'network_error',
  /** The server answered with an error status but without the `{ error: { code } }` body. */
  http: 'http_error',
  /** The server answered with a success status but the body is not valid JSON. */
  invalidResponse: 'invalid_response',
  /** Anything thrown that is not a GaskitError (a bug, not a server answer). */
  unknown: 'unknown',
} as const;

/** Per-field error codes, as in the server's `{ error: { fields } }`: field name → error code. */
export type FieldErrors = Record<string, string>;

/** Values an error message interpolates (`errors:<code>`), e.g. `{ last: "1 000" }`. */
export type ErrorParams = Record<string, unknown>;

export interface GaskitErrorInit {
  code: string;
  message?: string;
  /** HTTP status; 0 when no response was received. */
  status?: number;
  fields?: FieldErrors;
  /** The values of the error's message. */
  params?: ErrorParams;
  /** The values of each field's message, by field name. */
  fieldParams?: Record<string, ErrorParams>;
  cause?: unknown;
}

/**
 * Every failure the SDK reports. `code` is stable and meant for code and i18n
 * (`errors:<code>`); `message` is for logs only and must never be shown to users.
 */
export class GaskitError extends Error {
  override readonly name = 'GaskitError';
  readonly code: string;
  readonly status: number;
  readonly fields: FieldErrors;
  /** The values the text of `errors:<code>` interpolates; render it with them. */
  readonly params: ErrorParams;
  /** The values of each field's error text, by field name. */
  readonly fieldParams: Record<string, ErrorParams>;

  constructor({ code, message, status = 0, fields = {}, params = {}, fieldParams = {}, cause }: GaskitErrorInit) {
    super(message ?? code, cause === undefined ? undefined : { cause });
    this.code = code;
    this.status = status;
    this.fields = fields;
    this.params = params;
    this.fieldParams = fieldParams;
  }
}

/**
 * Cross-bundle check: each self-contained widget bundle has its own copy of the
 * class, so `instanceof` alone would miss errors created by another bundle.
 */
export function isGaskitError(value: unknown): value is GaskitError {
  return (
    value instanceof GaskitError ||
    (value instanceof Error && value.name === 'GaskitError' && typeof (value as GaskitError).code === 'string')
  );
}

/** Returns `value` if it is a GaskitError, otherwise wraps it with code `unknown`. */
export function toGaskitError(value: unknown): GaskitError {
  if (isGaskitError(value)) return value;
  return new GaskitError({
    code: ClientErrorCode.unknown,
    message: value instanceof Error ? value.message : String(value),
    cause: value,
  });
}
