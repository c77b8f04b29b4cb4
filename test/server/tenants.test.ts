import { readFileSync } from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, brotliDecompressSync, constants, gunzipSync } from 'node:zlib';
import { expect } from 'chai';
import { WIDGET_NAMESPACES } from '../../contracts/tenants.ts';
import { loadConfig } from '../../server/config.ts';
import { LOCALES_DIR, SERVER_ONLY_TEXTS } from '../../server/i18n/index.ts';
import { demoOrigins } from '../../server/tenants/demo.ts';
import { Tenant } from '../../server/tenants/model.ts';
import { clearTenantCache, getTenantBySlug, tenantTranslator } from '../../server/tenants/service.ts';
import { api, rawGet, testServer } from '../helpers/server.ts';

describe('tenants: public config, theme, texts, CORS', () => {
  it('serves a demo supplier’s config with its theme, flows, rules and realm suppliers', async () => {
    const { status, body } = await api('/api/v1/t/sever-gaz/config');
    expect(status).to.equal(200);
    expect(body.tenant).to.include({ slug: 'sever-gaz', realm: 'gazregion' });
    expect(body.theme.name).to.equal('sever');
    expect(body.theme.tokens['--gaskit-color-primary']).to.equal('#0b4f8a');
    expect(body.registration).to.include({ confirmation: 'link', captcha: true });
    expect(body.registration.logins).to.deep.equal(['email']);
    expect(body.registration.password).to.include({ minLength: 5, maxLength: 10 });
    expect(body.accounts).to.deep.equal({ numberPattern: '^\\d{1,10}$', maxAccounts: 10 });
    expect(body.suppliers.map((s: { slug: string }) => s.slug).sort()).to.deep.equal(['sever-gaz', 'yug-gaz']);
  });

  it('gives each demo supplier its own theme and registration flow', async () => {
    const [yug, vostok] = await Promise.all([api('/api/v1/t/yug-gaz/config'), api('/api/v1/t/vostok-gaz/config')]);
    expect(yug.body.registration.confirmation).to.equal('code');
    expect(yug.body.registration.logins).to.deep.equal(['email', 'phone']);
    expect(vostok.body.registration).to.include({ confirmation: 'code-temp-password', personTypes: true });
    expect(vostok.body.suppliers).to.deep.equal([{ slug: 'vostok-gaz', name: 'Востокгаз (демо)' }]);
    expect(
      new Set([yug.body.theme.tokens['--gaskit-color-primary'], vostok.body.theme.tokens['--gaskit-color-primary']]).size,
    ).to.equal(2);
  });

  it('gives each supplier’s technical support address for the cabinet, to show beside the feedback form', async () => {
    const emails = await Promise.all(
      ['sever-gaz', 'yug-gaz', 'vostok-gaz'].map(async (slug) => (await api(`/api/v1/t/${slug}/config`)).body.support.email),
    );
    expect(emails).to.deep.equal(['support@sever-gaz.example', 'help@yug-gaz.example', 'lk@vostok-gaz.example']);
  });

  it('answers an unknown tenant with 404 tenant_not_found in the requested language', async () => {
    const en = await api('/api/v1/t/nope/config', { headers: { 'Accept-Language': 'en' } });
    expect(en.status).to.equal(404);
    expect(en.body).to.deep.equal({
      error: { code: 'tenant_not_found', message: 'Supplier “nope” was not found.', params: { tenant: 'nope' } },
    });
    const ru = await api('/api/v1/t/nope/config', { headers: { 'Accept-Language': 'ru-RU,ru;q=0.9' } });
    expect(ru.body.error.message).to.equal('Поставщик «nope» не найден.');
  });

  it('finds a supplier created after its slug was asked for, at once (unknown slugs are not remembered)', async () => {
    const slug = `late-${Date.now().toString(36)}`;
    expect((await api(`/api/v1/t/${slug}/config`)).status).to.equal(404);
    await Tenant.create({ slug, name: 'Поздний газ', legalName: 'ООО «Поздний газ»', realm: `${slug}-realm` });
    const res = await api(`/api/v1/t/${slug}/config`);
    expect(res.status).to.equal(200);
    expect(res.body.suppliers).to.deep.equal([{ slug, name: 'Поздний газ' }]);
  });

  it('lists a new supplier among its realm’s suppliers, sorted by name, and not a deactivated one', async () => {
    const realm = `realm-${Date.now().toString(36)}`;
    const [b, a] = [`${realm}-b`, `${realm}-a`];
    await Tenant.create({ slug: b, name: 'Б-газ', legalName: 'ООО «Б»', realm });
    await Tenant.create({ slug: a, name: 'А-газ', legalName: 'ООО «А»', realm });
    expect((await api(`/api/v1/t/${b}/config`)).body.suppliers).to.deep.equal([
      { slug: a, name: 'А-газ' },
      { slug: b, name: 'Б-газ' },
    ]);
    await Tenant.updateOne({ slug: a }, { $set: { active: false } });
    clearTenantCache();
    expect((await api(`/api/v1/t/${a}/config`)).status).to.equal(404);
    expect((await api(`/api/v1/t/${b}/config`)).body.suppliers).to.deep.equal([{ slug: b, name: 'Б-газ' }]);
  });

  it('refuses a slug that is not a slug without touching the database', async () => {
    const res = await api('/api/v1/t/%24where/config');
    expect(res.status).to.equal(404);
    expect(res.body.error.code).to.equal('tenant_not_found');
  });

  it('serves the theme as CSS custom properties on Gaskit elements, not on :root', async () => {
    const res = await api('/api/v1/t/yug-gaz/theme.css');
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.match(/^text\/css/);
    expect(res.body).to.include('--gaskit-color-primary: #b4440e;');
    expect(res.body).to.include(':where(gaskit-portal,');
    expect(res.body).not.to.include(':root');
  });

  it('serves UI texts per language with the tenant’s overrides on top', async () => {
    await Tenant.updateOne({ slug: 'yug-gaz' }, { $set: { texts: { ru: { common: { appName: 'Кабинет Южгаза' } } } } });
    clearTenantCache();
    try {
      const yug = await api('/api/v1/t/yug-gaz/i18n/ru');
      expect(yug.status).to.equal(200);
      expect(yug.body.resources.common.appName).to.equal('Кабинет Южгаза');
      expect(yug.body.resources.errors.tenant_not_found).to.be.a('string');
      const sever = await api('/api/v1/t/sever-gaz/i18n/ru');
      expect(sever.body.resources.common.appName).to.equal('Личный кабинет абонента');
      const en = await api('/api/v1/t/yug-gaz/i18n/en');
      expect(en.body.resources.common.appName).to.equal('Customer self-service cabinet');
    } finally {
      await Tenant.updateOne({ slug: 'yug-gaz' }, { $set: { texts: {} } });
      clearTenantCache();
    }
  });

  it('uses the tenant’s nested text overrides in server error messages too', async () => {
    await Tenant.updateOne(
      { slug: 'yug-gaz' },
      { $set: { texts: { ru: { errors: { validation_failed: 'Южгаз: проверьте поля.' } } } } },
    );
    clearTenantCache();
    try {
      const yug = await api('/api/v1/t/yug-gaz/i18n/xx', { headers: { 'Accept-Language': 'ru' } });
      expect(yug.body.error.message).to.equal('Южгаз: проверьте поля.');
      const sever = await api('/api/v1/t/sever-gaz/i18n/xx', { headers: { 'Accept-Language': 'ru' } });
      expect(sever.body.error.message).to.equal('Проверьте правильность заполнения полей.');
    } finally {
      await Tenant.updateOne({ slug: 'yug-gaz' }, { $set: { texts: {} } });
      clearTenantCache();
    }
  });

  it('makes a tenant’s translator once per language while the tenant is cached, and anew once it is read again', async () => {
    const tenant = await getTenantBySlug('sever-gaz');
    const ru = tenantTranslator(tenant, 'ru');
    expect(tenantTranslator(await getTenantBySlug('sever-gaz'), 'ru')).to.equal(ru);
    expect(tenantTranslator(tenant, 'en')).to.not.equal(ru);
    clearTenantCache();
    const reread = await getTenantBySlug('sever-gaz');
    expect(reread).to.not.equal(tenant);
    expect(tenantTranslator(reread, 'ru')).to.not.equal(ru);
    expect(tenantTranslator(reread, 'ru')('errors:validation_failed')).to.equal(ru('errors:validation_failed'));
  });

  it('sends the widgets’ namespaces of texts, never the server’s own (cli, notify)', async () => {
    const { body } = await api('/api/v1/t/sever-gaz/i18n/ru');
    expect(Object.keys(body.resources).sort()).to.deep.equal([...WIDGET_NAMESPACES]);
    expect(body.resources).not.to.have.any.keys('cli', 'notify');
    for (const ns of WIDGET_NAMESPACES) expect(Object.keys(body.resources[ns]), ns).not.to.be.empty;
    // Texts only the server writes (the department's mail, reminders…) stay on the server.
    expect(Object.keys(SERVER_ONLY_TEXTS)).to.not.be.empty;
    for (const [ns, keys] of Object.entries(SERVER_ONLY_TEXTS)) {
      expect(body.resources[ns], ns).not.to.have.any.keys(...keys);
      const own = JSON.parse(readFileSync(path.join(LOCALES_DIR, 'ru', `${ns}.json`), 'utf8')) as Record<string, unknown>;
      for (const key of keys) expect(own, `${ns}:${key} is a text the server has`).to.have.property(key);
    }
  });

  it('sends only the namespaces asked in `ns`, with the tenant’s overrides on top', async () => {
    await Tenant.updateOne(
      { slug: 'yug-gaz' },
      { $set: { texts: { ru: { common: { appName: 'Кабинет Южгаза' }, notify: { x: 'y' }, auth: { a: 'b' } } } } },
    );
    clearTenantCache();
    try {
      const res = await api('/api/v1/t/yug-gaz/i18n/ru?ns=feedback,common,feedback');
      expect(res.status).to.equal(200);
      expect(Object.keys(res.body.resources).sort()).to.deep.equal(['common', 'feedback']);
      expect(res.body.resources.common.appName).to.equal('Кабинет Южгаза');
      expect(res.body.resources.feedback.title).to.be.a('string');
    } finally {
      await Tenant.updateOne({ slug: 'yug-gaz' }, { $set: { texts: {} } });
      clearTenantCache();
    }
  });

  it('applies a supplier’s overrides stored at a text’s former path to where it moved; one at the new path wins', async () => {
    // Written before the texts moved: sign-up, captcha, "try again later" and the password fields in auth, linking and the
    // PIN form in accounts, the chart in billing; one password text also at its new path.
    const texts = {
      ru: {
        auth: {
          wait: { rate_limited: 'Южгаз: подождите.' },
          register: { title: 'Регистрация в Южгазе', submit: 'Старое' },
          consent: { agreementLink: 'соглашения Южгаза' },
          captcha: { label: 'Я человек' },
          login: { title: 'Вход в Южгаз', forgot: 'Южгаз: забыли пароль?' },
          fields: { newPassword: 'Новый пароль Южгаза', showPassword: 'Старое', email: 'Почта Южгаза' },
        },
        accounts: {
          link: { title: 'Счета Южгаза' },
          account: { none: 'Выберите счёт Южгаза.' },
          pin: { open: 'У меня есть PIN Южгаза' },
        },
        billing: { chart: { title: 'Газ Южгаза за год' } },
        registration: { submit: 'Создать кабинет' },
        password: { show: 'Показать пароль Южгаза' },
      },
    };
    await Tenant.updateOne({ slug: 'yug-gaz' }, { $set: { texts } });
    clearTenantCache();
    try {
      const res = await api(
        '/api/v1/t/yug-gaz/i18n/ru?ns=auth,accounts,billing,captcha,chart,common,linking,password,pin,registration',
      );
      expect(res.status).to.equal(200);
      const { auth, accounts, billing, captcha, chart, common, linking, password, pin, registration } = res.body.resources;
      expect(common.wait.rate_limited).to.equal('Южгаз: подождите.');
      expect(registration.title).to.equal('Регистрация в Южгазе');
      expect(registration.submit, 'the override at the new path wins').to.equal('Создать кабинет');
      expect(registration.introEmail).to.be.a('string');
      expect(registration.consent.agreementLink).to.equal('соглашения Южгаза');
      expect(captcha.label).to.equal('Я человек');
      expect(captcha.title).to.equal('Защита от роботов');
      expect(linking.title).to.equal('Счета Южгаза');
      expect(auth.login.title).to.equal('Вход в Южгаз');
      expect(auth).not.to.have.any.keys('wait', 'register', 'consent', 'captcha');
      expect(accounts).not.to.have.key('link');
      expect(chart.title).to.equal('Газ Южгаза за год');
      expect(billing).not.to.have.key('chart');
      expect(accounts.account.none).to.equal('Выберите счёт Южгаза.');
      expect(pin.open).to.equal('У меня есть PIN Южгаза');
      expect(pin.label).to.equal('PIN-код');
      expect(accounts).not.to.have.key('pin');
      // A single text moves alone: its siblings stay where they are.
      expect(password.new).to.equal('Новый пароль Южгаза');
      expect(password.forgot).to.equal('Южгаз: забыли пароль?');
      expect(password.show, 'the override at the new path wins').to.equal('Показать пароль Южгаза');
      expect(password.repeat).to.equal('Повторите пароль');
      expect(auth.fields.email).to.equal('Почта Южгаза');
      expect(auth.fields).not.to.have.any.keys('newPassword', 'passwordRepeat', 'showPassword');
      expect(auth.login).not.to.have.key('forgot');
      // The server's own texts read the same overrides: a rate limit says the supplier's words.
      const t = tenantTranslator(await getTenantBySlug('yug-gaz'), 'ru');
      expect(t('common:wait.rate_limited')).to.equal('Южгаз: подождите.');
      expect(t('registration:title')).to.equal('Регистрация в Южгазе');
      expect(t('password:new')).to.equal('Новый пароль Южгаза');
      // The stored overrides stay as they were written.
      expect((await Tenant.findOne({ slug: 'yug-gaz' }).lean())!.texts).to.deep.equal(texts);
    } finally {
      await Tenant.updateOne({ slug: 'yug-gaz' }, { $set: { texts: {} } });
      clearTenantCache();
    }
  });

  it('refuses a namespace the widgets do not have with a field error', async () => {
    for (const ns of ['notify', 'cli', 'common,nope', '', 'common,']) {
      const res = await api(`/api/v1/t/sever-gaz/i18n/ru?ns=${ns}`, { headers: { 'Accept-Language': 'en' } });
      expect(res.status, ns).to.equal(400);
      expect(res.body.error.fields.ns).to.deep.include({
        code: 'unknown_namespace',
        message: 'There is no such section of texts.',
      });
    }
  });

  it('compresses the config and texts as the client accepts (brotli, else gzip), small answers not', async () => {
    const base = `${testServer().baseUrl}/api/v1/t/sever-gaz`;
    for (const pathname of ['/config', '/i18n/ru', '/i18n/ru?ns=errors']) {
      const plain = await api(`/api/v1/t/sever-gaz${pathname}`);
      const br = await rawGet(`${base}${pathname}`, { 'Accept-Encoding': 'gzip, deflate, br' });
      expect(br.headers['content-encoding'], pathname).to.equal('br');
      expect(br.headers.vary).to.match(/Accept-Encoding/i);
      expect(JSON.parse(brotliDecompressSync(br.body).toString())).to.deep.equal(plain.body);
      const gzip = await rawGet(`${base}${pathname}`, { 'Accept-Encoding': 'gzip' });
      expect(gzip.headers['content-encoding'], pathname).to.equal('gzip');
      expect(JSON.parse(gunzipSync(gzip.body).toString())).to.deep.equal(plain.body);
      const identity = await rawGet(`${base}${pathname}`, { 'Accept-Encoding': 'identity' });
      expect(identity.headers['content-encoding']).to.equal(undefined);
      expect(JSON.parse(identity.body.toString())).to.deep.equal(plain.body);
    }
    const small = await rawGet(`${base}/i18n/ru?ns=common`, { 'Accept-Encoding': 'br, gzip' });
    expect(small.body.length).to.be.below(1024);
    expect(small.headers['content-encoding']).to.equal(undefined);
  });

  it('sends the texts brotli-compressed at the highest quality, with the plain answer’s ETag (304 when unchanged)', async () => {
    const url = `${testServer().baseUrl}/api/v1/t/sever-gaz/i18n/ru?ns=common,errors`;
    const identity = await rawGet(url, { 'Accept-Encoding': 'identity' });
    const br = await rawGet(url, { 'Accept-Encoding': 'gzip, deflate, br' });
    expect(br.headers['content-encoding']).to.equal('br');
    expect(br.headers['content-type']).to.equal('application/json; charset=utf-8');
    expect(br.headers['cache-control']).to.equal('public, max-age=300');
    expect(br.body.equals(brotliCompressSync(identity.body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }))).to.equal(
      true,
    );
    expect(br.headers.etag).to.be.a('string').and.equal(identity.headers.etag);
    for (const encoding of ['br', 'gzip', 'identity']) {
      const again = await rawGet(url, { 'Accept-Encoding': encoding, 'If-None-Match': br.headers.etag! });
      expect(again.status, encoding).to.equal(304);
      expect(again.body.length, encoding).to.equal(0);
    }
    await Tenant.updateOne({ slug: 'sever-gaz' }, { $set: { texts: { ru: { common: { appName: 'Кабинет Севергаза' } } } } });
    clearTenantCache();
    try {
      const changed = await rawGet(url, { 'Accept-Encoding': 'br', 'If-None-Match': br.headers.etag! });
      expect(changed.status).to.equal(200);
      expect(JSON.parse(brotliDecompressSync(changed.body).toString()).resources.common.appName).to.equal('Кабинет Севергаза');
    } finally {
      await Tenant.updateOne({ slug: 'sever-gaz' }, { $set: { texts: {} } });
      clearTenantCache();
    }
  });

  it('rejects an unsupported language with a field error', async () => {
    const res = await api('/api/v1/t/sever-gaz/i18n/xx');
    expect(res.status).to.equal(400);
    expect(res.body.error.code).to.equal('validation_failed');
    expect(res.body.error.fields.lng.code).to.equal('unsupported_locale');
  });

  it('allows CORS only from the tenant’s allowed origins', async () => {
    const ok = await api('/api/v1/t/sever-gaz/config', { headers: { Origin: 'http://localhost:3000' } });
    expect(ok.status).to.equal(200);
    expect(ok.headers.get('access-control-allow-origin')).to.equal('http://localhost:3000');

    const evil = await api('/api/v1/t/sever-gaz/config', { headers: { Origin: 'https://evil.example' } });
    expect(evil.status).to.equal(403);
    expect(evil.body.error.code).to.equal('origin_not_allowed');
    expect(evil.headers.get('access-control-allow-origin')).to.equal(null);
  });

  it('lets the demo suppliers’ sites be the server’s own address at the configured port and public URL', () => {
    const env = { ...process.env, NODE_ENV: 'test', GASKIT_DEMO: '1' };
    expect(demoOrigins(loadConfig({ ...env, PORT: '4123' }))).to.deep.equal(['http://localhost:4123', 'http://127.0.0.1:4123']);
    expect(demoOrigins(loadConfig({ ...env, PORT: undefined }))).to.deep.equal([
      'http://localhost:3000',
      'http://127.0.0.1:3000',
    ]);
    expect(demoOrigins(loadConfig({ ...env, PORT: '8080', PUBLIC_URL: 'https://demo.example/cabinet/' }))).to.deep.equal([
      'http://localhost:8080',
      'http://127.0.0.1:8080',
      'https://demo.example',
    ]);
  });

  it('answers a preflight from an allowed origin with the headers the SDK sends', async () => {
    const res = await api('/api/v1/t/sever-gaz/config', {
      method: 'OPTIONS',
      headers: {
        Origin: 'http://localhost:3000',
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'authorization,idempotency-key',
      },
    });
    expect(res.status).to.equal(204);
    expect(res.headers.get('access-control-allow-headers'))
      .to.match(/Authorization/)
      .and.match(/Idempotency-Key/);
  });

  it('keeps one tenant’s allowed origin out of another tenant', async () => {
    await Tenant.updateOne({ slug: 'yug-gaz' }, { $push: { allowedOrigins: 'https://yug.example' } });
    clearTenantCache();
    try {
      expect((await api('/api/v1/t/yug-gaz/config', { headers: { Origin: 'https://yug.example' } })).status).to.equal(200);
      expect((await api('/api/v1/t/sever-gaz/config', { headers: { Origin: 'https://yug.example' } })).status).to.equal(403);
    } finally {
      await Tenant.updateOne({ slug: 'yug-gaz' }, { $pull: { allowedOrigins: 'https://yug.example' } });
      clearTenantCache();
    }
  });
});
