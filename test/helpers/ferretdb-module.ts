import { execFile } from 'node:child_process';
import { copyFile, cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { FERRETDB_VERSION } from '../../server/db/embedded.ts';
import { ROOT } from '../../server/root.ts';

const exec = promisify(execFile);
const GO = process.env.GO ?? 'go';

/**
 * A writable copy of FerretDB's module with Gaskit's decoder of its stored JSON
 * (server/db/ferretdb/sjson_decode.go.overlay) and its test (test/server/ferretdb/) added to
 * internal/handler/sjson, FerretDB's own sjson.go kept, so that both decoders can be run side by
 * side with `go test`. The module comes from the Go module cache (downloaded if missing).
 */
export async function ferretdbWithGaskitDecoder(): Promise<{
  goTest(args: string[]): Promise<string>;
  remove(): Promise<void>;
}> {
  const env = { ...process.env, GOFLAGS: '-mod=mod' };
  const dir = await mkdtemp(path.join(os.tmpdir(), 'gaskit-ferretdb-module-'));
  try {
    const { stdout } = await exec(GO, ['mod', 'download', '-json', `github.com/FerretDB/FerretDB@${FERRETDB_VERSION}`], {
      cwd: dir,
      env,
    });
    const module = path.join(dir, 'module');
    await cp((JSON.parse(stdout) as { Dir: string }).Dir, module, { recursive: true });
    await exec('chmod', ['-R', 'u+w', module]);
    // FerretDB's test utilities look for the repository's root by its .git directory.
    await mkdir(path.join(module, '.git'));
    const sjson = path.join(module, 'internal', 'handler', 'sjson');
    await copyFile(path.join(ROOT, 'server', 'db', 'ferretdb', 'sjson_decode.go.overlay'), path.join(sjson, 'gaskit_decode.go'));
    await copyFile(
      path.join(ROOT, 'test', 'server', 'ferretdb', 'gaskit_decode_test.go'),
      path.join(sjson, 'gaskit_decode_test.go'),
    );
    return {
      async goTest(args) {
        const { stdout: out } = await exec(GO, ['test', ...args, './internal/handler/sjson/'], {
          cwd: module,
          env,
          maxBuffer: 16 * 1024 * 1024,
        });
        return out;
      },
      remove: () => rm(dir, { recursive: true, force: true }),
    };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
