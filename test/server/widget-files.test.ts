import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { expect } from 'chai';
import { ROOT } from '../helpers/process.ts';
import { rawGet as get, testServer } from '../helpers/server.ts';

describe('widget files under /dist: compressed and cached', () => {
  const dist = path.join(ROOT, 'dist');
  const source = Buffer.from(`export const served = ${JSON.stringify('x'.repeat(4000))};\n`);
  // Files as the build writes them: a stable entry name and a content-hashed chunk, each with its
  // brotli and gzip copies.
  const stable = 'widgets/widget-files-test.js';
  // Built beside the widget files but not for pages: the compiled server and the npm packages.
  const private_ = ['server/widget-files-test.js', 'packages/widget-files-test.js'];
  const hashed = 'chunks/widget-files-test-Ab3_x-9Z.js';

  before(async () => {
    for (const dir of ['chunks', 'widgets', 'server', 'packages']) await mkdir(path.join(dist, dir), { recursive: true });
    for (const name of [stable, hashed, ...private_]) {
      await writeFile(path.join(dist, name), source);
      await writeFile(path.join(dist, `${name}.br`), brotliCompressSync(source));
      await writeFile(path.join(dist, `${name}.gz`), gzipSync(source));
    }
  });

  after(async () => {
    for (const name of [stable, hashed, ...private_]) {
      for (const suffix of ['', '.br', '.gz']) await rm(path.join(dist, name + suffix), { force: true });
    }
  });

  it('sends the brotli copy to a browser that accepts br, as JavaScript', async () => {
    const res = await get(`${testServer().baseUrl}/dist/${stable}`, { 'Accept-Encoding': 'gzip, deflate, br, zstd' });
    expect(res.status).to.equal(200);
    expect(res.headers['content-encoding']).to.equal('br');
    expect(res.headers['content-type']).to.match(/^(?:text|application)\/javascript/);
    expect(res.headers.vary).to.match(/Accept-Encoding/i);
    expect(res.headers['access-control-allow-origin']).to.equal('*');
    expect(brotliDecompressSync(res.body).equals(source)).to.equal(true);
    expect(res.body.length).to.be.below(source.length);
  });

  it('sends the gzip copy when only gzip is accepted, and the file itself when nothing is', async () => {
    const gz = await get(`${testServer().baseUrl}/dist/${stable}`, { 'Accept-Encoding': 'gzip' });
    expect(gz.headers['content-encoding']).to.equal('gzip');
    expect(gunzipSync(gz.body).equals(source)).to.equal(true);
    const plain = await get(`${testServer().baseUrl}/dist/${stable}`, { 'Accept-Encoding': 'identity' });
    expect(plain.headers['content-encoding']).to.equal(undefined);
    expect(plain.body.equals(source)).to.equal(true);
  });

  it('caches content-hashed chunks for a year as immutable, stable names for five minutes', async () => {
    const chunk = await get(`${testServer().baseUrl}/dist/${hashed}`, { 'Accept-Encoding': 'br' });
    expect(chunk.status).to.equal(200);
    expect(chunk.headers['cache-control']).to.equal('public, max-age=31536000, immutable');
    const entry = await get(`${testServer().baseUrl}/dist/${stable}`, { 'Accept-Encoding': 'br' });
    expect(entry.headers['cache-control']).to.equal('public, max-age=300');
  });

  it('answers 304 to If-None-Match with the ETag of the same encoding, and a full answer for another encoding', async () => {
    const first = await get(`${testServer().baseUrl}/dist/${stable}`, { 'Accept-Encoding': 'br' });
    const etag = first.headers.etag!;
    expect(etag).to.be.a('string');
    const again = await get(`${testServer().baseUrl}/dist/${stable}`, { 'Accept-Encoding': 'br', 'If-None-Match': etag });
    expect(again.status).to.equal(304);
    expect(again.body.length).to.equal(0);
    const otherEncoding = await get(`${testServer().baseUrl}/dist/${stable}`, {
      'Accept-Encoding': 'gzip',
      'If-None-Match': etag,
    });
    expect(otherEncoding.status).to.equal(200);
    expect(otherEncoding.headers['content-encoding']).to.equal('gzip');
  });

  it('does not look for compressed copies outside dist/', async () => {
    const res = await get(`${testServer().baseUrl}/dist/..%2Fpackage.json`, { 'Accept-Encoding': 'br' });
    expect(res.status).to.equal(404);
  });

  it('serves nothing under dist/ but the files pages load: not the compiled server, not the packages', async () => {
    for (const name of private_) {
      for (const encoding of ['br', 'identity']) {
        const res = await get(`${testServer().baseUrl}/dist/${name}`, { 'Accept-Encoding': encoding });
        expect(res.status, `${name} ${encoding}`).to.equal(404);
      }
    }
  });

  it('serves the same files under the versioned path the loader’s address carries (/v1/), compressed and cached alike, and not the private ones', async () => {
    const entry = await get(`${testServer().baseUrl}/v1/${stable}`, { 'Accept-Encoding': 'br' });
    expect(entry.status).to.equal(200);
    expect(entry.headers['content-encoding']).to.equal('br');
    expect(entry.headers['cache-control']).to.equal('public, max-age=300');
    expect(brotliDecompressSync(entry.body).equals(source)).to.equal(true);
    const chunk = await get(`${testServer().baseUrl}/v1/${hashed}`, { 'Accept-Encoding': 'gzip' });
    expect(chunk.status).to.equal(200);
    expect(chunk.headers['cache-control']).to.equal('public, max-age=31536000, immutable');
    expect(gunzipSync(chunk.body).equals(source)).to.equal(true);
    for (const name of private_) {
      const res = await get(`${testServer().baseUrl}/v1/${name}`, { 'Accept-Encoding': 'identity' });
      expect(res.status, name).to.equal(404);
    }
    expect((await get(`${testServer().baseUrl}/v2/${stable}`)).status, 'no other major version').to.equal(404);
  });

  it('answers a badly %-encoded file name with a 4xx, not a server error', async () => {
    const res = await get(`${testServer().baseUrl}/dist/widgets/%E0%A4%A.js`, { 'Accept-Encoding': 'br' });
    expect(res.status).to.be.within(400, 499);
  });
});
