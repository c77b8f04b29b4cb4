/**
 * A person's choices that outlive a session (`client.preferences`): the low-vision mode and the
 * account chosen last. Kept per API base and tenant in the browser's localStorage when it is
 * usable, in memory otherwise (Node, storage-blocked frames, private modes that refuse writes).
 */
import { groupAccessor, type ClientCore } from './core.ts';
import { Emitter } from './events.ts';
import { usableStorage, type WebStorage } from './session.ts';

/** `low`: large type, high contrast and a simplified layout ("версия для слабовидящих"). */
export type VisionMode = 'standard' | 'low';
export const VISION_MODES: readonly VisionMode[] = ['standard', 'low'];

export interface Preferences {
  vision: VisionMode;
  /** The account the cabinet opens with; `null` until one is chosen. */
  accountId: string | null;
}

export interface PreferenceEvents {
  /** A preference changed through this store. */
  changed: Preferences;
}

const DEFAULTS: Preferences = { vision: 'standard', accountId: null };

/** Reads what a previous visit stored, keeping only well-formed values. */
function parse(text: string | null): Preferences {
  if (!text) return { ...DEFAULTS };
  try {
    const raw = JSON.parse(text) as Partial<Record<keyof Preferences, unknown>>;
    return {
      vision: VISION_MODES.includes(raw.vision as VisionMode) ? (raw.vision as VisionMode) : DEFAULTS.vision,
      accountId: typeof raw.accountId === 'string' && raw.accountId ? raw.accountId : null,
    };
  } catch {
    return { ...DEFAULTS };
  }
}

/**
 * The stored values are read on every access, so several clients of one tenant (e.g. each
 * widget bundle's and the page's own) and several tabs always agree; `changed` fires on the
 * store that made the change.
 */
export class PreferenceStore {
  readonly events = new Emitter<PreferenceEvents>();
  /** Whether the preferences survive a page load (localStorage was usable when the client was made). */
  readonly persistent: boolean;
  private readonly key: string;
  private readonly backend: WebStorage | undefined;
  private memory: Preferences = { ...DEFAULTS };
  /** Set when a write failed: from then on the values in memory are the newer ones. */
  private detached = false;

  constructor(core: ClientCore) {
    this.key = `gaskit:preferences:${core.apiBase}:${core.tenant}`;
    this.backend = usableStorage('localStorage', `${this.key}:probe`);
    this.persistent = this.backend !== undefined;
  }

  get vision(): VisionMode {
    return this.read().vision;
  }

  get accountId(): string | null {
    return this.read().accountId;
  }

  /** A copy of every preference. */
  get(): Preferences {
    return { ...this.read() };
  }

  setVision(vision: VisionMode): void {
    if (!VISION_MODES.includes(vision)) throw new TypeError(`setVision: one of ${VISION_MODES.join(', ')} is required`);
    this.update({ vision });
  }

  setAccountId(accountId: string | null): void {
    this.update({ accountId: accountId || null });
  }

  private read(): Preferences {
    if (!this.backend || this.detached) return this.memory;
    try {
      this.memory = parse(this.backend.getItem(this.key));
    } catch {
      // A revoked localStorage leaves the last values read or written.
    }
    return this.memory;
  }

  private update(change: Partial<Preferences>): void {
    const current = this.read();
    const next = { ...current, ...change };
    if (next.vision === current.vision && next.accountId === current.accountId) return;
    this.memory = next;
    try {
      this.backend?.setItem(this.key, JSON.stringify(next));
    } catch {
      // A full or revoked localStorage only costs persistence across visits.
      this.detached = true;
    }
    this.events.emit('changed', { ...next });
  }
}

/** The preferences group of a client (see `groupAccessor`). */
export const preferencesOf = /* @__PURE__ */ groupAccessor((core) => new PreferenceStore(core));
