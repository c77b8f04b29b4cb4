import type { Types } from 'mongoose';
import type { Migration } from '../db/migrate.ts';
import { registerTenantKeys } from './model.ts';

/**
 * Tenants keep their documents; what is new are their keys: each slug's key (`tenant_slugs`) and
 * each realm's list of suppliers (`tenant_realms`), written for every stored tenant. Running it
 * again writes the same keys.
 */
export const migration: Migration = {
  name: 'tenants',
  legacyCollections: [],
  async run(ctx) {
    let moved = 0;
    const cursor = ctx.db
      .collection<{ _id: Types.ObjectId; slug: string; realm: string }>('tenants')
      .find({}, { projection: { slug: 1, realm: 1 } });
    for await (const tenant of cursor) {
      await registerTenantKeys(tenant);
      moved += 1;
    }
    return { moved };
  },
};
