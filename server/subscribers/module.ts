import type { ModuleManifest } from '../manifest.ts';

/** The cabinets themselves (store and deletion hooks); the signed-in person's `me` routes are auth's. */
export const subscribersModule: ModuleManifest = { name: 'subscribers' };
