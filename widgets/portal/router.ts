import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { LINK_PARAMS } from '../../sdk/index.ts';

/** The portal's views; `summary`, `charges` and `readings` belong to one account. */
export type View =
  | 'home'
  | 'login'
  | 'register'
  | 'accounts'
  | 'summary'
  | 'charges'
  | 'readings'
  | 'pay'
  | 'payments'
  | 'settings'
  | 'feedback'
  | 'not-found';

export interface Route {
  view: View;
  /** The account of an account-scoped view (`/accounts/<id>/…`), or of the payment history. */
  accountId?: string;
}

const PLAIN: Record<string, View> = {
  '': 'home',
  login: 'login',
  register: 'register',
  accounts: 'accounts',
  pay: 'pay',
  payments: 'payments',
  settings: 'settings',
  feedback: 'feedback',
};

const OF_ACCOUNT: Record<string, View> = { '': 'summary', charges: 'charges', readings: 'readings', payments: 'payments' };

/** `/accounts/42/readings` → `{ view: 'readings', accountId: '42' }`; unknown paths are `not-found`. */
export function parseRoute(path: string): Route {
  const segments = path
    .split('/')
    .filter(Boolean)
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return '';
      }
    });
  const [first = '', id, section = '', ...rest] = segments;
  if (segments.length <= 1 && first in PLAIN) return { view: PLAIN[first]! };
  if (first === 'accounts' && id && rest.length === 0 && section in OF_ACCOUNT)
    return { view: OF_ACCOUNT[section]!, accountId: id };
  return { view: 'not-found' };
}

/** The path of a route: the inverse of `parseRoute`. */
export function routePath({ view, accountId }: Route): string {
  const account = accountId ? `/accounts/${encodeURIComponent(accountId)}` : '';
  switch (view) {
    case 'home':
    case 'not-found':
      return '/';
    case 'summary':
      return account || '/accounts';
    case 'charges':
    case 'readings':
      return account ? `${account}/${view}` : '/accounts';
    case 'payments':
      return account ? `${account}/payments` : '/payments';
    default:
      return `/${view}`;
  }
}

export interface RouterHost extends ReactiveControllerHost, HTMLElement {
  /** Path routing under this prefix when set (the hosted portal); hash routing (`#/…`) otherwise. */
  basePath: string;
}

/**
 * The portal's address: with `base-path`, real paths under it (deep links such as
 * `/t/sever-gaz/accounts/42/readings`); without, the hash (`#/accounts/42/readings`), so a portal
 * embedded in any page of a supplier's site never fights the site's own routes. Links inside the
 * portal, its widgets' included, are followed without a page load.
 */
export class PortalRouter implements ReactiveController {
  private readonly host: RouterHost;
  private readonly onUserNavigation: () => void;
  private current = '/';

  /** `onUserNavigation` runs when the person followed a link or went Back or Forward. */
  constructor(host: RouterHost, { onUserNavigation }: { onUserNavigation: () => void }) {
    this.host = host;
    this.onUserNavigation = onUserNavigation;
    host.addController(this);
  }

  /** The route path, e.g. `/accounts/42/readings`. */
  get path(): string {
    return this.current;
  }

  get route(): Route {
    return parseRoute(this.current);
  }

  hostConnected(): void {
    window.addEventListener('popstate', this.sync);
    window.addEventListener('hashchange', this.sync);
    this.host.addEventListener('click', this.onClick);
    this.current = this.read() ?? '/';
    // An emailed link comes back to the page without the portal's route: open the view that reads it.
    const params = new URLSearchParams(location.search);
    if (params.has(LINK_PARAMS.confirm)) this.navigate('/register', { replace: true });
    else if (params.has(LINK_PARAMS.reset)) this.navigate('/login', { replace: true });
  }

  hostDisconnected(): void {
    window.removeEventListener('popstate', this.sync);
    window.removeEventListener('hashchange', this.sync);
    this.host.removeEventListener('click', this.onClick);
  }

  /** The address of a route path, for `href`. */
  href(path: string): string {
    const base = this.base();
    return base === null ? `#${path}` : `${base}${path === '/' ? '' : path}` || '/';
  }

  /** Shows a route: a new history entry, or with `replace` the current one replaced. */
  navigate(path: string, { replace = false }: { replace?: boolean } = {}): void {
    const url = new URL(location.href);
    if (this.base() === null) url.hash = path;
    else {
      url.pathname = this.href(path);
      url.hash = '';
    }
    if (url.href !== location.href) history[replace ? 'replaceState' : 'pushState'](history.state, '', url);
    this.current = path;
    this.host.requestUpdate();
  }

  private base(): string | null {
    return this.host.basePath ? this.host.basePath.replace(/\/+$/, '') : null;
  }

  /** The route path in the address; `null` when the hash is the page's own anchor (`#content`), not a route. */
  private read(): string | null {
    const base = this.base();
    if (base === null) return location.hash.startsWith('#/') ? location.hash.slice(1) : location.hash.length > 1 ? null : '/';
    const { pathname } = location;
    if (pathname !== base && !pathname.startsWith(`${base}/`)) return '/';
    return pathname.slice(base.length) || '/';
  }

  private readonly sync = (): void => {
    const path = this.read();
    if (path === null || path === this.current) return;
    this.current = path;
    this.onUserNavigation();
    this.host.requestUpdate();
  };

  /** Follows same-document links to portal routes in place; new tabs, downloads and other pages are left alone. */
  private readonly onClick = (event: MouseEvent): void => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const anchor = event.composedPath().find((node): node is HTMLAnchorElement => node instanceof HTMLAnchorElement);
    if (!anchor || !anchor.href || (anchor.target && anchor.target !== '_self') || anchor.hasAttribute('download')) return;
    const url = new URL(anchor.href);
    const here = new URL(location.href);
    if (url.origin !== here.origin) return;
    const base = this.base();
    let path: string;
    if (base === null) {
      if (url.pathname !== here.pathname || url.search !== here.search || !url.hash.startsWith('#/')) return;
      path = url.hash.slice(1);
    } else {
      if (url.pathname !== base && !url.pathname.startsWith(`${base}/`)) return;
      path = url.pathname.slice(base.length) || '/';
    }
    event.preventDefault();
    this.onUserNavigation();
    this.navigate(path);
  };
}
