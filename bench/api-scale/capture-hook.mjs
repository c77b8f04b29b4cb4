/**
 * Loaded into the benchmarked server process only (`NODE_OPTIONS=--import <this file>`, set by
 * bench/api-scale.bench.mjs; nothing in server/ knows of it): records the database commands that
 * one HTTP request sends, so that the bench can replay exactly those with the raw driver.
 *
 * A request carrying `X-Bench-Capture: <label>` runs in an AsyncLocalStorage context (entered when
 * Node publishes `http.server.request.start`); every command the driver starts inside that context
 * is appended, once it has finished, as one EJSON line to the file named by `API_SCALE_CAPTURE_FILE`:
 * `{ label, name, db, command, startedMs, endedMs, ok }`. Command monitoring (`monitorCommands`)
 * is switched on by wrapping `mongoose.connect`; requests without the header record nothing.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { subscribe } from 'node:diagnostics_channel';
import { appendFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import mongoose from 'mongoose';

const file = process.env.API_SCALE_CAPTURE_FILE;
if (file) {
  const { BSON } = mongoose.mongo;
  const { EJSON } = BSON;
  const context = new AsyncLocalStorage();
  const started = new Map();

  subscribe('http.server.request.start', ({ request }) => {
    const label = request.headers['x-bench-capture'];
    context.enterWith({ label: typeof label === 'string' ? label : null });
  });

  const connect = mongoose.connect.bind(mongoose);
  mongoose.connect = async (uri, options = {}) => {
    const connected = await connect(uri, { ...options, monitorCommands: true });
    const client = mongoose.connection.getClient();
    client.on('commandStarted', (event) => {
      const label = context.getStore()?.label;
      if (!label) return;
      started.set(event.requestId, {
        label,
        name: event.commandName,
        db: event.databaseName,
        // As the driver sends it: a mongoose document inside (a subdocument in a `$set`) goes through its toBSON.
        command: BSON.deserialize(BSON.serialize(event.command), { promoteValues: false }),
        startedMs: performance.now(),
      });
    });
    const finish = (ok) => (event) => {
      const entry = started.get(event.requestId);
      if (!entry) return;
      started.delete(event.requestId);
      const line = { ...entry, endedMs: performance.now(), ok };
      appendFileSync(file, `${EJSON.stringify(line, { relaxed: false })}\n`);
    };
    client.on('commandSucceeded', finish(true));
    client.on('commandFailed', finish(false));
    return connected;
  };
}
