import { AccountsApi } from './accounts.ts';
import { AuthApi } from './auth.ts';
import { ClientCore } from './core.ts';
import { path } from './http.ts';
import { MeApi } from './me.ts';
import { PaymentsApi } from './payments.ts';
import { PreferenceStore } from './preferences.ts';
import { ReadingsApi } from './readings.ts';
import type { TenantConfig, Translations } from './types.ts';
import { FeedbackApi } from './feedback.ts';

/**
 * The client integrators and widgets use: the core plus the tenant-wide calls,
 * with one property per domain group (see the pattern in sdk/index.ts).
 */
export class GaskitClient extends ClientCore {
  readonly auth = new AuthApi(this);
  readonly me = new MeApi(this);
  readonly accounts = new AccountsApi(this);
  readonly readings = new ReadingsApi(this);
  readonly payments = new PaymentsApi(this);
  readonly feedback = new FeedbackApi(this);
  readonly preferences = new PreferenceStore(this);
  private config?: Promise<TenantConfig>;

  /** `GET config`, fetched once per client; a failed fetch is retried on the next call. */
  getConfig(): Promise<TenantConfig> {
    this.config ??= this.request<TenantConfig>('config').catch((error: unknown) => {
      this.config = undefined;
      throw error;
    });
    return this.config;
  }

  /** `GET i18n/:lng`: i18next resources by namespace, tenant overrides applied. */
  getTranslations(lng: string): Promise<Translations> {
    return this.request<Translations>(path`i18n/${lng}`);
  }
}
