import type {} from './account-pin.component.ts';
import { lazyPart } from './lazy.ts';

/**
 * Defines `gaskit-account-pin` ("I have a PIN"), a lazy chunk with its texts (`pin`): it shows
 * only for an account in the basic mode, so a widget loads it once it has such an account.
 */
export const loadAccountPin = lazyPart(
  'The PIN form',
  () => import('./account-pin.component.ts').then(({ GaskitAccountPin }) => GaskitAccountPin.define('gaskit-account-pin')),
  ['pin'],
);
