/** Every endpoint declared as a contract, by module. */
import { auth } from './auth.ts';
import type { Endpoint } from './endpoint.ts';
import { accounts } from './accounts.ts';
import { feedback } from './feedback.ts';
import { http } from './http.ts';
import { integration } from './integration.ts';
import { me } from './me.ts';
import { notify } from './notify.ts';
import { payments } from './payments.ts';
import { readings } from './readings.ts';
import { tenants } from './tenants.ts';

export const CONTRACTS = {
  http,
  tenants,
  auth,
  me,
  accounts,
  readings,
  payments,
  integration,
  feedback,
  notify,
} satisfies Record<string, Record<string, Endpoint>>;

export const ENDPOINTS: readonly Endpoint[] = Object.values(CONTRACTS).flatMap((group) => Object.values(group));
