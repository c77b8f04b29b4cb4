import type { Stripe, StripeElements } from '@stripe/stripe-js';

/** Stripe's Payment Element mounted on a light-DOM node (Stripe's iframes cannot live in a shadow root). */
export interface MountedPaymentElement {
  /** Confirms the payment with the card in the element; resolves with Stripe's error code, if any. */
  confirm(returnUrl: string): Promise<{ errorCode?: string }>;
  destroy(): void;
}

/**
 * Loads Stripe.js on demand (only for tenants paying through Stripe: the import is split into a
 * lazy chunk and the script is injected when first needed) and mounts the Payment Element for
 * the intent on the supplier's connected account.
 */
export async function mountPaymentElement(
  target: HTMLElement,
  params: { publishableKey: string; stripeAccount: string; clientSecret: string; locale: string },
): Promise<MountedPaymentElement> {
  const { loadStripe } = await import('@stripe/stripe-js/pure');
  const stripe: Stripe | null = await loadStripe(params.publishableKey, { stripeAccount: params.stripeAccount });
  if (!stripe) throw new Error('Stripe.js is not available');
  const locale = params.locale.startsWith('ru') ? 'ru' : 'en';
  const elements: StripeElements = stripe.elements({ clientSecret: params.clientSecret, locale });
  const element = elements.create('payment');
  element.mount(target);
  return {
    async confirm(returnUrl) {
      const { error } = await stripe.confirmPayment({
        elements,
        redirect: 'if_required',
        confirmParams: { return_url: returnUrl },
      });
      return error ? { errorCode: error.decline_code ?? error.code ?? 'card_declined' } : {};
    },
    destroy() {
      element.destroy();
    },
  };
}
