import type { Logger } from 'pino';
import { seedDemoFaq } from './feedback/demo.ts';
import { seedDemoTenants } from './tenants/demo.ts';

/** Demo mode: fills an empty database with the demo suppliers and their data. Each step is idempotent. */
export async function seedDemo(logger: Logger): Promise<void> {
  const tenants = await seedDemoTenants();
  if (tenants.length) logger.info({ tenants }, 'demo suppliers created');
  const faq = await seedDemoFaq();
  if (faq) logger.info({ entries: faq }, 'demo questions and answers created');
}
