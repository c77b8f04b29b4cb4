/**
 * Domain errors. Services throw these; they know nothing of HTTP. The central error
 * handler maps each kind to a status and renders `{ error: { code, message, fields } }`,
 * with the message translated from `errors:<code>` in the request's language.
 */
export type ErrorKind =
  'invalid' | 'unauthenticated' | 'forbidden' | 'not_found' | 'conflict' | 'rule' | 'too_large' | 'rate_limited' | 'unavailable';

export type FieldErrors = Record<string, { code: string; params?: Record<string, unknown> }>;

export class DomainError extends Error {
  override name = 'DomainError';
  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    readonly params: Record<string, unknown> = {},
    readonly fields?: FieldErrors,
  ) {
    super(code);
  }
}

export class ValidationError extends DomainError {
  constructor(fields: FieldErrors, code = 'validation_failed', params: Record<string, unknown> = {}) {
    super('invalid', code, params, fields);
  }
}
export class NotFoundError extends DomainError {
  constructor(code = 'not_found', params: Record<string, unknown> = {}) {
    super('not_found', code, params);
  }
}
export class RuleViolation extends DomainError {
  constructor(code: string, params: Record<string, unknown> = {}, fields?: FieldErrors) {
    super('rule', code, params, fields);
  }
}
export class ConflictError extends DomainError {
  constructor(code: string, params: Record<string, unknown> = {}) {
    super('conflict', code, params);
  }
}
export class AuthError extends DomainError {
  constructor(code = 'unauthenticated', params: Record<string, unknown> = {}) {
    super('unauthenticated', code, params);
  }
}
export class ForbiddenError extends DomainError {
  constructor(code = 'forbidden', params: Record<string, unknown> = {}) {
    super('forbidden', code, params);
  }
}
export class RateLimitError extends DomainError {
  constructor(
    readonly retryAfterSeconds: number,
    code = 'rate_limited',
  ) {
    super('rate_limited', code, { seconds: retryAfterSeconds });
  }
}

/** The service cannot answer now (its database is away); the client may retry after the given seconds. */
export class UnavailableError extends DomainError {
  constructor(
    readonly retryAfterSeconds: number,
    code = 'unavailable',
  ) {
    super('unavailable', code, { seconds: retryAfterSeconds });
  }
}

export const STATUS_BY_KIND: Record<ErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  rule: 422,
  too_large: 413,
  rate_limited: 429,
  unavailable: 503,
};
