import type { Logger } from 'pino';
import type { Config } from './config.ts';
import { seedDemoFaq } from './feedback/demo.ts';
import { seedDemoBilling } from './billing/demo-data.ts';
import { DEMO_TENANTS, demoOrigins, seedDemoTenants } from './tenants/demo.ts';
import { getTenantBySlug } from './tenants/service.ts';

/**
 * Demo mode: fills an empty database with the demo suppliers and their data, their sites being
 * this server's own address (PORT, PUBLIC_URL). Each step is idempotent.
 */
export async function seedDemo(logger: Logger, config: Pick<Config, 'port' | 'publicUrl'>): Promise<void> {
  const tenants = await seedDemoTenants(demoOrigins(config));
  if (tenants.length) logger.info({ tenants }, 'demo suppliers created');
  for (const { slug } of DEMO_TENANTS) {
    const started = Date.now();
    const accounts = await seedDemoBilling(await getTenantBySlug(slug));
    if (accounts) logger.info({ tenant: slug, accounts, ms: Date.now() - started }, 'demo billing data created');
  }
  const faq = await seedDemoFaq();
  if (faq) logger.info({ entries: faq }, 'demo questions and answers created');
}
