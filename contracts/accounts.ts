/**
 * Personal accounts ("лицевые счета") linked to a cabinet (server/accounts). Money is in kopecks,
 * periods are `YYYY-MM`, meter readings are integer thousandths of a unit.
 */
import { z } from 'zod';
import { AmountDue, LinkedAccountId, Period, Slug, SupplierRef } from './common.ts';
import { endpoint } from './endpoint.ts';

/** An account as the person names it: the supplier (a tenant of the realm) and the number on the bill. */
export const AccountRef = z
  .strictObject({
    supplier: Slug.meta({ description: "Supplier's slug" }),
    /** Surrounding spaces are trimmed; the supplier's number rule is checked in the service. */
    number: z.string({ message: 'required' }).trim().min(1, 'required').max(32, 'account_number_format'),
  })
  .meta({ id: 'AccountRef' });

export const AccountMode = z.enum(['basic', 'extended']).meta({
  description: 'Basic: debt, payment and readings. Extended (after the PIN from the bill): charges, holder, meter details',
});

export const AccountCheck = z.object({
  supplier: SupplierRef,
  number: z.string(),
  address: z.string().meta({ description: 'Street and house, without the flat' }),
  holder: z.string().meta({ description: 'Surname and initials, e.g. "Иванов И. И."' }),
  alreadyLinked: z.boolean().meta({ description: 'This cabinet has the account linked already' }),
});

export const LinkedAccount = z
  .object({
    id: z.string(),
    number: z.string(),
    address: z.string(),
    holder: z.string().meta({ description: 'Full name in extended mode, surname and initials in basic mode' }),
    mode: AccountMode,
    supplier: SupplierRef,
    debt: z.number().meta({ description: 'At the latest period billing sent, kopecks; negative is an overpayment' }),
    penalties: z.number(),
    period: z.string().nullable().meta({ description: 'That period (`YYYY-MM`), or null before billing sent any balance' }),
    pendingPaid: z.number().int().meta({ description: 'Paid in the cabinet, not yet booked by billing' }),
    due: AmountDue,
  })
  .meta({ id: 'LinkedAccount' });

export const ChargeLine = z.object({
  service: z.string(),
  volume: z.number().meta({ description: 'In `unit`, e.g. 41.2 m³' }),
  unit: z.string(),
  tariff: z.number().meta({ description: 'Price of one unit, kopecks' }),
  amount: z.number(),
});

export const MonthlyCharges = z
  .object({ period: z.string(), lines: z.array(ChargeLine), penalties: z.number(), total: z.number() })
  .meta({
    id: 'MonthlyCharges',
    description: "One month's charges: the lines (empty in basic mode), penalties and the total, kopecks",
  });

export const AccountBalance = z
  .object({ opening: z.number(), charged: z.number(), paid: z.number(), closing: z.number(), penalties: z.number() })
  .meta({ description: "A period's balance, kopecks: opening + charged − paid = closing (negative = overpayment)" });

export const AccountMeter = z
  .object({
    id: z.string(),
    meterId: z.string(),
    serialNumber: z.string().meta({ description: 'Empty in basic mode' }),
    name: z.string(),
    service: z.string(),
    digits: z.number(),
    decimals: z.number(),
    verificationDue: z.string().nullable().meta({ description: 'ISO timestamp of the next verification date, or null' }),
    lastReading: z
      .object({ valueMilli: z.number(), date: z.string() })
      .nullable()
      .meta({ description: 'The last reading billing knows, in thousandths, with its date' }),
    usualMonthlyMilli: z.number().nullable(),
    tariff: z.number().meta({ description: 'Price of one unit, kopecks' }),
  })
  .meta({ id: 'AccountMeter' });

export const MonthlyUsage = z.object({ period: z.string(), volume: z.number(), amount: z.number() });

