/**
 * The dev mailbox (server/notify): what demo mode caught instead of sending, for the developer on
 * this machine. A development tool, outside the API document.
 */
import { z } from 'zod';
import { endpoint } from './endpoint.ts';

const DevMailboxQuery = z.strictObject({
  to: z.string().max(320).optional().meta({ description: 'One recipient: an email or an E.164 phone' }),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const DevMailEntry = z.object({
  kind: z.enum(['email', 'sms']),
  to: z.string(),
  subject: z.string(),
  text: z.string(),
  html: z.string(),
  attachments: z
    .array(z.object({ filename: z.string(), type: z.string(), size: z.number() }))
    .meta({ description: 'Names, types and sizes of the attached files (the bytes are not kept)' }),
  sentAt: z.string(),
});
export type DevMailEntry = z.output<typeof DevMailEntry>;

export const notify = {
  devMailbox: endpoint({
    method: 'GET',
    path: '/dev/mailbox.json',
    root: true,
    auth: 'local',
    summary: 'What the dev mailbox caught, newest first',
    tags: ['Development'],
    query: DevMailboxQuery,
    response: { status: 200, body: z.array(DevMailEntry), description: 'Messages' },
    errors: [400, 404],
  }),
  devMailboxPage: endpoint({
    method: 'GET',
    path: '/dev/mailbox',
    root: true,
    auth: 'local',
    summary: 'What the dev mailbox caught, newest first, as a page',
    tags: ['Development'],
    query: DevMailboxQuery,
    response: { status: 200, body: 'text/html', description: 'Messages' },
    errors: [400, 404],
  }),
};
