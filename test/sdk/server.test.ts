import { expect } from 'chai';
import { createClient, GaskitError } from '../../sdk/index.ts';
import { testServer } from '../helpers/server.ts';

describe('SDK against the real server', () => {
  it('reads a tenant’s config with its flows and theme', async () => {
    const client = createClient({ apiBase: testServer().baseUrl, tenant: 'yug-gaz', locale: 'ru' });
    const config = await client.getConfig();
    expect(config.tenant.slug).to.equal('yug-gaz');
    expect(config.registration.confirmation).to.equal('code');
    expect(config.theme.tokens['--gaskit-color-primary']).to.equal('#b4440e');
  });

  it('turns an unknown tenant into a GaskitError with code and status, message in the client’s language', async () => {
    const client = createClient({ apiBase: testServer().baseUrl, tenant: 'no-such-gaz', locale: 'en' });
    const err = await client.getConfig().then(
      () => expect.fail('config of an unknown tenant must fail'),
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(GaskitError);
    expect(err).to.include({ code: 'tenant_not_found', status: 404, message: 'Supplier “no-such-gaz” was not found.' });
  });

  it('loads translations for the widgets with the tenant overrides applied', async () => {
    const client = createClient({ apiBase: testServer().baseUrl, tenant: 'sever-gaz', locale: 'en' });
    const tr = await client.getTranslations('en');
    expect(tr.lng).to.equal('en');
    expect(tr.resources.common?.appName).to.equal('Customer self-service cabinet');
  });

  it('loads only the namespaces asked for, and refuses one the widgets do not have', async () => {
    const client = createClient({ apiBase: testServer().baseUrl, tenant: 'sever-gaz', locale: 'en' });
    const tr = await client.getTranslations('ru', ['feedback', 'common']);
    expect(Object.keys(tr.resources).sort()).to.deep.equal(['common', 'feedback']);
    expect(tr.resources.common?.appName).to.equal('Личный кабинет абонента');
    const err = await client.getTranslations('ru', ['notify' as 'common']).then(
      () => expect.fail('a server-only namespace must be refused'),
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(GaskitError);
    expect(err).to.deep.include({ code: 'validation_failed', status: 400 });
    expect((err as GaskitError).fields.ns).to.equal('unknown_namespace');
  });
});
