/**
 * The signed-in person's own cabinet (`client.me`): profile, contacts, sessions, and deleting
 * the cabinet.
 */
import type { Me } from './auth.ts';
import { groupAccessor, type ClientCore } from './core.ts';
import { path } from './http.ts';

export interface ProfileInput {
  fullName?: string;
  /** A new email is applied after the code sent to it is confirmed. */
  email?: string;
  /** A contact phone is saved at once; a phone that is the login waits for its code. */
  phone?: string;
}

export interface ProfileSaved {
  me: Me;
  pendingContact: { field: 'email' | 'phone'; value: string } | null;
}

export interface SessionInfo {
  id: string;
  /** The session of this client. */
  current: boolean;
  userAgent: string;
  /** The browser and system the User-Agent names ("Chrome", "Windows"), null where it does not say. */
  device: { browser: string | null; os: string | null; mobile: boolean };
  ip: string;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
}

interface Options {
  signal?: AbortSignal;
}

export class MeApi {
  constructor(private readonly core: ClientCore) {}

  /** `GET me`. */
  get(options: Options = {}): Promise<Me> {
    return this.core.request<Me>('me', options);
  }

  /** `PATCH me`: full name and phone; a new email (or login phone) gets a code first. */
  update(input: ProfileInput, options: Options = {}): Promise<ProfileSaved> {
    return this.core.request<ProfileSaved>('me', { method: 'PATCH', body: input, ...options });
  }

  /** `POST me/contact/confirm`: applies the pending email or phone with its code. */
  confirmContact(code: string, options: Options = {}): Promise<Me> {
    return this.core.request<Me>('me/contact/confirm', { method: 'POST', body: { code }, ...options });
  }

  /** `GET me/sessions`: active sessions, the current one first. */
  sessions(options: Options = {}): Promise<SessionInfo[]> {
    return this.core.request<SessionInfo[]>('me/sessions', options);
  }

  /** `DELETE me/sessions/:id`: ends one session (the current one signs this client out). */
  async endSession(id: string, options: Options = {}): Promise<void> {
    await this.core.request<void>(path`me/sessions/${id}`, { method: 'DELETE', ...options });
  }

  /**
   * `DELETE me`: deletes the cabinet and withdraws consent to the processing of personal data
   * (the password is asked again); the session ends.
   */
  async deleteCabinet(password: string, options: Options = {}): Promise<void> {
    await this.core.request<void>('me', { method: 'DELETE', body: { password }, ...options });
    this.core.session.clear();
  }
}

/** The me group of a client (see `groupAccessor`). */
export const meOf = /* @__PURE__ */ groupAccessor((core) => new MeApi(core));
