import { z } from 'zod';

/** The body of every error answer: a stable code the widgets translate (`errors:<code>`), and the field errors of a form. */
export const ErrorBody = z
  .object({
    error: z.object({
      code: z.string().meta({ example: 'tenant_not_found' }),
      message: z.string(),
      params: z
        .record(z.string(), z.unknown())
        .optional()
        .meta({
          description: 'The values the message interpolates (`errors:<code>`), when it has any',
          example: { tenant: 'nope' },
        }),
      fields: z
        .record(
          z.string(),
          z.object({ code: z.string(), message: z.string(), params: z.record(z.string(), z.unknown()).optional() }),
        )
        .optional(),
    }),
  })
  .meta({ id: 'Error' });
export type ErrorBody = z.output<typeof ErrorBody>;
