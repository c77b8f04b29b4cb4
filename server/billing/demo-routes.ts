import { Router, type Request } from 'express';
import { appContext } from '../app-context.ts';
import { NotFoundError } from '../http/errors.ts';
import { escapeHtml } from '../portal/html.ts';
import { getTenantBySlug } from '../tenants/service.ts';
import { demoAccounts } from './demo-data.ts';
import { findAccountByNumber, getDebt } from './service.ts';

/** Printable sample bills of the demo suppliers (demo mode only): account number and PIN to try linking. */
export const demoBillsRoutes = Router();

const SAMPLE = 20;

async function sampleBills(req: Request) {
  if (!appContext().config.demo) throw new NotFoundError('route_not_found');
  const tenant = await getTenantBySlug(String(req.params.tenant));
  const bills = await Promise.all(
    demoAccounts(tenant.slug, SAMPLE).map(async (a) => {
      const account = await findAccountByNumber(tenant._id, a.number);
      const debt = account ? await getDebt(tenant._id, account._id) : { period: null, debt: 0, penalties: 0 };
      return { number: a.number, pin: a.pin, holder: a.holder, address: a.address, ...debt };
    }),
  );
  return { tenant, bills };
}

demoBillsRoutes.get('/demo/bills/:tenant.json', async (req, res) => {
  const { tenant, bills } = await sampleBills(req);
  res.json({ supplier: { slug: tenant.slug, name: tenant.name }, bills });
});

demoBillsRoutes.get('/demo/bills/:tenant', async (req, res) => {
  const { tenant, bills } = await sampleBills(req);
  const rub = new Intl.NumberFormat('ru-RU', { style: 'currency', currency: 'RUB' });
  const month = new Intl.DateTimeFormat('ru-RU', { month: 'long', year: 'numeric', timeZone: 'UTC' });
  const periodText = (period: string | null) => (period ? month.format(new Date(`${period}-01T00:00:00Z`)) : '—');
  const cards = bills
    .map(
      (b) => `<article class="bill">
<h2>Квитанция за ${escapeHtml(periodText(b.period))}</h2>
<dl>
<dt>Лицевой счёт</dt><dd class="number">${escapeHtml(b.number)}</dd>
<dt>PIN-код</dt><dd class="pin">${escapeHtml(b.pin)}</dd>
<dt>Абонент</dt><dd>${escapeHtml(b.holder)}</dd>
<dt>Адрес</dt><dd>${escapeHtml(b.address)}</dd>
<dt>К оплате</dt><dd>${escapeHtml(rub.format(Math.max(0, b.debt) / 100))}${b.penalties ? ` (в т. ч. пени ${escapeHtml(rub.format(b.penalties / 100))})` : ''}</dd>
</dl>
</article>`,
    )
    .join('\n');
  res.type('html').send(`<!doctype html>
<html lang="ru">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Образцы квитанций — ${escapeHtml(tenant.name)}</title>
<style>
body{font:15px/1.4 system-ui,sans-serif;margin:2rem;color:#111}
.bills{display:grid;grid-template-columns:repeat(auto-fill,minmax(18rem,1fr));gap:1rem}
.bill{border:1px dashed #555;padding:1rem;break-inside:avoid}
.bill h2{font-size:1rem;margin:0 0 .5rem}
dl{display:grid;grid-template-columns:auto 1fr;gap:.25rem .75rem;margin:0}
dt{color:#444}dd{margin:0}.number,.pin{font:600 1.1rem ui-monospace,monospace}
</style>
</head>
<body>
<h1>Образцы квитанций: ${escapeHtml(tenant.name)}</h1>
<p>Демонстрационные данные. Номер лицевого счёта — для подключения счёта, PIN-код — для расширенного режима.</p>
<div class="bills">
${cards}
</div>
</body>
</html>
`);
});
