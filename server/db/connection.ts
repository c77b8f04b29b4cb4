import mongoose from 'mongoose';

mongoose.set('sanitizeFilter', true);
mongoose.set('strictQuery', 'throw');
mongoose.set('strict', 'throw');

export async function connectDb(uri: string, dbName?: string): Promise<typeof mongoose> {
  await mongoose.connect(uri, {
    ...(dbName ? { dbName } : {}),
    serverSelectionTimeoutMS: 5000,
    autoIndex: true,
  });
  await syncIndexes();
  return mongoose;
}

/** Builds every registered model's indexes (unique ones carry invariants, so they must exist before use). */
export async function syncIndexes(): Promise<void> {
  for (const model of Object.values(mongoose.connection.models)) await model.createIndexes();
}

export function isDbReady(): boolean {
  return mongoose.connection.readyState === 1;
}

export async function pingDb(timeoutMs = 1000): Promise<boolean> {
  const db = mongoose.connection.db;
  if (!db || mongoose.connection.readyState !== 1) return false;
  try {
    await Promise.race([
      db.command({ ping: 1 }),
      new Promise((_, reject) => setTimeout(() => reject(new Error('ping timeout')), timeoutMs)),
    ]);
    return true;
  } catch {
    return false;
  }
}

export async function disconnectDb(): Promise<void> {
  await mongoose.disconnect();
}
