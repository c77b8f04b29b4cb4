import type { ReactiveController } from 'lit';
import type { TenantClient } from '../../sdk/tenant-client.ts';
import type { ClientHost } from './context.ts';

/**
 * Follows the session of the host's client: `signedIn` is current and `changes` counts sign-ins
 * and sign-outs, each of which re-renders the host. The session is the page's shared one, so a
 * widget hears a sign-in made through any other widget with the same client (`gaskit-login`
 * beside it).
 */
export class SessionController implements ReactiveController {
  /** How many times the session changed while the host listened. */
  changes = 0;
  private readonly host: ClientHost;
  private client?: TenantClient;
  private stopListening?: () => void;

  constructor(host: ClientHost) {
    this.host = host;
    host.addController(this);
  }

  get signedIn(): boolean {
    return this.host.resolvedClient?.session.isSignedIn ?? false;
  }

  hostUpdate(): void {
    const client = this.host.resolvedClient;
    if (client === this.client && (this.stopListening || !client)) return;
    this.stopListening?.();
    this.client = client;
    this.stopListening = client?.events.on('session-changed', () => {
      this.changes += 1;
      this.host.requestUpdate();
    });
  }

  hostDisconnected(): void {
    this.stopListening?.();
    this.stopListening = undefined;
  }
}
