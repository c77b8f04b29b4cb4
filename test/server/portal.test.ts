import { expect } from 'chai';
import { Tenant } from '../../server/tenants/model.ts';
import { clearTenantCache } from '../../server/tenants/service.ts';
import { api } from '../helpers/server.ts';

describe('hosted portal and API reference pages', () => {
  it('serves the hosted portal of a tenant with its theme and the portal element', async () => {
    const res = await api('/t/vostok-gaz');
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.match(/^text\/html/);
    expect(res.body).to.include('<gaskit-portal tenant="vostok-gaz" base-path="/t/vostok-gaz">');
    expect(res.body).to.include('href="/api/v1/t/vostok-gaz/theme.css"');
    expect(res.body).to.include('<title>Востокгаз (демо)</title>');
  });

  it('names the supplier’s logo as the tab’s icon, served from here, and an empty icon when the logo is elsewhere', async () => {
    const page = await api('/t/sever-gaz');
    const icon = /<link rel="icon" href="([^"]+)">/.exec(page.body)?.[1];
    expect(icon).to.equal('/examples/sever-gaz/logo.svg');
    const logo = await api(icon!);
    expect(logo.status).to.equal(200);
    expect(logo.headers.get('content-type')).to.match(/^image\/svg\+xml/);
    await Tenant.updateOne({ slug: 'yug-gaz' }, { $set: { logoUrl: 'https://yug.example/logo.svg' } });
    clearTenantCache();
    try {
      expect((await api('/t/yug-gaz')).body).to.include('<link rel="icon" href="data:,">');
    } finally {
      await Tenant.updateOne({ slug: 'yug-gaz' }, { $set: { logoUrl: '/examples/yug-gaz/logo.svg' } });
      clearTenantCache();
    }
  });

  it('serves the same page for deep links inside the portal', async () => {
    const res = await api('/t/sever-gaz/accounts/123/readings');
    expect(res.status).to.equal(200);
    expect(res.body).to.include('<gaskit-portal tenant="sever-gaz"');
  });

  it('lets only the tenant’s own origins frame the hosted portal', async () => {
    await Tenant.updateOne({ slug: 'sever-gaz' }, { $push: { allowedOrigins: 'https://sever.example' } });
    clearTenantCache();
    try {
      const res = await api('/t/sever-gaz');
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).to.match(/frame-ancestors 'self' http:\/\/localhost:3000 http:\/\/127\.0\.0\.1:3000 https:\/\/sever\.example/);
      expect(res.headers.get('x-frame-options')).to.equal(null);
      const other = await api('/t/yug-gaz');
      expect(other.headers.get('content-security-policy')).not.to.include('https://sever.example');
    } finally {
      await Tenant.updateOne({ slug: 'sever-gaz' }, { $pull: { allowedOrigins: 'https://sever.example' } });
      clearTenantCache();
    }
  });

  it('answers an unknown tenant’s portal with 404 tenant_not_found', async () => {
    const res = await api('/t/nope-gaz', { headers: { 'Accept-Language': 'en' } });
    expect(res.status).to.equal(404);
    expect(res.body.error.code).to.equal('tenant_not_found');
  });

  it('renders the API reference from the OpenAPI document with locally served assets', async () => {
    const page = await api('/docs/api');
    expect(page.status).to.equal(200);
    expect(page.body).to.include('/docs/api/assets/swagger-ui-bundle.js');
    const asset = await api('/docs/api/assets/swagger-ui-bundle.js');
    expect(asset.status).to.equal(200);
    expect((await api('/docs/api/init.js')).body).to.include("url: '/api/v1/openapi.json'");
  });
});
