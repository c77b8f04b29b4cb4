import { accountsOf } from './accounts.ts';
import { authOf } from './auth.ts';
import { feedbackOf } from './feedback.ts';
import { meOf } from './me.ts';
import { paymentsOf } from './payments.ts';
import { preferencesOf } from './preferences.ts';
import { readingsOf } from './readings.ts';
import { TenantClient } from './tenant-client.ts';

/**
 * The client integrators use: the tenant-wide calls plus every domain group as a property
 * (each the same object its accessor returns, e.g. `client.readings === readingsOf(client)`).
 */
export class GaskitClient extends TenantClient {
  get auth() {
    return authOf(this);
  }
  get me() {
    return meOf(this);
  }
  get accounts() {
    return accountsOf(this);
  }
  get readings() {
    return readingsOf(this);
  }
  get payments() {
    return paymentsOf(this);
  }
  get feedback() {
    return feedbackOf(this);
  }
  get preferences() {
    return preferencesOf(this);
  }
}
