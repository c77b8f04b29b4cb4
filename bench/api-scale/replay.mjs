/**
 * The raw-driver limit of a request: the database commands the server sent for it (recorded by
 * capture-hook.mjs), sent again with the plain mongodb driver, in the same order and with the same
 * overlap (commands the server had in flight together go together), filters and all. Cursors are
 * read to the end, as mongoose does; inserts get fresh values where a unique index would refuse a
 * second copy (`_id` and one field of each other unique index), and are deleted again afterwards.
 */
import { BSON, ObjectId } from 'mongodb';

const { EJSON } = BSON;
/** Fields the driver adds to every command; the replaying client adds its own. */
const DRIVER_FIELDS = ['lsid', '$clusterTime', '$db', 'txnNumber', '$readPreference', 'autocommit', 'startTransaction'];
/** Cursor traffic is replayed by reading each cursor to its end. */
const SKIPPED = new Set(['getMore', 'killCursors', 'endSessions']);

/** The capture file's lines grouped by label, commands in the order they started. */
export function parseCapture(text) {
  const byLabel = new Map();
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const entry = EJSON.parse(line, { relaxed: false });
    const list = byLabel.get(entry.label) ?? [];
    list.push({
      name: entry.name,
      db: entry.db,
      json: EJSON.stringify(entry.command, { relaxed: false }),
      command: entry.command,
      startedMs: Number(entry.startedMs),
      endedMs: Number(entry.endedMs),
    });
    byLabel.set(entry.label, list);
  }
  for (const list of byLabel.values()) list.sort((a, b) => a.startedMs - b.startedMs);
  return byLabel;
}

const isKeyFilter = (filter) =>
  filter !== null &&
  typeof filter === 'object' &&
  Object.keys(filter).length === 1 &&
  '_id' in filter &&
  (typeof filter._id === 'string' || filter._id instanceof ObjectId);

/** Whether a command finds its documents by `_id` alone (inserts count: they write by key). */
export function byKey({ name, command }) {
  if (name === 'insert') return true;
  if (name === 'find' || name === 'count') return isKeyFilter(command.filter ?? command.query ?? {});
  if (name === 'findAndModify') return isKeyFilter(command.query ?? {});
  if (name === 'update') return command.updates.every((u) => isKeyFilter(u.q));
  if (name === 'delete') return command.deletes.every((d) => isKeyFilter(d.q));
  return false;
}

/** One line per command: `find accounts {tenantId,_id}`. */
export function describe({ name, command }) {
  const collection = command[name];
  const fields = (filter) => `{${Object.keys(filter ?? {}).join(',')}}`;
  if (name === 'find' || name === 'count' || name === 'distinct')
    return `${name} ${collection} ${fields(command.filter ?? command.query)}`;
  if (name === 'findAndModify') return `${name} ${collection} ${fields(command.query)}`;
  if (name === 'update') return `update ${collection} ${command.updates.map((u) => fields(u.q)).join(' ')}`;
  if (name === 'delete') return `delete ${collection} ${command.deletes.map((d) => fields(d.q)).join(' ')}`;
  if (name === 'aggregate') return `aggregate ${collection} ${fields(command.pipeline?.[0]?.$match)}`;
  if (name === 'insert') return `insert ${collection}`;
  return `${name} ${typeof collection === 'string' ? collection : ''}`.trim();
}

/** Commands in waves: a command joins the current wave when it started before any command of the wave had finished. */
export function waves(commands) {
  const out = [];
  let wave = [];
  let firstEnd = Infinity;
  for (const c of commands.filter((c) => !SKIPPED.has(c.name))) {
    if (wave.length && c.startedMs >= firstEnd) {
      out.push(wave);
      wave = [];
      firstEnd = Infinity;
    }
    wave.push(c);
    firstEnd = Math.min(firstEnd, c.endedMs);
  }
  if (wave.length) out.push(wave);
  return out;
}

const isZero = (id) => (typeof id === 'object' && id !== null ? id.isZero() : Number(id) === 0);

function getPath(doc, path) {
  return path.split('.').reduce((v, k) => (v === null || typeof v !== 'object' ? undefined : v[k]), doc);
}

function setPath(doc, path, value) {
  const keys = path.split('.');
  const last = keys.pop();
  const parent = keys.reduce((v, k) => (v === null || typeof v !== 'object' ? undefined : v[k]), doc);
  if (parent && typeof parent === 'object') parent[last] = value;
}

