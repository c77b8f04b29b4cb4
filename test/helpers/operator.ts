import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runToEnd } from './process.ts';
import { testServer } from './server.ts';

/**
 * A database of its own on the test server's FerretDB, for a server process of a test, with one
 * supplier created by `gaskit tenants create` as an operator would (e-mail logins, link
 * confirmation, no captcha). Returns its MONGODB_URI.
 */
export async function databaseWithTenant(slug: string): Promise<string> {
  const uri = `mongodb://127.0.0.1:${testServer().db.port}/gaskit_${randomBytes(4).toString('hex')}`;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'gaskit-tenant-'));
  try {
    const file = path.join(dir, 'tenant.json');
    const tenant = { slug, name: 'Тестгаз', legalName: 'ООО «Тестгаз»', realm: slug, registration: { captcha: false } };
    await writeFile(file, JSON.stringify(tenant));
    const created = await runToEnd(['--import', 'tsx', 'server/cli.ts', 'tenants', 'create', file], {
      ...(process.env as Record<string, string>),
      MONGODB_URI: uri,
      NODE_ENV: 'test',
      LANG: 'en_US.UTF-8',
    });
    if (created.code !== 0) throw new Error(`gaskit tenants create: ${created.output}`);
    return uri;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
