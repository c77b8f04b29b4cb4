/**
 * The bare platform of a request, run as its own process by bench/api-scale.bench.mjs: an HTTP
 * server that answers every request by sending the database commands the Gaskit server sent for
 * that request (the raw limit's replay, replay.mjs) and then the Gaskit server's own answer, its
 * status, content type and bytes. Nothing else: no logging, metrics, security headers, CORS,
 * compression, tenant, session or contract checks. `node bare-server.mjs <mongodb uri> <node|express>`:
 * `node` serves with node:http alone, `express` with one Express route; started with an IPC channel.
 *
 * Messages from the bench: `{ load: { captureFile, label, status, type, body } }` (answered
 * `{ loaded: true }` once the request's commands are ready to replay), `{ cleanUp: true }`
 * (answered `{ cleaned: true }` once the replays' inserts are deleted). The server's port goes out
 * first: `{ port }`.
 */
import { Buffer } from 'node:buffer';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import express from 'express';
import { MongoClient } from 'mongodb';
import { Replayer, parseCapture, waves } from './replay.mjs';

const [uri, mode] = process.argv.slice(2);
if (!uri || !['node', 'express'].includes(mode)) throw new Error('usage: bare-server.mjs <mongodb uri> <node|express>');

const client = await new MongoClient(uri).connect();
let replayer = new Replayer(client);
let current = null;

async function answer(res) {
  const { plan, status, type, body } = current;
  await replayer.once(plan);
  res.writeHead(status, { 'content-type': type, 'content-length': body.length });
  res.end(body);
}

function failed(res, err) {
  res.writeHead(500, { 'content-type': 'text/plain' });
  res.end(String(err?.message ?? err));
}

/** Every request's answer, whatever it asks: its body (if any) is read and dropped. */
function serve(req, res) {
  req.resume();
  answer(res).catch((err) => failed(res, err));
}

const server = http.createServer(mode === 'node' ? serve : express().use(serve));
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
process.send({ port: server.address().port });

process.on('message', async (message) => {
  if (message.load) {
    const { captureFile, label, status, type, body } = message.load;
    const commands = parseCapture(readFileSync(captureFile, 'utf8')).get(label) ?? [];
    await replayer.prepare(commands);
    current = { plan: waves(commands), status, type, body: Buffer.from(body, 'base64') };
    process.send({ loaded: true });
  } else if (message.cleanUp) {
    await replayer.cleanUp();
    replayer = new Replayer(client);
    process.send({ cleaned: true });
  }
});
process.on('disconnect', () => {
  server.close();
  void client.close();
});
