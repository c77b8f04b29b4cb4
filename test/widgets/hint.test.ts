import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { resetMouse, sendKeys, sendMouse, setViewport } from '@web/test-runner-commands';
import '../../widgets/hint/define.ts';
import type { GaskitHint } from '../../widgets/hint/index.ts';
import { fakeApi } from './fake-api.ts';
import { translated } from './helpers.ts';

function parts(el: GaskitHint): { button: HTMLButtonElement; tooltip: HTMLElement } {
  return {
    button: el.shadowRoot!.querySelector<HTMLButtonElement>('[part="button"]')!,
    tooltip: el.shadowRoot!.querySelector<HTMLElement>('[part="tooltip"]')!,
  };
}

function isShown(element: HTMLElement): boolean {
  return element.checkVisibility();
}

function centreOf(element: Element): [number, number] {
  const { x, y, width, height } = element.getBoundingClientRect();
  return [Math.round(x + width / 2), Math.round(y + height / 2)];
}

async function hintFixture(): Promise<GaskitHint> {
  const { client } = fakeApi();
  const wrapper = await fixture<HTMLDivElement>(html`
    <div style="padding: 4rem">
      <button id="before">Before</button>
      <gaskit-hint .client=${client} text="Номер лицевого счёта указан в квитанции."></gaskit-hint>
    </div>
  `);
  const el = wrapper.querySelector('gaskit-hint')!;
  await translated(el, 'ru');
  return el;
}

describe('gaskit-hint', () => {
  afterEach(() => resetMouse());

  it('is a button named "Hint" in the page language, described by the hint text', async () => {
    const el = await hintFixture();
    const { button, tooltip } = parts(el);
    expect(button.getAttribute('aria-label')).to.equal('Подсказка');
    expect(el.shadowRoot!.getElementById(button.getAttribute('aria-describedby')!)).to.equal(tooltip);
    expect(tooltip.getAttribute('role')).to.equal('tooltip');
    expect(tooltip.textContent?.trim()).to.equal('Номер лицевого счёта указан в квитанции.');
    await expect(el).to.be.accessible();
  });

  it('takes its text from the content instead of the attribute', async () => {
    const el = await fixture<GaskitHint>(html`<gaskit-hint text="attribute"><b>Из квитанции</b></gaskit-hint>`);
    const slot = parts(el).tooltip.querySelector('slot')!;
    expect(
      slot
        .assignedNodes()
        .map((n) => n.textContent)
        .join(''),
    ).to.equal('Из квитанции');
  });

  it('shows the text while the pointer is over the button or the text, and hides it after', async () => {
    const el = await hintFixture();
    const { button, tooltip } = parts(el);
    expect(isShown(tooltip)).to.equal(false);
    await sendMouse({ type: 'move', position: centreOf(button) });
    expect(isShown(tooltip)).to.equal(true);
    await sendMouse({ type: 'move', position: centreOf(tooltip) });
    await el.updateComplete;
    expect(isShown(tooltip)).to.equal(true);
    await sendMouse({ type: 'move', position: [1, 1] });
    await el.updateComplete;
    expect(isShown(tooltip)).to.equal(false);
    await expect(el).to.be.accessible();
  });

  it('shows the text when reached with the keyboard and hides it on Escape, keeping focus', async () => {
    const el = await hintFixture();
    const { button, tooltip } = parts(el);
    (document.getElementById('before') as HTMLButtonElement).focus();
    await sendKeys({ press: 'Tab' });
    await el.updateComplete;
    expect(el.shadowRoot!.activeElement).to.equal(button);
    expect(isShown(tooltip)).to.equal(true);
    await sendKeys({ press: 'Escape' });
    await el.updateComplete;
    expect(isShown(tooltip)).to.equal(false);
    expect(el.shadowRoot!.activeElement).to.equal(button);
    await sendKeys({ down: 'Shift' });
    await sendKeys({ press: 'Tab' });
    await sendKeys({ up: 'Shift' });
    await el.updateComplete;
    expect(isShown(tooltip)).to.equal(false);
  });

  it('closes a hint opened by hover when Escape is pressed with focus elsewhere', async () => {
    const el = await hintFixture();
    const { button, tooltip } = parts(el);
    (document.getElementById('before') as HTMLButtonElement).focus();
    await sendMouse({ type: 'move', position: centreOf(button) });
    await el.updateComplete;
    await sendKeys({ press: 'Escape' });
    await el.updateComplete;
    expect(isShown(tooltip)).to.equal(false);
  });

  it('opens on a tap and closes on a tap elsewhere', async () => {
    const el = await hintFixture();
    const { button, tooltip } = parts(el);
    button.click();
    await el.updateComplete;
    expect(isShown(tooltip)).to.equal(true);
    document.body.dispatchEvent(new PointerEvent('pointerdown', { bubbles: true, composed: true }));
    await el.updateComplete;
    expect(isShown(tooltip)).to.equal(false);
  });

  it('opens above the button, so the field under the label stays in sight', async () => {
    const { client } = fakeApi();
    const wrapper = await fixture<HTMLDivElement>(html`
      <div style="padding-block-start: 8rem">
        <label for="number">Лицевой счёт</label>
        <gaskit-hint .client=${client} text="Номер лицевого счёта указан в квитанции."></gaskit-hint>
        <input id="number" />
      </div>
    `);
    const el = wrapper.querySelector('gaskit-hint')!;
    const input = wrapper.querySelector('input')!;
    await translated(el, 'ru');
    const { button, tooltip } = parts(el);
    button.focus();
    await el.updateComplete;
    expect(isShown(tooltip)).to.equal(true);
    expect(tooltip.getBoundingClientRect().bottom).to.be.at.most(button.getBoundingClientRect().top + 1);
    expect(tooltip.getBoundingClientRect().bottom).to.be.below(input.getBoundingClientRect().top);
    await expect(el).to.be.accessible();
  });

  it('opens below the button when there is no room above', async () => {
    const { client } = fakeApi();
    const el = await fixture<GaskitHint>(html`<gaskit-hint .client=${client} text="Номер в правом верхнем углу."></gaskit-hint>`);
    await translated(el, 'ru');
    const { button, tooltip } = parts(el);
    button.focus();
    await el.updateComplete;
    expect(tooltip.getBoundingClientRect().top).to.be.at.least(button.getBoundingClientRect().bottom - 1);
  });

  it('stays inside a 320 px window when the button is at its right edge', async () => {
    await setViewport({ width: 320, height: 640 });
    try {
      const { client } = fakeApi();
      const wrapper = await fixture<HTMLDivElement>(html`
        <div style="padding: 6rem 0.25rem 0; text-align: end">
          <gaskit-hint
            .client=${client}
            text="Номер лицевого счёта напечатан в правом верхнем углу квитанции, над штрихкодом."
          ></gaskit-hint>
        </div>
      `);
      const el = wrapper.querySelector('gaskit-hint')!;
      await translated(el, 'ru');
      const { button, tooltip } = parts(el);
      button.focus();
      await el.updateComplete;
      const rect = tooltip.getBoundingClientRect();
      expect(rect.left).to.be.at.least(0);
      expect(rect.right).to.be.at.most(320);
      expect(document.documentElement.scrollWidth).to.equal(320);
    } finally {
      await setViewport({ width: 800, height: 600 });
    }
  });

  it('tells the page when the user opens it', async () => {
    const el = await hintFixture();
    setTimeout(() => parts(el).button.focus());
    const event = await oneEvent(el, 'gaskit-hint-toggle');
    expect(event.detail).to.deep.equal({ open: true });
  });
});
