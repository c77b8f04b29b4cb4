import type mongoose from 'mongoose';
import type { Types } from 'mongoose';
import { key } from '../db/kernel/keys.ts';
import { insertMissing, type Migration } from '../db/migrate.ts';
import { LoginKey, Subscriber, type LoginKeyDoc } from './model.ts';

/** The unique index on (realm, login) that login keys replace. */
const LEGACY_LOGIN_INDEX = 'realm_1_login_1';
const BATCH = 500;

/**
 * Cabinets keep their documents and ObjectIds; what is new is the login key of each
 * (`<realm>:<login>` → cabinet), by which sign-in, registration and "forgot password" find a
 * cabinet, and the end of the unique index on (realm, login) that the keys replace. Safe to run
 * again: a key already written is left as it is.
 */
export const migration: Migration = {
  name: 'subscribers',
  legacyCollections: [],
  async run(ctx) {
    const subscribers = ctx.db.collection(Subscriber.collection.collectionName);
    const keys = ctx.db.collection<LoginKeyDoc>(LoginKey.collection.collectionName);
    let moved = 0;
    const write = async (batch: mongoose.mongo.Document[]) => {
      const docs = batch.map((s) => ({
        _id: key(String(s.realm), String(s.login)),
        subscriberId: s._id as Types.ObjectId,
        createdAt: (s.createdAt as Date | undefined) ?? new Date(),
      }));
      moved += await insertMissing(keys, docs);
    };
    let batch: mongoose.mongo.Document[] = [];
    for await (const sub of subscribers.find({}, { projection: { realm: 1, login: 1, createdAt: 1 } })) {
      batch.push(sub);
      if (batch.length === BATCH) {
        await write(batch);
        batch = [];
      }
    }
    await write(batch);
    const exists = await ctx.db.listCollections({ name: subscribers.collectionName }).hasNext();
    if (exists && (await subscribers.indexes()).some((i) => i.name === LEGACY_LOGIN_INDEX)) {
      await subscribers.dropIndex(LEGACY_LOGIN_INDEX);
    }
    ctx.log(`login keys: ${moved}`);
    return { moved };
  },
};
