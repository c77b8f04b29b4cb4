/**
 * The embedded database's decoder of stored documents: what decoding one account's current month
 * (2.7 KB of FerretDB's stored JSON: six charge lines, a balance, dates and ids) costs with
 * FerretDB v1's own decoder and with the one Gaskit builds it with
 * (server/db/ferretdb/sjson_decode.go.overlay), side by side in one `go test -bench` run of a copy
 * of FerretDB's module (test/helpers/ferretdb-module.ts). Every lookup that finds a document pays
 * this once per document found, inside the database process.
 */
import os from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { register } from 'tsx/esm/api';
import { percentile } from './measure.mjs';

const COUNT = 5;

export default async function dbDecodeBench({ root }) {
  const unregister = register();
  const loadBefore = os.loadavg()[0];
  let out;
  try {
    const { ferretdbWithGaskitDecoder } = await import(pathToFileURL(join(root, 'test', 'helpers', 'ferretdb-module.ts')).href);
    const module = await ferretdbWithGaskitDecoder();
    try {
      out = await module.goTest(['-run', '^$', '-bench', '^BenchmarkGaskitDecode$', '-benchmem', `-count=${COUNT}`]);
    } finally {
      await module.remove();
    }
  } finally {
    unregister();
  }
  const runs = { FerretDB: [], Gaskit: [] };
  for (const m of out.matchAll(
    /^BenchmarkGaskitDecode\/(FerretDB|Gaskit)-\d+\s+\d+\s+([\d.]+) ns\/op\s+[\d.]+ MB\/s\s+(\d+) B\/op\s+(\d+) allocs\/op/gm,
  )) {
    runs[m[1]].push({ ns: Number(m[2]), bytes: Number(m[3]), allocs: Number(m[4]) });
  }
  if (runs.FerretDB.length !== COUNT || runs.Gaskit.length !== COUNT) throw new Error(`unexpected go test output:\n${out}`);
  const median = (xs) => percentile(xs, 0.5);
  const row = (name, rs) =>
    `| ${name} | ${(median(rs.map((r) => r.ns)) / 1000).toFixed(0)} µs | ${(rs[0].bytes / 1024).toFixed(1)} KB | ${rs[0].allocs} |`;
  const markdown = [
    `Reproduce with \`node bench/run.mjs db-decode\` (Go's \`go test -bench\`, ${COUNT} runs each, median; ${os.cpus().length} CPUs, load average ${loadBefore.toFixed(1)} → ${os.loadavg()[0].toFixed(1)}). One account's current month, 2.7 KB of stored JSON, decoded into FerretDB's document.`,
    '',
    '| Decoder | Time a document | Memory allocated | Allocations |',
    '| --- | ---: | ---: | ---: |',
    row('FerretDB v1.24.2’s own', runs.FerretDB),
    row('Gaskit’s (the embedded database’s)', runs.Gaskit),
  ].join('\n');
  return { id: 'db-decode', title: 'Embedded database: decoding stored documents', markdown, ok: true };
}
