import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The project directory (the nearest one up with a package.json): the same whether the server runs
 * from its TypeScript sources (`server/`) or compiled (`dist/server/`), so the files it reads at
 * run time (locales/, themes/, dist/, examples/, the embedded database's Go sources) are found
 * from either.
 */
function projectRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

export const ROOT = projectRoot(path.dirname(fileURLToPath(import.meta.url)));
