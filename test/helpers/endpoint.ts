import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordingEndpoint {
  url: string;
  /** Every request received, in order. */
  hits: { headers: IncomingHttpHeaders; body: string }[];
  close(): Promise<void>;
}

/** An HTTP endpoint (a tenant's webhook) answering with the given statuses in turn, recording what it got. */
export async function startEndpoint(statuses: number[] = [200]): Promise<RecordingEndpoint> {
  const hits: RecordingEndpoint['hits'] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      hits.push({ headers: req.headers, body });
      res.writeHead(statuses[Math.min(hits.length - 1, statuses.length - 1)]!).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    hits,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
