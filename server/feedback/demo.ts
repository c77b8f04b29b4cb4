import { DEMO_TENANTS } from '../tenants/demo.ts';
import type { TenantDoc } from '../tenants/model.ts';
import { getTenantBySlug, tenantTranslator } from '../tenants/service.ts';
import { seedFaq, upsertFaq } from './faq.ts';
import { flowFaq } from './faq-flows.ts';

const FLOW_KEYS = new Set(['register', 'password', 'readings']);

type Entry = { key: string; topic: string; question: string; answer: string };

/** The entries every demo supplier shares; those on its own flows and rules come from its configuration. */
const RU: Entry[] = [
  {
    key: 'link-account',
    topic: 'cabinet',
    question: 'Как подключить лицевой счёт?',
    answer:
      'В разделе «Настройки» нажмите «Подключение ЛС», выберите поставщика и введите номер лицевого счёта из квитанции. Если не уверены в номере, наведите указатель на знак вопроса возле поля.',
  },
  {
    key: 'debt',
    topic: 'charges',
    question: 'Почему сумма долга отличается от квитанции?',
    answer:
      'В кабинете долг показан на сегодняшний день с учётом поступивших оплат, а в квитанции — на дату её формирования. Платёж отражается в течение 1–3 рабочих дней.',
  },
  {
    key: 'pay-part',
    topic: 'payments',
    question: 'Можно ли оплатить только один из лицевых счетов?',
    answer: 'Да. В форме оплаты поставьте 0 в поле «Сумма» у тех счетов, которые оплачивать не нужно.',
  },
  {
    key: 'pin',
    topic: 'other',
    question: 'Где взять пин-код для расширенной версии кабинета?',
    answer: 'Пин-коды выдаются при личном обращении в участок и периодически печатаются в квитанциях.',
  },
];

const EN: Entry[] = [
  {
    key: 'link-account',
    topic: 'cabinet',
    question: 'How do I link an account?',
    answer:
      'In “Settings” click “Link account”, choose the supplier and enter the account number from your bill. Unsure about the number? Point at the question mark next to the field.',
  },
];

/** The order of the entries of each language, the supplier's own among the shared ones. */
const ORDER: Record<string, string[]> = {
  ru: ['register', 'link-account', 'password', 'readings', 'debt', 'pay-part', 'pin'],
  en: ['register', 'link-account', 'readings', 'password'],
};

/** A demo supplier's entries in a language: the shared ones, and those written from its configuration. */
export function demoFaqEntries(tenant: TenantDoc, lng: 'ru' | 'en'): Entry[] {
  const byKey = new Map<string, Entry>(
    [...(lng === 'ru' ? RU : EN), ...flowFaq(tenant, tenantTranslator(tenant, lng))].map((e) => [e.key, e]),
  );
  return ORDER[lng]!.map((key) => byKey.get(key)!);
}

/**
 * Questions and answers of the demo suppliers, in Russian and English (only where a supplier has
 * none yet). The answers on registration, passwords and readings follow each supplier's
 * configuration, so they are written again on every start.
 */
export async function seedDemoFaq(): Promise<number> {
  let created = 0;
  for (const { slug } of DEMO_TENANTS) {
    const tenant = await getTenantBySlug(slug);
    for (const lng of ['ru', 'en'] as const) {
      const entries = demoFaqEntries(tenant, lng);
      created += await seedFaq(tenant._id, lng, entries);
      const own = entries.flatMap((e, order) => (FLOW_KEYS.has(e.key) ? [{ ...e, lng, order }] : []));
      await upsertFaq(tenant, { entries: own });
    }
  }
  return created;
}
