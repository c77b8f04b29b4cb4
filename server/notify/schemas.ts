import { z } from 'zod';

/** `/dev/mailbox(.json)?to=<recipient>&limit=<n>` (a development tool, outside the v1 API document). */
export const DevMailboxQuery = z.strictObject({
  to: z.string().max(320).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type DevMailboxQuery = z.infer<typeof DevMailboxQuery>;
