import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReverseProxy {
  url: string;
  /** Requests each upstream answered, in the order of `upstreams`. */
  served: number[];
  close: () => Promise<void>;
}

export interface ReverseProxyOptions {
  /** Base URLs of the servers behind the proxy, used round-robin. */
  upstreams: string[];
  /** The scheme the proxy tells upstreams the client used (X-Forwarded-Proto), as a TLS-terminating balancer does. */
  proto?: 'http' | 'https';
  /** The host the client asked for (X-Forwarded-Host); the proxy's own host when absent. */
  host?: string;
}

/**
 * A reverse proxy on loopback that behaves like nginx with `proxy_add_x_forwarded_for`: it appends
 * the client's address to X-Forwarded-For, sets X-Forwarded-Proto and -Host, and passes every other
 * header and the body through. Upstreams are taken in turn; one that refuses the connection (a
 * killed instance) is skipped for that request, as `proxy_next_upstream error` does. Clients that
 * need distinct addresses bind to 127.0.0.2, 127.0.0.3… (the whole 127/8 is loopback on Linux).
 */
export async function startReverseProxy(opts: ReverseProxyOptions): Promise<ReverseProxy> {
  const upstreams = opts.upstreams.map((u) => new URL(u));
  const served = upstreams.map(() => 0);
  let next = 0;

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const forwardedFor = [req.headers['x-forwarded-for'], req.socket.remoteAddress].filter(Boolean).join(', ');
      const headers = {
        ...req.headers,
        'x-forwarded-for': forwardedFor,
        'x-forwarded-proto': opts.proto ?? 'http',
        'x-forwarded-host': opts.host ?? req.headers.host ?? '',
      };
      const attempt = (tries: number) => {
        const i = next++ % upstreams.length;
        const target = upstreams[i];
        const up = http.request(
          { hostname: target.hostname, port: target.port, method: req.method, path: req.url, headers },
          (upRes) => {
            served[i]++;
            res.writeHead(upRes.statusCode ?? 502, upRes.headers);
            upRes.pipe(res);
          },
        );
        up.on('error', (err: NodeJS.ErrnoException) => {
          if (err.code === 'ECONNREFUSED' && tries + 1 < upstreams.length) return attempt(tries + 1);
          if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
          res.end(`bad gateway: ${err.code ?? err.message}`);
        });
        up.end(body);
      };
      attempt(0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    served,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
