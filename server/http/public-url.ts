import type { TenantDoc } from '../tenants/model.ts';
import { appContext } from '../app-context.ts';
import { ValidationError } from './errors.ts';

/**
 * Where links in messages lead (confirmation, password reset, receipts, attachments, reminders):
 * PUBLIC_URL, or in demo and test mode the address the server itself listens on. Never the
 * request's `Host` or `Origin`: those are whatever the client sends, and a link built from them
 * hands the token in it to whoever the client named. One per app (`AppContext.publicUrl`).
 */
export class PublicUrl {
  private readonly configured: string | undefined;
  private listening: string;

  /** From the validated config; the listen address stands in while PUBLIC_URL is unset. */
  constructor(config: { publicUrl: string | undefined; host: string; port: number }) {
    this.configured = config.publicUrl?.replace(/\/+$/, '');
    this.listening = listenUrl(config.host, config.port);
  }

  /** Once the server listens: the port it got (PORT=0 picks a free one). */
  listeningOn(host: string, port: number): void {
    this.listening = listenUrl(host, port);
  }

  /** The server's public base URL, without a trailing slash. */
  get url(): string {
    return this.configured ?? this.listening;
  }
}

function listenUrl(host: string, port: number): string {
  const name = host === '' || host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return `http://${name}:${port}`;
}

/** The public base URL of the running app, without a trailing slash. */
export function publicUrl(): string {
  return appContext().publicUrl.url;
}

/** The hosted portal of a supplier (`/t/<slug>`), which takes the confirmation and reset links too. */
export function portalUrl(tenant: Pick<TenantDoc, 'slug'>): string {
  return `${publicUrl()}/t/${encodeURIComponent(tenant.slug)}`;
}

/** Origins a mailed link may lead to: the supplier's own sites (`allowedOrigins`) and the server's public one. */
export function linkOrigins(tenant: Pick<TenantDoc, 'allowedOrigins'>): Set<string> {
  return new Set([...tenant.allowedOrigins, new URL(publicUrl()).origin]);
}

/**
 * The page a confirmation or reset link leads to: the widget's page (`returnUrl`) when it is on an
 * origin of `linkOrigins`, else refused (400 `return_url_not_allowed`); without one, the
 * supplier's hosted portal.
 */
export function linkBase(tenant: Pick<TenantDoc, 'slug' | 'allowedOrigins'>, returnUrl: string | undefined): string {
  if (returnUrl === undefined) return portalUrl(tenant);
  let parsed: URL | undefined;
  try {
    parsed = new URL(returnUrl);
  } catch {
    parsed = undefined;
  }
  if (!parsed || !/^https?:$/.test(parsed.protocol) || !linkOrigins(tenant).has(parsed.origin)) {
    throw new ValidationError({ returnUrl: { code: 'return_url_not_allowed' } });
  }
  return parsed.href;
}
