import type { ReactiveController } from 'lit';
import { pickLocale } from '../../sdk/locale.ts';
import type { TenantClient } from '../../sdk/tenant-client.ts';
import type { WidgetNamespace } from '../../sdk/types.ts';
import type { ClientHost } from './context.ts';
import { BASE_NAMESPACES, builtInLanguages, i18n, loadTranslations } from './i18n.ts';

const formatters = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>();

function cachedFormatter<F extends Intl.NumberFormat | Intl.DateTimeFormat>(key: string, create: () => F): F {
  let formatter = formatters.get(key) as F | undefined;
  if (!formatter) {
    formatter = create();
    formatters.set(key, formatter);
  }
  return formatter;
}

const DATE_ONLY = /^\d{4}-\d{2}(-\d{2})?$/;

/**
 * Translations and formatting for a widget. The language is the host's own
 * `lang` attribute, else the client's locale (`client.setLocale()` switches
 * every widget of that client). Resources come from the page-level loader:
 * `common`, `errors` and the namespaces the host's class declares in its
 * static `namespaces`; until they are loaded `t()` returns empty strings, and
 * while another language loads the previous one stays on screen. The host
 * re-renders when the language or the shared resources change.
 */
export class LocalizeController implements ReactiveController {
  private readonly host: ClientHost;
  private client?: TenantClient;
  private stopListening?: () => void;
  private stopRefreshing?: () => void;
  private requested?: string;
  private lng?: string;
  /** The namespaces `load()` was asked for: a language switch loads them with the host's own. */
  private readonly lazy = new Set<WidgetNamespace>();

  constructor(host: ClientHost) {
    this.host = host;
    host.addController(this);
  }

  /** The language texts are shown in; also used for number and date formats. */
  get locale(): string {
    return this.lng ?? this.requested ?? (document.documentElement.lang || navigator.language);
  }

  /** True once the host's namespaces are loaded in a language. */
  get ready(): boolean {
    return this.lng !== undefined;
  }

  hostConnected(): void {
    this.stopRefreshing = i18n.onAdded(this.refresh);
    this.client = undefined;
    this.host.requestUpdate();
  }

  hostDisconnected(): void {
    this.stopRefreshing?.();
    this.stopListening?.();
    this.stopListening = undefined;
  }

  hostUpdate(): void {
    const client = this.host.resolvedClient;
    if (client !== this.client) {
      this.stopListening?.();
      this.stopListening = client?.events.on('locale-changed', this.refresh);
      this.client = client;
      this.requested = undefined;
    }
    const requested = this.host.lang || client?.locale;
    if (!client || !requested || requested === this.requested) return;
    this.requested = requested;
    const own = (this.host.constructor as { namespaces?: readonly WidgetNamespace[] }).namespaces ?? [];
    loadTranslations(client, requested, [...BASE_NAMESPACES, ...own, ...this.lazy]).then(
      (lng) => this.settle(client, requested, lng),
      () => this.settle(client, requested, this.lng ?? pickLocale(requested, builtInLanguages, builtInLanguages[0] ?? requested)),
    );
  }

  /**
   * Loads namespaces the host's class does not declare (a lazy part's, when it opens) in the
   * language the host was asked to show; resolves once they are there, and a later language switch
   * loads them too before the host shows it. Rejects when they could not be loaded; nothing to load
   * before the host has a client and a language.
   */
  async load(namespaces: readonly WidgetNamespace[]): Promise<void> {
    for (const ns of namespaces) this.lazy.add(ns);
    const client = this.client;
    const requested = this.requested;
    if (!client || !requested) return;
    await loadTranslations(client, requested, namespaces);
  }

  /** Translates `ns:key` with the values its text interpolates (and `count` for a plural). */
  t(key: string, options: Record<string, unknown> = {}): string {
    if (!this.lng) return '';
    return i18n.t(this.lng, key, options);
  }

  exists(key: string): boolean {
    return this.lng !== undefined && i18n.exists(this.lng, key);
  }

  /** Formats an amount in minor units (kopecks) as currency, e.g. `1 956,85 ₽`. */
  formatMoney(kopecks: number, currency = 'RUB'): string {
    const locale = this.locale;
    return cachedFormatter(
      `n|${locale}|${currency}`,
      () => new Intl.NumberFormat(locale, { style: 'currency', currency }),
    ).format(kopecks / 100);
  }

  /** Formats a date; `YYYY-MM-DD` and `YYYY-MM` strings are calendar dates, free of time zones. */
  formatDate(value: Date | string | number, options: Intl.DateTimeFormatOptions = { dateStyle: 'long' }): string {
    const locale = this.locale;
    const calendar = typeof value === 'string' && DATE_ONLY.test(value);
    const resolved = calendar ? { ...options, timeZone: 'UTC' } : options;
    return cachedFormatter(`d|${locale}|${JSON.stringify(resolved)}`, () => new Intl.DateTimeFormat(locale, resolved)).format(
      new Date(value),
    );
  }

  private settle(client: TenantClient, requested: string, lng: string): void {
    if (client !== this.client || requested !== this.requested) return;
    this.lng = lng;
    this.host.requestUpdate();
  }

  private readonly refresh = (): void => this.host.requestUpdate();
}
