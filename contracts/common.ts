/** Values several contracts share. */
import { z } from 'zod';

/** A month, `YYYY-MM`. */
export const Period = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'period_format');

/** A supplier's slug (a tenant of the realm). */
export const Slug = z.string().regex(/^[a-z0-9][a-z0-9-]{1,39}$/, 'supplier_not_found');

/** An account's id as the accounts module gives it: `<tenantId>:<number>` (opaque to clients). */
export const LinkedAccountId = z.string().regex(/^[0-9a-f]{24}:.{1,32}$/, 'account_not_found');

export const LoginKind = z.enum(['email', 'phone']);
export const PersonType = z.enum(['individual', 'legal']);

/** What is owed now on an account, kopecks. */
export const AmountDue = z
  .object({
    balance: z.number().int().meta({ description: 'The debt less payments not booked yet; negative is an overpayment' }),
    total: z.number().int().meta({ description: 'What to pay now: amount + penalties' }),
    amount: z.number().int().meta({ description: 'Toward the services ("Сумма")' }),
    penalties: z.number().int().meta({ description: 'Toward the penalties ("Пени")' }),
  })
  .meta({ id: 'AmountDue' });

export const SupplierRef = z.object({ slug: z.string(), name: z.string() });
