import mongoose from 'mongoose';

/** A database operation as mongoose starts it: its collection, method and arguments (filter or document first). */
export interface Operation {
  collectionName: string;
  method: string;
  params: unknown[];
}

/**
 * The operations mongoose starts while `run` runs (the test server shares this process, so its
 * requests' operations are seen too), with `run`'s result.
 */
export async function operationsDuring<T>(run: () => Promise<T>): Promise<{ result: T; ops: Operation[] }> {
  const ops: Operation[] = [];
  const listener = (e: Operation) => ops.push(e);
  mongoose.connection.on('operation-start', listener);
  try {
    return { result: await run(), ops };
  } finally {
    mongoose.connection.off('operation-start', listener);
  }
}
