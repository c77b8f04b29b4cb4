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
