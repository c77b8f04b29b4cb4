/**
 * The endpoint contracts (contracts/) against the running server: each contract is mounted exactly
 * once, and the answer check every server test goes through (test/helpers/contracts.ts) catches a
 * body, a status or an endpoint that breaks its contract.
 */
import { expect } from 'chai';
import { openapiPath } from '../../contracts/endpoint.ts';
import { ENDPOINTS } from '../../contracts/index.ts';
import { moduleRoutes } from '../../server/http/app.ts';
import { MODULES } from '../../server/modules.ts';
import { answerChecks, answerProblem } from '../helpers/contracts.ts';
import { api } from '../helpers/server.ts';
import { signedInSubscriber } from '../helpers/subscribers.ts';

/** `METHOD /openapi/{path}` of every route the modules mount. */
function mountedRoutes(): string[] {
  const out: string[] = [];
  for (const { place, router } of moduleRoutes(MODULES)) {
    const stack = (router as unknown as { stack?: { route?: { path: string | string[]; methods: Record<string, boolean> } }[] })
      ?.stack;
    for (const layer of stack ?? []) {
      if (!layer.route) continue;
      for (const raw of [layer.route.path].flat()) {
        const path = openapiPath({ path: raw, ...(place === 'tenant' ? {} : { root: true }) } as never);
        for (const method of Object.keys(layer.route.methods)) out.push(`${method.toUpperCase()} ${path}`);
      }
    }
  }
  return out;
}

describe('endpoint contracts', () => {
  it('mounts every contract exactly once', () => {
    const routes = mountedRoutes();
    for (const e of ENDPOINTS) {
      const route = `${e.method} ${openapiPath(e)}`;
      expect(
        routes.filter((r) => r === route),
        route,
      ).to.have.length(1);
    }
  });

  it('checks the answers of the test server: a signed-in GET me keeps its contract', async () => {
    const before = answerChecks();
    const { auth } = await signedInSubscriber('sever-gaz');
    const res = await api('/api/v1/t/sever-gaz/me', { headers: auth });
    expect(res.status).to.equal(200);
    const after = answerChecks();
    expect(after.checked).to.be.greaterThan(before.checked);
    expect(after.failures.filter((f) => f.request === 'GET /api/v1/t/sever-gaz/me')).to.deep.equal([]);
    expect(answerProblem('GET', '/api/v1/t/sever-gaz/me', 200, 'application/json', JSON.stringify(res.body))).to.equal(null);
  });

  it('finds a body, a status, an error or an endpoint that breaks its contract', async () => {
    const { auth } = await signedInSubscriber('sever-gaz');
    const { body } = await api('/api/v1/t/sever-gaz/me', { headers: auth });
    const me = (changed: unknown) =>
      answerProblem('GET', '/api/v1/t/sever-gaz/me', 200, 'application/json', JSON.stringify(changed));
    expect(me({ ...body, status: 'blocked' })).to.match(/does not match the contract/);
    expect(me({ ...body, email: undefined })).to.match(/does not match the contract/);
    expect(me({ ...body, passwordHash: 'x' })).to.match(/fields the contract does not declare/);
    expect(answerProblem('GET', '/api/v1/t/sever-gaz/me', 201, 'application/json', JSON.stringify(body))).to.match(
      /status 201, the contract declares 200/,
    );
    expect(answerProblem('POST', '/api/v1/t/sever-gaz/auth/logout', 204, '', '{}')).to.match(
      /a body where the contract declares none/,
    );
    expect(answerProblem('GET', '/api/v1/t/sever-gaz/me', 401, 'application/json', '{"message":"no"}')).to.match(
      /not an ErrorBody/,
    );
    expect(answerProblem('GET', '/api/v1/t/sever-gaz/nothing', 200, 'application/json', '{}')).to.match(/no contract declares/);
  });
});
