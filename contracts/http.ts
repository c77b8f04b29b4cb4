/** The platform's own endpoints (server/http). */
import { z } from 'zod';
import { endpoint } from './endpoint.ts';

/** An OpenAPI 3.1 document: the fields a client relies on, the rest as generated. */
const OpenApiDocument = z.looseObject({
  openapi: z.string().meta({ example: '3.1.0' }),
  info: z.object({
    title: z.string(),
    version: z.string().meta({ description: "Gaskit's release" }),
    description: z.string().optional(),
  }),
  paths: z.record(z.string(), z.unknown()),
});

export const http = {
  openapi: endpoint({
    method: 'GET',
    path: '/api/v1/openapi.json',
    root: true,
    auth: 'public',
    summary: 'This document: the API described in OpenAPI 3.1, generated from the endpoint contracts',
    tags: ['Public'],
    response: { status: 200, body: OpenApiDocument, description: 'OpenAPI document' },
    errors: [],
  }),
};
