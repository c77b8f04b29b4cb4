import { optionalSubscriber, requireAnySession, requireSubscriber } from './auth/sessions.ts';
import { mounter } from './http/mount.ts';
import { requireApiKey } from './integration/keys.ts';

/** Mounts a contract's endpoint on a module's router with the guard its `auth` names (server/http/mount.ts). */
export const mount = mounter({
  subscriber: requireSubscriber,
  session: requireAnySession,
  sender: optionalSubscriber,
  apiKey: requireApiKey,
});
