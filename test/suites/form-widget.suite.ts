import { expect, waitUntil } from '@open-wc/testing';
import type { GaskitTextField } from '../../widgets/shared/text-field.component.ts';

export interface FormWidgetFixture {
  /** The widget, rendered, connected and showing its texts. */
  element: HTMLElement;
  /** "METHOD path" of every API request made so far. */
  requests: () => readonly string[];
}

function deepActiveElement(): Element | null {
  let active = document.activeElement;
  while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
  return active;
}

function inputOf(field: GaskitTextField): HTMLInputElement {
  return field.shadowRoot!.querySelector('input')!;
}

async function submitEmpty(element: HTMLElement): Promise<GaskitTextField[]> {
  const form = element.shadowRoot!.querySelector('form');
  expect(form, 'the widget renders a <form> in its shadow root').to.exist;
  form!.requestSubmit();
  const required = [...element.shadowRoot!.querySelectorAll('gaskit-text-field')].filter((field) => field.required);
  await Promise.all(required.map((field) => field.updateComplete));
  return required;
}

/**
 * What every form widget must do, run per widget:
 *   runFormWidgetSuite('gaskit-login', async () => ({ element, requests }));
 * The widget renders a <form> with gaskit-text-field controls, at least one required.
 */
export function runFormWidgetSuite(name: string, setup: () => Promise<FormWidgetFixture>): void {
  describe(`${name} (form widget suite)`, () => {
    it('is accessible before any input', async () => {
      const { element } = await setup();
      await expect(element).to.be.accessible();
    });

    it('labels every field with a visible label', async () => {
      const { element } = await setup();
      for (const field of element.shadowRoot!.querySelectorAll('gaskit-text-field')) {
        const [label] = inputOf(field).labels ?? [];
        expect(label?.textContent?.trim(), `label of ${field.name}`).to.not.be.empty;
      }
    });

    it('on an empty submit, marks each required field invalid with an announced, linked message and sends nothing', async () => {
      const { element, requests } = await setup();
      const before = requests().length;
      const required = await submitEmpty(element);
      expect(required, 'required fields').to.not.be.empty;
      for (const field of required) {
        const input = inputOf(field);
        const describedBy = (input.getAttribute('aria-describedby') ?? '').split(/\s+/);
        const message = [...field.shadowRoot!.querySelectorAll('[aria-live], [role="alert"]')].find((node) =>
          describedBy.includes(node.id),
        );
        expect(input.getAttribute('aria-invalid'), `aria-invalid of ${field.name}`).to.equal('true');
        expect(message?.textContent?.trim(), `announced message of ${field.name}`).to.not.be.empty;
      }
      expect(requests().slice(before)).to.deep.equal([]);
    });

    it('moves focus to the first invalid field on an empty submit', async () => {
      const { element } = await setup();
      const [first] = await submitEmpty(element);
      await waitUntil(() => deepActiveElement() === inputOf(first!), 'focus did not move to the first invalid field');
    });

    it('stays accessible while showing errors', async () => {
      const { element } = await setup();
      await submitEmpty(element);
      await expect(element).to.be.accessible();
    });
  });
}