/** A value no earlier copy has: a new ObjectId, a suffixed string, a number far above the real ones. */
function fresh(value, n) {
  if (value instanceof ObjectId) return new ObjectId();
  if (typeof value === 'string') return `${value}~replay${n}`;
  if (typeof value === 'number') return value + 1e12 + n;
  if (value?._bsontype === 'Int32' || value?._bsontype === 'Double') return new BSON.Double(value.valueOf() + 1e12 + n);
  if (value?._bsontype === 'Long') return value.add(1e12 + n);
  return value;
}

/**
 * An update's `$set` with its dates moved on by `n` ms: FerretDB writes nothing for an update that
 * changes nothing, and a replay of the same `$set` would measure no write at all; every update the
 * server sends sets `updatedAt`, and a date a few ms later changes nothing else the server reads.
 */
function moveDates(update, n) {
  const set = update?.$set;
  if (!set || typeof set !== 'object') return;
  for (const [field, value] of Object.entries(set)) if (value instanceof Date) set[field] = new Date(value.getTime() + n);
}

export class Replayer {
  /** `client`: a connected MongoClient on the server's database. */
  constructor(client) {
    this.client = client;
    this.uniqueFields = new Map();
    this.inserted = [];
    this.counter = 0;
  }

  /** Per unique index other than `_id`, the field to vary: its last string field, else its last field. */
  async prepare(commands) {
    for (const c of commands) {
      if (c.name !== 'insert') continue;
      const key = `${c.db}.${c.command.insert}`;
      if (this.uniqueFields.has(key)) continue;
      const indexes = await this.client.db(c.db).collection(c.command.insert).indexes();
      const sample = c.command.documents[0] ?? {};
      const fields = indexes
        .filter((ix) => ix.unique && ix.name !== '_id_')
        .map((ix) => {
          const paths = Object.keys(ix.key);
          return [...paths].reverse().find((p) => typeof getPath(sample, p) === 'string') ?? paths.at(-1);
        });
      this.uniqueFields.set(key, fields);
    }
  }

  async run(c) {
    const db = this.client.db(c.db);
    const command = EJSON.parse(c.json, { relaxed: false });
    for (const field of DRIVER_FIELDS) delete command[field];
    if (c.name === 'insert') {
      const fields = this.uniqueFields.get(`${c.db}.${command.insert}`) ?? [];
      for (const doc of command.documents) {
        const n = (this.counter += 1);
        doc._id = doc._id === undefined ? new ObjectId() : fresh(doc._id, n);
        for (const f of fields) setPath(doc, f, fresh(getPath(doc, f), n));
        this.inserted.push({ db: c.db, collection: command.insert, _id: doc._id });
      }
    }
    if (c.name === 'update') for (const u of command.updates) moveDates(u.u, (this.counter += 1));
    if (c.name === 'findAndModify') moveDates(command.update, (this.counter += 1));
    const res = await db.command(command);
    if (res.writeErrors?.length) throw new Error(`${c.name} ${command[c.name]}: ${res.writeErrors[0].errmsg}`);
    let cursor = res.cursor;
    while (cursor && !isZero(cursor.id)) {
      const [database, ...rest] = cursor.ns.split('.');
      const id = typeof cursor.id === 'object' ? cursor.id : BSON.Long.fromValue(cursor.id);
      const more = await this.client.db(database).command({ getMore: id, collection: rest.join('.') });
      cursor = more.cursor;
    }
  }

  /** One request's commands, wave after wave. */
  async once(plan) {
    for (const wave of plan) await Promise.all(wave.map((c) => this.run(c)));
  }

  /** Deletes what the replays inserted, by `_id`, 50 to a command. */
  async cleanUp() {
    const groups = new Map();
    for (const doc of this.inserted) {
      const key = `${doc.db}.${doc.collection}`;
      groups.set(key, [...(groups.get(key) ?? []), doc]);
    }
    for (const docs of groups.values()) {
      const collection = this.client.db(docs[0].db).collection(docs[0].collection);
      for (let at = 0; at < docs.length; at += 50) {
        await collection.bulkWrite(
          docs.slice(at, at + 50).map((d) => ({ deleteOne: { filter: { _id: d._id } } })),
          { ordered: false },
        );
      }
    }
    this.inserted = [];
  }
}
