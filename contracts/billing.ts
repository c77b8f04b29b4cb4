/**
 * The billing data a supplier's billing system sends (server/billing): the items of the
 * integration API's bulk upserts (contracts/integration.ts), which the CSV import checks the same way.
 */
import { z } from 'zod';
import { Period } from './common.ts';

const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'date_format');
const Kopecks = z.number({ message: 'amount_invalid' }).int('amount_not_integer');
const NonNegativeKopecks = Kopecks.min(0, 'amount_negative');

/** A decimal quantity with at most 3 decimals (volumes, readings), given as a number or a string. */
export const Quantity = z
  .union([z.number(), z.string().regex(/^\d+([.,]\d{1,3})?$/, 'quantity_format')])
  .transform((v) => Math.round(Number(String(v).replace(',', '.')) * 1000))
  .refine((milli) => Number.isSafeInteger(milli) && milli >= 0, 'quantity_format');

export const AccountItem = z
  .strictObject({
    number: z.string().trim().min(1, 'required').max(32, 'too_long'),
    holder: z.string().trim().max(200, 'too_long').default(''),
    address: z.string().trim().max(300, 'too_long').default(''),
    pin: z
      .string()
      .regex(/^\d{4,8}$/, 'pin_format')
      .optional(),
    services: z.array(z.string().max(40)).max(20).default(['gas']),
  })
  .meta({ id: 'BillingAccount' });

export const MeterItem = z
  .strictObject({
    meterId: z.string().trim().min(1, 'required').max(64, 'too_long'),
    accountNumber: z.string().trim().min(1, 'required').max(32, 'too_long'),
    serialNumber: z.string().trim().max(64, 'too_long').default(''),
    name: z.string().trim().max(100, 'too_long').default(''),
    service: z.string().trim().max(40).default('gas'),
    digits: z.number().int().min(1).max(9).default(5),
    decimals: z.union([z.literal(0), z.literal(3)]).default(0),
    lastReading: Quantity.nullable().optional(),
    lastReadingDate: IsoDate.nullable().optional(),
    verificationDue: IsoDate.nullable().optional(),
    tariff: NonNegativeKopecks.default(0),
    usualMonthly: Quantity.nullable().optional(),
  })
  .meta({ id: 'BillingMeter' });

export const ChargeItem = z
  .strictObject({
    accountNumber: z.string().trim().min(1, 'required').max(32, 'too_long'),
    period: Period,
    lines: z
      .array(
        z.strictObject({
          service: z.string().trim().min(1, 'required').max(60),
          volume: Quantity.default(0),
          unit: z.string().max(10).default('m3'),
          tariff: NonNegativeKopecks.default(0),
          amount: Kopecks,
        }),
      )
      .max(30),
    penalties: NonNegativeKopecks.default(0),
  })
  .meta({ id: 'BillingCharge' });

export const BalanceItem = z
  .strictObject({
    accountNumber: z.string().trim().min(1, 'required').max(32, 'too_long'),
    period: Period,
    opening: Kopecks,
    charged: Kopecks,
    paid: Kopecks,
    closing: Kopecks,
    penalties: NonNegativeKopecks.default(0),
  })
  .refine((b) => b.opening + b.charged - b.paid === b.closing, { message: 'balance_mismatch', path: ['closing'] })
  .meta({ id: 'BillingBalance' });

export type AccountInput = z.output<typeof AccountItem>;
export type MeterInput = z.output<typeof MeterItem>;
export type ChargeInput = z.output<typeof ChargeItem>;
export type BalanceInput = z.output<typeof BalanceItem>;

export const ITEM_SCHEMAS = { accounts: AccountItem, meters: MeterItem, charges: ChargeItem, balances: BalanceItem } as const;
export type BillingKind = keyof typeof ITEM_SCHEMAS;
export const BILLING_KINDS = Object.keys(ITEM_SCHEMAS) as BillingKind[];
