import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { ROOT } from './process.ts';

const TSC = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

/** Runs npm in `cwd` and answers its output (throws on a non-zero exit). */
export const npm = (args: string[], cwd: string): string => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: 'pipe' });

/** Type-checks the temp project in `dir`; the answer is tsc's output, empty when it passes. */
export function typecheck(dir: string): string {
  try {
    execFileSync(process.execPath, [TSC, '-p', dir], { cwd: dir, encoding: 'utf8', stdio: 'pipe' });
    return '';
  } catch (error) {
    return String((error as { stdout?: string }).stdout);
  }
}
