#!/usr/bin/env node
// `gaskit` command (package.json "bin"): runs server/cli.ts through tsx, like the server itself.
import { register } from 'tsx/esm/api';

register();
await import('./cli.ts');
