import http from 'node:http';
import { expect } from 'chai';
import { api, testApp, testServer } from '../helpers/server.ts';

/** How long a test waits for an answer that must come before the body is sent in full. */
const ANSWER_BOUND_MS = 15_000;

/**
 * Starts a POST, sends `head` of its body and keeps the request open (the rest never comes), and
 * resolves with the server's answer, or with `null` when the server waits for the rest instead.
 */
function answerBeforeBodyEnds(
  pathname: string,
  headers: Record<string, string | number>,
  head: Buffer,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: any } | null> {
  const url = new URL(pathname, testServer().baseUrl);
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers });
    const timer = setTimeout(() => {
      req.destroy();
      resolve(null);
    }, ANSWER_BOUND_MS);
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        clearTimeout(timer);
        req.destroy();
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: JSON.parse(text) });
      });
    });
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.write(head);
  });
}

const BOUNDARY = 'gaskit-test-boundary';

/** The start of a feedback form as the SDK sends it: fields first, then the first file with its first megabyte. */
function formHead(fields: Record<string, string>): Buffer {
  const parts = Object.entries(fields).map(
    ([name, value]) => `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
  );
  const file = `--${BOUNDARY}\r\nContent-Disposition: form-data; name="files"; filename="photo.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`;
  return Buffer.concat([Buffer.from(parts.join('') + file), Buffer.alloc(1024 * 1024, 0xff)]);
}

const formHeaders = (declaredBytes: number) => ({
  'Content-Type': `multipart/form-data; boundary=${BOUNDARY}`,
  'Content-Length': declaredBytes,
});

describe('request limits: the cheap checks come before a body is read', () => {
  const fields = { topic: 'other', message: 'Вложение без капчи', email: 'anon@example.test' };

  it('answers an anonymous upload without a captcha before its files are read', async () => {
    const res = await answerBeforeBodyEnds('/api/v1/t/sever-gaz/feedback', formHeaders(20 * 1024 * 1024), formHead(fields));
    expect(res, 'no answer while the upload was still being sent').to.not.equal(null);
    expect(res!.status).to.equal(400);
    expect(res!.body.error.fields.captcha.code).to.equal('captcha_required');
  });

  it('answers an anonymous upload with a forged captcha before its files are read', async () => {
    const forged = Buffer.from(JSON.stringify({ challenge: {}, solution: {} })).toString('base64');
    const res = await answerBeforeBodyEnds(
      '/api/v1/t/sever-gaz/feedback',
      formHeaders(20 * 1024 * 1024),
      formHead({ ...fields, captcha: forged }),
    );
    expect(res, 'no answer while the upload was still being sent').to.not.equal(null);
    expect(res!.status).to.equal(400);
    expect(res!.body.error.fields.captcha.code).to.equal('captcha_invalid');
  });

  it('refuses a sender at the sending limit before reading the upload', async () => {
    testApp().feedback.limits.anonymous = { points: 0, windowMs: 60_000 };
    try {
      const res = await answerBeforeBodyEnds('/api/v1/t/sever-gaz/feedback', formHeaders(20 * 1024 * 1024), formHead(fields));
      expect(res, 'no answer while the upload was still being sent').to.not.equal(null);
      expect(res!.status).to.equal(429);
      expect(res!.headers['retry-after']).to.match(/^\d+$/);
      expect(res!.body.error.code).to.equal('rate_limited');
    } finally {
      testApp().feedback.limits.anonymous = { points: 10, windowMs: 3600_000 };
    }
  });

  it('refuses an upload that declares more than a form can hold before reading it', async () => {
    const res = await answerBeforeBodyEnds('/api/v1/t/sever-gaz/feedback', formHeaders(200 * 1024 * 1024), formHead(fields));
    expect(res, 'no answer while the upload was still being sent').to.not.equal(null);
    expect(res!.status).to.equal(413);
    expect(res!.body.error.code).to.equal('payload_too_large');
  });

  describe('the integration API reads its body only after the key', () => {
    // Malformed at its end: a server that parsed it would answer invalid_json (400).
    const body = Buffer.concat([Buffer.from('{"items":["'), Buffer.alloc(7 * 1024 * 1024, 'x'), Buffer.from('"]')]);

    it('answers 401 to a 7 MB body without a key, without parsing it', async () => {
      const res = await api('/api/v1/t/sever-gaz/integration/accounts', { body: body.toString() });
      expect(res.status).to.equal(401);
      expect(res.body.error.code).to.equal('api_key_missing');
    });

    it('answers 401 to a 7 MB body with a wrong key, without parsing it', async () => {
      const res = await api('/api/v1/t/sever-gaz/integration/charges', {
        body: body.toString(),
        headers: { Authorization: 'Bearer gk_not-a-key-of-anyone' },
      });
      expect(res.status).to.equal(401);
      expect(res.body.error.code).to.equal('api_key_invalid');
    });

    it('answers before the body is sent in full when there is no key', async () => {
      const res = await answerBeforeBodyEnds(
        '/api/v1/t/sever-gaz/integration/accounts',
        { 'Content-Type': 'application/json', 'Content-Length': body.length },
        body.subarray(0, 1024 * 1024),
      );
      expect(res, 'no answer while the body was still being sent').to.not.equal(null);
      expect(res!.status).to.equal(401);
    });

    it('parses the body of a caller with a key (and says what is wrong with it)', async () => {
      const res = await api('/api/v1/t/sever-gaz/integration/accounts', {
        body: body.toString(),
        headers: { 'X-Api-Key': 'demo-sever-gaz' },
      });
      expect(res.status).to.equal(400);
      expect(res.body.error.code).to.equal('invalid_json');
    });
  });
});

describe('malformed requests get a 4xx with a code, never a 500', () => {
  const raw = async (pathname: string, init: RequestInit) => {
    const res = await fetch(`${testServer().baseUrl}${pathname}`, init);
    return { status: res.status, body: (await res.json()) as any };
  };

  it('a path that is not valid %-encoding: 400 path_encoding_invalid', async () => {
    const res = await raw('/api/v1/t/sever-gaz/payments/%E0%A4%A', { headers: { Authorization: 'Bearer x' } });
    expect(res.status).to.equal(400);
    expect(res.body.error.code).to.equal('path_encoding_invalid');
    expect(res.body.error.message).to.be.a('string').and.not.equal('path_encoding_invalid');
  });

  it('an unknown Content-Encoding: 415 content_encoding_unsupported', async () => {
    const res = await raw('/api/v1/t/sever-gaz/auth/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'x-unknown' },
      body: '{}',
    });
    expect(res.status).to.equal(415);
    expect(res.body.error.code).to.equal('content_encoding_unsupported');
  });

  it('a JSON body in latin1: 415 charset_unsupported', async () => {
    const res = await raw('/api/v1/t/sever-gaz/auth/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json; charset=latin1' },
      body: '{}',
    });
    expect(res.status).to.equal(415);
    expect(res.body.error.code).to.equal('charset_unsupported');
  });

  it('an integration batch without a body: 400 with the field named, before the items are read', async () => {
    const res = await raw('/api/v1/t/sever-gaz/integration/accounts', {
      method: 'POST',
      headers: { 'X-Api-Key': 'demo-sever-gaz' },
    });
    expect(res.status).to.equal(400);
    expect(res.body.error.fields.items.code).to.equal('required');
  });
});
