import type { z } from 'zod';
import type { FieldErrors } from './errors.ts';

/** The limit a too-small or too-big value missed, which its text names. */
function limitOf(issue: z.core.$ZodIssue): { params?: Record<string, unknown> } {
  if (issue.code === 'too_small') return { params: { min: Number(issue.minimum) } };
  if (issue.code === 'too_big') return { params: { max: Number(issue.maximum) } };
  return {};
}

/** zod issue → stable error code the widgets translate (`errors:<code>`), with the values its text names. */
function issueCode(issue: z.core.$ZodIssue): { code: string; params?: Record<string, unknown> } {
  if (issue.message && /^[a-z][a-z0-9_]*$/.test(issue.message)) return { code: issue.message, ...limitOf(issue) };
  switch (issue.code) {
    case 'invalid_type':
      return { code: issue.input === undefined ? 'required' : 'invalid_type' };
    case 'too_small':
      return { code: 'too_small', params: { min: Number(issue.minimum) } };
    case 'too_big':
      return { code: 'too_big', params: { max: Number(issue.maximum) } };
    case 'invalid_format':
      return { code: issue.format === 'email' ? 'invalid_email' : 'invalid_format' };
    case 'invalid_value':
      return { code: 'invalid_value' };
    case 'unrecognized_keys':
      return { code: 'unknown_field' };
    default:
      return { code: 'invalid_value' };
  }
}

/** A zod error as field errors, keyed by the path of each issue (`_` for the whole value). */
export function toFieldErrors(error: z.ZodError): FieldErrors {
  const fields: FieldErrors = {};
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) fields[[...issue.path, key].join('.')] = { code: 'unknown_field' };
      continue;
    }
    const key = issue.path.join('.') || '_';
    fields[key] ??= issueCode(issue);
  }
  return fields;
}
