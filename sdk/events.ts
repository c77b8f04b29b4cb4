export type Listener<T> = (payload: T) => void;

/** A small typed event emitter; `Events` maps event names to payload types. */
export class Emitter<Events extends object> {
  private readonly listeners = new Map<keyof Events, Set<Listener<never>>>();

  /** Subscribes and returns the matching unsubscribe function. */
  on<K extends keyof Events>(type: K, listener: Listener<Events[K]>): () => void {
    let set = this.listeners.get(type);
    if (!set) {
      set = new Set();
      this.listeners.set(type, set);
    }
    set.add(listener);
    return () => this.off(type, listener);
  }

  off<K extends keyof Events>(type: K, listener: Listener<Events[K]>): void {
    this.listeners.get(type)?.delete(listener);
  }

  emit<K extends keyof Events>(type: K, payload: Events[K]): void {
    const set = this.listeners.get(type);
    if (!set) return;
    for (const listener of [...set] as Listener<Events[K]>[]) listener(payload);
  }
}

/** Events of a GaskitClient (`client.events`). */
export interface ClientEvents {
  /** A token was stored or removed (sign-in, sign-out, or a 401 on an authenticated request). */
  'session-changed': { signedIn: boolean };
  /** `client.setLocale()` changed the language. */
  'locale-changed': { locale: string };
}
