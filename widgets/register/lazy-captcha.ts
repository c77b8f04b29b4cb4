import { lazyPart } from '../shared/lazy.ts';

/**
 * Defines `gaskit-captcha`. Forms load it with their configuration when the supplier has the
 * captcha on, so only those suppliers' pages download it (and altcha, when it shows).
 */
export const loadCaptcha = lazyPart('The captcha', () =>
  import('./captcha.component.ts').then(({ GaskitCaptcha }) => GaskitCaptcha.define('gaskit-captcha')),
);
