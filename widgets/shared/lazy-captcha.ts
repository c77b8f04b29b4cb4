import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type {} from './captcha.component.ts';
import { lazyPart } from './lazy.ts';
import type { LocalizeController } from './localize.ts';

/**
 * Defines `gaskit-captcha` (a lazy chunk, so only pages whose forms need it download it); given the
 * host's `localize`, its texts load with it.
 */
export const loadCaptcha = lazyPart(
  'The captcha',
  () => import('./captcha.component.ts').then(({ GaskitCaptcha }) => GaskitCaptcha.define('gaskit-captcha')),
  ['captcha'],
);

/**
 * A form's `gaskit-captcha`, defined once the person starts filling the form (focus or input in
 * the host) or the form asks for a payload: a page that only shows the form downloads neither the
 * field nor its solver. Until then the field's tag is in the form, empty.
 */
export class LazyCaptcha implements ReactiveController {
  private readonly load = (): void => {
    this.listen(false);
    loadCaptcha(this.host.localize).catch(() => undefined);
  };

  /** `onError` shows a failed load (the network) where the form shows its errors. */
  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement & { readonly localize: LocalizeController },
    private readonly onError: (error: unknown) => void,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.listen(true);
  }

  hostDisconnected(): void {
    this.listen(false);
  }

  private listen(on: boolean): void {
    for (const type of ['focusin', 'input']) {
      if (on) this.host.addEventListener(type, this.load);
      else this.host.removeEventListener(type, this.load);
    }
  }

  /**
   * The payload of the host's `gaskit-captcha`, loading it first; null when it cannot be had (the
   * field, or `onError` when the field could not be loaded, says why).
   */
  async solveForSubmit(): Promise<string | null> {
    try {
      await loadCaptcha(this.host.localize);
    } catch (error) {
      this.onError(error);
      return null;
    }
    await this.host.updateComplete;
    const field = (this.host.shadowRoot ?? this.host).querySelector('gaskit-captcha');
    return (await field?.solveForSubmit()) ?? null;
  }
}
