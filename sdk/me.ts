/**
 * The signed-in person's own cabinet (`client.me`): profile, contacts, sessions, and deleting
 * the cabinet.
 */
import type { z } from 'zod';
import type { auth, SessionInfo as SessionInfoSchema } from '../contracts/auth.ts';
import type { BodyInput, ResponseOf } from '../contracts/endpoint.ts';
import type { me } from '../contracts/me.ts';
import type { Me } from './auth.ts';
import { groupAccessor, type ClientCore } from './core.ts';

/** A new email is applied after the code sent to it is confirmed; a phone that is the login waits for its code. */
export type ProfileInput = BodyInput<typeof me.update>;

export type ProfileSaved = ResponseOf<typeof me.update>;

/** A session: `current` is this client's; `device` names the browser and system, null where the User-Agent does not say. */
export type SessionInfo = z.output<typeof SessionInfoSchema>;

interface Options {
  signal?: AbortSignal;
}

export class MeApi {
  constructor(private readonly core: ClientCore) {}

  /** `GET me`. */
  get(options: Options = {}): Promise<Me> {
    return this.core.call<typeof me.get>('GET', '/me', options);
  }

  /** `PATCH me`: full name and phone; a new email (or login phone) gets a code first. */
  update(input: ProfileInput, options: Options = {}): Promise<ProfileSaved> {
    return this.core.call<typeof me.update>('PATCH', '/me', { body: input, ...options });
  }

  /** `POST me/contact/confirm`: applies the pending email or phone with its code. */
  confirmContact(code: string, options: Options = {}): Promise<Me> {
    return this.core.call<typeof me.confirmContact>('POST', '/me/contact/confirm', { body: { code }, ...options });
  }

  /** `GET me/sessions`: active sessions, the current one first. */
  sessions(options: Options = {}): Promise<SessionInfo[]> {
    return this.core.call<typeof auth.sessions>('GET', '/me/sessions', options);
  }

  /** `DELETE me/sessions/:id`: ends one session (the current one signs this client out). */
  async endSession(id: string, options: Options = {}): Promise<void> {
    await this.core.call<typeof auth.endSession>('DELETE', '/me/sessions/:id', { params: { id }, ...options });
  }

  /**
   * `DELETE me`: deletes the cabinet and withdraws consent to the processing of personal data
   * (the password is asked again); the session ends.
   */
  async deleteCabinet(password: string, options: Options = {}): Promise<void> {
    await this.core.call<typeof me.delete>('DELETE', '/me', { body: { password }, ...options });
    this.core.session.clear();
  }
}

/** The me group of a client (see `groupAccessor`). */
export const meOf = /* @__PURE__ */ groupAccessor((core) => new MeApi(core));
