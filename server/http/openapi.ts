import { OpenAPIRegistry, OpenApiGeneratorV31, extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ROOT } from '../root.ts';

extendZodWithOpenApi(z);

/** Each module registers its paths here from its schemas.ts; the document is generated from them. */
export const openapi = new OpenAPIRegistry();

/** Gaskit's release (package.json), which the document and the widgets' packages carry. */
const VERSION = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

export const ErrorBody = openapi.register(
  'Error',
  z.object({
    error: z.object({
      code: z.string().openapi({ example: 'tenant_not_found' }),
      message: z.string(),
      params: z
        .record(z.string(), z.unknown())
        .optional()
        .openapi({
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
  }),
);

export const TenantParam = z.string().openapi({ param: { name: 'tenant', in: 'path' }, example: 'sever-gaz' });

export function errorResponses(...statuses: number[]) {
  return Object.fromEntries(
    statuses.map((s) => [s, { description: 'Error', content: { 'application/json': { schema: ErrorBody } } }]),
  );
}

export function openapiDocument() {
  return new OpenApiGeneratorV31(openapi.definitions).generateDocument({
    openapi: '3.1.0',
    info: { title: 'Gaskit API', version: VERSION, description: 'Subscriber and integration API of Gaskit.' },
    servers: [{ url: '/api/v1' }],
  });
}