export const AccountSummary = z
  .object({
    account: LinkedAccount.pick({ id: true, number: true, address: true, holder: true, mode: true }),
    period: z.string().nullable().meta({ description: 'The period shown, or null when billing sent nothing yet' }),
    periods: z
      .object({ first: z.string().nullable(), last: z.string().nullable() })
      .meta({ description: 'The first and last periods with a balance, for month navigation' }),
    balance: AccountBalance.nullable(),
    charges: MonthlyCharges.nullable(),
    meters: z.array(AccountMeter),
    history: z.array(MonthlyUsage).meta({ description: 'Up to 12 months ending at `period`, oldest first' }),
    dataAsOf: z.string().meta({ description: 'When billing last sent data for the account (ISO timestamp)' }),
    pendingPaid: z.number(),
    due: AmountDue,
  })
  .meta({ id: 'AccountSummary' });

const IdParams = z.strictObject({ id: LinkedAccountId });

export const accounts = {
  check: endpoint({
    method: 'POST',
    path: '/accounts/check',
    auth: 'subscriber',
    summary: 'Check an account number before linking: masked contract details',
    tags: ['Accounts'],
    body: AccountRef,
    response: {
      status: 200,
      body: AccountCheck,
      description: 'Masked details: street and house without the flat, surname and initials',
    },
    errors: [400, 401, 404, 429],
  }),
  list: endpoint({
    method: 'GET',
    path: '/accounts',
    auth: 'subscriber',
    summary: "The cabinet's linked accounts with debt",
    tags: ['Accounts'],
    response: { status: 200, body: z.object({ items: z.array(LinkedAccount) }), description: 'Accounts' },
    errors: [401],
  }),
  link: endpoint({
    method: 'POST',
    path: '/accounts',
    auth: 'subscriber',
    idempotency: { replay: 'accounts.link' },
    summary: 'Link an account (basic mode); at most the tenant limit per cabinet',
    tags: ['Accounts'],
    body: AccountRef,
    response: { status: 201, body: LinkedAccount, description: 'Linked' },
    errors: [400, 401, 404, 409, 422, 429],
  }),
  unlink: endpoint({
    method: 'DELETE',
    path: '/accounts/:id',
    auth: 'subscriber',
    summary: 'Unlink an account (not the last one)',
    tags: ['Accounts'],
    params: IdParams,
    response: { status: 204, body: null, description: 'Unlinked' },
    errors: [401, 404, 422],
  }),
  enterPin: endpoint({
    method: 'POST',
    path: '/accounts/:id/pin',
    auth: 'subscriber',
    summary: 'Enter the PIN printed on the bill: switches the link to extended mode',
    tags: ['Accounts'],
    params: IdParams,
    body: z.strictObject({
      pin: z
        .string()
        .trim()
        .regex(/^\d{4,8}$/, 'pin_format'),
    }),
    response: { status: 200, body: LinkedAccount, description: 'Extended' },
    errors: [400, 401, 404, 422, 429],
  }),
  summary: endpoint({
    method: 'GET',
    path: '/accounts/:id/summary',
    auth: 'subscriber',
    summary: 'Balance, meters, charges of a period and the last 12 months',
    tags: ['Accounts'],
    params: IdParams,
    query: z.strictObject({ period: Period.optional() }),
    response: { status: 200, body: AccountSummary, description: 'Summary' },
    errors: [400, 401, 403, 404],
  }),
  charges: endpoint({
    method: 'GET',
    path: '/accounts/:id/charges',
    auth: 'subscriber',
    summary: 'Monthly charges with lines and penalties (extended mode)',
    tags: ['Accounts'],
    params: IdParams,
    query: z.strictObject({ from: Period.optional(), to: Period.optional() }),
    response: { status: 200, body: z.object({ items: z.array(MonthlyCharges) }), description: 'Charges, newest first' },
    errors: [400, 401, 403, 404],
  }),
  meters: endpoint({
    method: 'GET',
    path: '/accounts/:id/meters',
    auth: 'subscriber',
    summary: 'Meters with last readings and verification dates',
    tags: ['Accounts'],
    params: IdParams,
    response: { status: 200, body: z.object({ items: z.array(AccountMeter) }), description: 'Meters' },
    errors: [401, 403, 404],
  }),
};
