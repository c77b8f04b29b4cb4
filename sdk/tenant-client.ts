import { ClientCore } from './core.ts';
import { path } from './http.ts';
import type { TenantConfig, Translations, WidgetNamespace } from './types.ts';

/**
 * The core plus the tenant-wide calls: what every widget needs. Domain groups come from their
 * accessors (`readingsOf(client)`…), so a widget bundles only the groups it uses.
 */
export class TenantClient extends ClientCore {
  private config?: Promise<TenantConfig>;

  /** `GET config`, fetched once per client; a failed fetch is retried on the next call. */
  getConfig(): Promise<TenantConfig> {
    this.config ??= this.request<TenantConfig>('config').catch((error: unknown) => {
      this.config = undefined;
      throw error;
    });
    return this.config;
  }

  /**
   * `GET i18n/:lng?ns=…`: i18next resources by namespace, tenant overrides applied: the namespaces
   * given (`accounts`, `auth`, `billing`, `captcha`, `chart`, `common`, `errors`, `feedback`, `linking`,
   * `password`, `payments`, `pin`, `portal`, `readings`, `registration`, `settings`), or all of them
   * when none is.
   */
  getTranslations(lng: string, namespaces: readonly WidgetNamespace[] = []): Promise<Translations> {
    return this.request<Translations>(path`i18n/${lng}`, { query: { ns: namespaces.join(',') || undefined } });
  }
}
