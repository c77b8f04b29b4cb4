// The server's entry point (`node dist/server/main.js`, `tsx server/main.ts`). The environment is
// checked before the rest of the server is loaded, so a bad one is refused at once.
import { ConfigError, loadConfig } from './config.ts';
import { EmbeddedDbError } from './db/embedded.ts';

try {
  const config = loadConfig();
  const { start } = await import('./start.ts');
  await start(config);
} catch (err) {
  if (err instanceof ConfigError || err instanceof EmbeddedDbError) {
    process.stderr.write(`gaskit: ${err.message}\n`);
  } else {
    process.stderr.write(`gaskit: failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  }
  process.exit(1);
}
