/**
 * An integrator's script on the Gaskit SDK alone, in Node: sign in, list the linked accounts,
 * send a meter reading for the first meter of the first account, sign out.
 *
 *   GASKIT_LOGIN=ivan@example.ru GASKIT_PASSWORD=secret1 node --import tsx examples/integrator/node.ts
 *
 * Environment: GASKIT_URL (default http://localhost:3000), GASKIT_TENANT (default sever-gaz),
 * GASKIT_LOGIN and GASKIT_PASSWORD (a confirmed cabinet with a linked account), GASKIT_READING
 * (the value to send; default: the last reading plus 10 m³).
 */
import {
  createClient,
  createIdempotencyKey,
  formatReading,
  isGaskitError,
  MILLI_PER_UNIT,
  parseReading,
  type MeterHistory,
} from '../../sdk/index.ts';

function env(name: string, fallback?: string): string {
  const value = process.env[name] ?? fallback;
  if (!value) throw new Error(`Set ${name}`);
  return value;
}

/** A reading without the zeros the API pads it with: "2612.400" → "2612.4". */
function plainReading(value: string): string {
  return value.includes('.') ? value.replace(/\.?0+$/, '') : value;
}

/** A billing period in words: "2026-11" → "November 2026". */
function periodName(period: string): string {
  return new Intl.DateTimeFormat('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(
    new Date(`${period}-01T00:00:00Z`),
  );
}

/** The last reading plus 10 m³, in the meter's notation. */
function nextValue({ meter, last }: MeterHistory): string {
  const parsed = last ? parseReading(last.value, meter) : { ok: true as const, milli: 0 };
  return formatReading((parsed.ok ? parsed.milli : 0) + 10 * MILLI_PER_UNIT, meter.decimals);
}

async function main(): Promise<void> {
  const client = createClient({
    apiBase: env('GASKIT_URL', 'http://localhost:3000'),
    tenant: env('GASKIT_TENANT', 'sever-gaz'),
    locale: 'ru',
  });

  const { me } = await client.auth.signIn({ login: env('GASKIT_LOGIN'), password: env('GASKIT_PASSWORD') });
  console.log(`Signed in as ${me.login}`);
  try {
    const accounts = await client.accounts.list();
    console.log(`Accounts: ${accounts.length}`);
    for (const account of accounts) console.log(`  ${account.number}  ${account.address}`);
    const account = accounts[0];
    if (!account) throw new Error('No linked accounts: link one in the cabinet first');

    const history = await client.readings.history(account.id);
    const meter = history.meters[0];
    if (!meter) throw new Error(`Account ${account.number} has no meters`);
    const value = process.env.GASKIT_READING ?? nextValue(meter);
    const input = { accountId: account.id, readings: [{ meterId: meter.meter.id, value }] };

    const preview = await client.readings.preview(input);
    const needed = preview.readings.flatMap((r) => r.confirmationsNeeded);
    if (needed.length > 0) throw new Error(`The reading needs confirming (${needed.join(', ')}); send it from the cabinet`);

    const result = await client.readings.submit(input, { idempotencyKey: createIdempotencyKey() });
    const sent = result.readings[0];
    const name = meter.meter.serialNumber ? `meter ${meter.meter.serialNumber}` : `"${meter.meter.name}"`;
    console.log(
      `Reading ${plainReading(sent?.value ?? '')} for ${name} of account ${account.number}: ${sent?.status}, counted for ${periodName(result.period)}${result.queued ? ' (queued for the next window)' : ''}`,
    );
  } finally {
    await client.auth.signOut();
  }
}

main().catch((error: unknown) => {
  console.error(isGaskitError(error) ? `${error.message} [${error.code}, HTTP ${error.status}]` : error);
  process.exitCode = 1;
});
