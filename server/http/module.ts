import type { ModuleManifest } from '../manifest.ts';
import { ticketsWorker } from '../workers.ts';
import { idempotencySweepWorker } from './idempotency.ts';

/** The sweeps of what every module leaves behind: idempotency keys and lease tickets. */
export const httpModule: ModuleManifest = { name: 'http', workers: [idempotencySweepWorker, ticketsWorker] };
