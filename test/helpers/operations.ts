import mongoose from 'mongoose';
import type { CommandStartedEvent, Document } from 'mongodb';

/**
 * A database operation as the database received it, named as the collection method that sends
 * it: its collection, method and arguments (filter or document first). A `find` of one document is
 * `findOne`; an update or delete command of several statements is a `bulkWrite` of them.
 */
export interface Operation {
  collectionName: string;
  method: string;
  params: unknown[];
}

/** The operations one command carries; none for commands outside a collection (getMore, hello…). */
function operationsOf({ commandName: name, command: c }: CommandStartedEvent): Operation[] {
  const collectionName = c[name] as unknown;
  if (typeof collectionName !== 'string') return [];
  const op = (method: string, ...params: unknown[]): Operation[] => [{ collectionName, method, params }];
  // One update or delete statement is its method with the statement's arguments, filter first;
  // several are a bulkWrite of `{ <method>: <arguments by name> }`.
  const statements = (list: Document[], method: (s: Document) => string, args: (s: Document) => Document) =>
    list.length === 1
      ? op(method(list[0]!), ...Object.values(args(list[0]!)))
      : op(
          'bulkWrite',
          list.map((s) => ({ [method(s)]: args(s) })),
        );
  switch (name) {
    case 'find':
      return op(c.limit === 1 ? 'findOne' : 'find', c.filter ?? {});
    case 'insert':
      return c.documents.length === 1 ? op('insertOne', c.documents[0]) : op('insertMany', c.documents);
    case 'update':
      return statements(
        c.updates,
        (u) => (u.multi ? 'updateMany' : 'updateOne'),
        (u) => ({ filter: u.q, update: u.u }),
      );
    case 'delete':
      return statements(
        c.deletes,
        (d) => (d.limit === 1 ? 'deleteOne' : 'deleteMany'),
        (d) => ({ filter: d.q }),
      );
    case 'findAndModify':
      return op(c.remove ? 'findOneAndDelete' : 'findOneAndUpdate', c.query ?? {}, c.update);
    case 'count':
      return op('countDocuments', c.query ?? {});
    case 'aggregate': {
      // countDocuments sends a pipeline of its filter and a count.
      const [match, group] = c.pipeline as Document[];
      return match?.$match && group?.$group?.n && c.pipeline.length === 2
        ? op('countDocuments', match.$match)
        : op('aggregate', c.pipeline);
    }
    default:
      return op(name, c);
  }
}

/**
 * Calls `listener` with each operation the database receives until the returned function is
 * called, as mongoose's debug hook would (collection, method, filter or document first): the test
 * server shares this process, so its requests' operations are seen too, and its driver reports
 * every command it sends, those sent past mongoose included (see test/helpers/server.ts).
 */
export function watchOperations(listener: (collection: string, method: string, ...params: any[]) => void): () => void {
  const client = mongoose.connection.getClient();
  const onCommand = (e: CommandStartedEvent) => {
    for (const op of operationsOf(e)) listener(op.collectionName, op.method, ...op.params);
  };
  client.on('commandStarted', onCommand);
  return () => void client.off('commandStarted', onCommand);
}

/** The operations the database receives while `run` runs (see `watchOperations`), with `run`'s result. */
export async function operationsDuring<T>(run: () => Promise<T>): Promise<{ result: T; ops: Operation[] }> {
  const ops: Operation[] = [];
  const stop = watchOperations((collectionName, method, ...params) => ops.push({ collectionName, method, params }));
  try {
    return { result: await run(), ops };
  } finally {
    stop();
  }
}
