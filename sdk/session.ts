/** Where the session token lives: `memory` (default) or the tab's `sessionStorage`. */
export type StorageKind = 'memory' | 'session';

interface SessionStoreOptions {
  /** Storage key; one per API base and tenant. */
  key: string;
  storage: StorageKind;
  /** Called after the token changed. */
  onChange: (signedIn: boolean) => void;
}

/** The part of the Web Storage API the SDK uses; declared here so the SDK needs no DOM types. */
export interface WebStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/**
 * Returns the browser's `sessionStorage` or `localStorage` when it exists and accepts writes. It
 * is absent in Node, and reading it throws in sandboxed or storage-blocked frames.
 */
export function usableStorage(name: 'sessionStorage' | 'localStorage', probeKey: string): WebStorage | undefined {
  try {
    const storage = (globalThis as { sessionStorage?: WebStorage; localStorage?: WebStorage })[name];
    if (!storage) return undefined;
    storage.setItem(probeKey, '');
    storage.removeItem(probeKey);
    return storage;
  } catch {
    return undefined;
  }
}

/**
 * Holds the opaque session token. The in-memory value is authoritative; with
 * `storage: 'session'` it is also mirrored to sessionStorage so it survives
 * page loads within the tab. When sessionStorage is unusable the store falls
 * back to memory and reports it in `storage`.
 */
export class SessionStore {
  /** The storage actually in use (may be `memory` although `session` was asked for). */
  readonly storage: StorageKind;
  private readonly key: string;
  private readonly backend: WebStorage | undefined;
  private readonly onChange: (signedIn: boolean) => void;
  private value: string | null;

  constructor({ key, storage, onChange }: SessionStoreOptions) {
    this.key = key;
    this.onChange = onChange;
    this.backend = storage === 'session' ? usableStorage('sessionStorage', `${key}:probe`) : undefined;
    this.storage = this.backend ? 'session' : 'memory';
    this.value = this.backend?.getItem(key) ?? null;
  }

  get token(): string | null {
    return this.value;
  }

  get isSignedIn(): boolean {
    return this.value !== null;
  }

  setToken(token: string): void {
    if (!token) throw new TypeError('A session token must be a non-empty string');
    this.replace(token);
  }

  clear(): void {
    this.replace(null);
  }

  private replace(token: string | null): void {
    if (token === this.value) return;
    this.value = token;
    try {
      if (token === null) this.backend?.removeItem(this.key);
      else this.backend?.setItem(this.key, token);
    } catch {
      // A full or revoked sessionStorage only costs persistence across page loads.
    }
    this.onChange(token !== null);
  }
}
