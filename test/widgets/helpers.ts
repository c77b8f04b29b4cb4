import { waitUntil } from '@open-wc/testing';
import type { GaskitElement } from '../../widgets/shared/gaskit-element.ts';

/** Waits until the element shows texts in a language and has rendered them. */
export async function translated(element: GaskitElement, lng?: string): Promise<void> {
  await waitUntil(
    () => element.localize.ready && (!lng || element.localize.locale === lng),
    `<${element.localName}> got no ${lng ?? ''} texts`,
  );
  await element.updateComplete;
}

/** The text of an element's shadow root, whitespace collapsed. */
export function shadowText(element: Element, selector: string): string {
  return element.shadowRoot?.querySelector(selector)?.textContent?.replace(/\s+/g, ' ').trim() ?? '';
}

/**
 * Elements of the element's shadow tree (nested shadow roots included) that reach past the
 * window's left or right edge, as `tag[part].class (left…right)`; empty when everything fits.
 */
export function sticksOut(element: Element): string[] {
  const out: string[] = [];
  const walk = (root: ShadowRoot | Element) => {
    for (const el of root.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.width > 0 && r.height > 0 && (r.right > innerWidth + 0.5 || r.left < -0.5)) {
        const part = el.getAttribute('part');
        out.push(
          `${el.localName}${part ? `[part=${part}]` : ''}.${el.getAttribute('class') ?? ''} (${Math.round(r.left)}…${Math.round(r.right)})`,
        );
      }
      if (el.shadowRoot) walk(el.shadowRoot);
    }
  };
  if (element.shadowRoot) walk(element.shadowRoot);
  return out;
}
