import { css, html, type TemplateResult } from 'lit';
import { codeRules } from '../../contracts/rules/auth.ts';
import type { Me } from '../../sdk/index.ts';
import type { LocalizeController } from './localize.ts';

/** The field of a one-time code sent by e-mail or SMS (`name="code"`), labelled `label`. */
export function codeField(label: string): TemplateResult {
  return html`<gaskit-text-field
    name="code"
    required
    .label=${label}
    inputmode="numeric"
    autocomplete="one-time-code"
    .rules=${codeRules()}
  ></gaskit-text-field>`;
}

/** The "show password" checkbox of the seeds. */
export function showPasswordToggle(
  localize: LocalizeController,
  checked: boolean,
  onChange: (checked: boolean) => void,
): TemplateResult {
  return html`<label part="show-password" class="check">
    <input type="checkbox" .checked=${checked} @change=${(e: Event) => onChange((e.target as HTMLInputElement).checked)} />
    ${localize.t('password:show')}
  </label>`;
}

export interface SignedInDetail {
  me: Me;
}

export const authStyles = css`
  form,
  section {
    display: flex;
    flex-direction: column;
    gap: calc(var(--_gk-space) * 2);
  }
  h2 {
    margin: 0;
    font-size: 1.25rem;
  }
  p {
    margin: 0;
  }
  .check {
    display: flex;
    flex-wrap: wrap;
    align-items: baseline;
    gap: calc(var(--_gk-space) / 2);
  }
  .consent {
    display: grid;
    grid-template-columns: auto minmax(0, 1fr);
    align-items: start;
    gap: 0 calc(var(--_gk-space) / 2);
  }
  .consent input {
    margin-block-start: 0.2em;
  }
  .consent .error {
    grid-column: 1 / -1;
  }
  input[type='checkbox'],
  input[type='radio'] {
    inline-size: 1.125rem;
    block-size: 1.125rem;
    accent-color: var(--_gk-color-primary);
  }
  fieldset {
    margin: 0;
    padding: 0;
    border: 0;
    display: flex;
    flex-wrap: wrap;
    gap: calc(var(--_gk-space) * 2);
  }
  legend {
    font-weight: 600;
    margin-block-end: calc(var(--_gk-space) / 2);
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: calc(var(--_gk-space) * 2);
  }
  a {
    color: var(--_gk-color-primary);
  }
  .notice {
    padding: calc(var(--_gk-space) * 1.5);
    border-inline-start: 4px solid var(--_gk-color-primary);
    background: var(--_gk-color-surface-alt);
  }
  .warning {
    color: var(--_gk-color-warning);
    font-weight: 600;
  }
  .wait {
    font-variant-numeric: tabular-nums;
  }
`;

declare global {
  interface GlobalEventHandlersEventMap {
    'gaskit-registered': CustomEvent<{ login: string; confirmed: boolean }>;
    'gaskit-signed-in': CustomEvent<SignedInDetail>;
    'gaskit-signed-out': CustomEvent<{ reason: 'sign-out' | 'deleted' }>;
  }
}
