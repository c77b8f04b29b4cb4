import { OpenAPIRegistry, OpenApiGeneratorV31, extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Router } from 'express';
import { z } from 'zod';
import { openapiPath, type Endpoint } from '../../contracts/endpoint.ts';
import { ErrorBody } from '../../contracts/errors.ts';
import { http } from '../../contracts/http.ts';
import { ENDPOINTS } from '../../contracts/index.ts';
import { ROOT } from '../root.ts';
import type { Mount } from './mount.ts';

extendZodWithOpenApi(z);

/** Gaskit's release (package.json), which the document and the widgets' packages carry. */
const VERSION = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

const TenantParam = z.string().openapi({ param: { name: 'tenant', in: 'path' }, example: 'sever-gaz' });

function errorResponses(...statuses: number[]) {
  return Object.fromEntries(
    statuses.map((s) => [s, { description: 'Error', content: { 'application/json': { schema: ErrorBody } } }]),
  );
}

const JSON_TYPE = 'application/json';

/** The security of an endpoint's auth: a session may be sent (`sender`), must be, or an API key. */
function securityOf(e: Endpoint): { security?: Record<string, string[]>[] } {
  if (e.auth === 'subscriber' || e.auth === 'session') return { security: [{ bearerAuth: [] }] };
  if (e.auth === 'sender') return { security: [{}, { bearerAuth: [] }] };
  return typeof e.auth === 'object' ? { security: [{ apiKey: [] }] } : {};
}

/** A request body: JSON, and multipart/form-data with its files where the contract takes files; or the raw body's type. */
function bodyOf(e: Endpoint) {
  if (e.rawBody) return { body: { content: { [e.rawBody]: { schema: z.string() } } } };
  if (!e.body) return {};
  const content: Record<string, { schema: z.ZodType }> = { [JSON_TYPE]: { schema: e.body } };
  if (e.files) {
    const files = z.array(z.string().openapi({ format: 'binary' })).max(e.files.max);
    content['multipart/form-data'] = { schema: (e.body as z.ZodObject).extend({ [e.files.field]: files }) };
  }
  return { body: { content } };
}

/** An answer's content: JSON by its schema, a file of any type, or text of the declared type. */
function answerContent(answer: Exclude<Endpoint['response']['body'], null>) {
  if (answer === 'file') return { '*/*': { schema: z.string().openapi({ format: 'binary' }) } };
  return typeof answer === 'string' ? { [answer]: { schema: z.string() } } : { [JSON_TYPE]: { schema: answer } };
}

/** An endpoint's OpenAPI operation, from its contract. */
function register(openapi: OpenAPIRegistry, e: Endpoint): void {
  const own = e.params as z.ZodObject | undefined;
  const params = e.root ? own : z.object({ tenant: TenantParam, ...own?.shape });
  const answer = e.response.body;
  openapi.registerPath({
    method: e.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete',
    path: openapiPath(e),
    summary: e.summary,
    ...(e.description ? { description: e.description } : {}),
    tags: e.tags,
    ...securityOf(e),
    request: {
      ...(params && Object.keys(params.shape).length ? { params } : {}),
      ...(e.query ? { query: e.query as z.ZodObject } : {}),
      ...(e.headers || e.idempotency
        ? {
            headers: z.object({
              ...(e.idempotency ? { 'Idempotency-Key': z.string().optional() } : {}),
              ...(e.headers as z.ZodObject | undefined)?.shape,
            }),
          }
        : {}),
      ...bodyOf(e),
    },
    responses: {
      [e.response.status]: {
        description: e.response.description,
        ...(answer === null ? {} : { content: answerContent(answer) }),
      },
      ...errorResponses(...e.errors),
    },
  });
}

/** The OpenAPI document of every contract's endpoint (contracts/) but the development tools (`local`). */
function build() {
  const openapi = new OpenAPIRegistry();
  openapi.registerComponent('securitySchemes', 'bearerAuth', { type: 'http', scheme: 'bearer' });
  openapi.registerComponent('securitySchemes', 'apiKey', {
    type: 'http',
    scheme: 'bearer',
    description: 'Integration API key of the tenant',
  });
  for (const e of ENDPOINTS) if (e.auth !== 'local') register(openapi, e);
  const document = new OpenApiGeneratorV31(openapi.definitions).generateDocument({
    openapi: '3.1.0',
    info: { title: 'Gaskit API', version: VERSION, description: 'Subscriber and integration API of Gaskit.' },
    servers: [{ url: '/api/v1' }],
  });
  return { ...document, paths: document.paths ?? {} };
}

let built: ReturnType<typeof build> | undefined;

/** The document, built on first use: the contracts do not change while the process runs. */
export function openapiDocument(): ReturnType<typeof build> {
  built ??= build();
  return built;
}

/** `GET /api/v1/openapi.json`: the document. */
export function documentRoutes(mount: Mount): Router {
  const router = Router();
  mount(router, http.openapi, () => openapiDocument());
  return router;
}
