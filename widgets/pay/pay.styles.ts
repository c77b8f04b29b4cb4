import { css } from 'lit';

export default css`
  :host {
    display: block;
  }
  .title,
  .step-title {
    margin: 0 0 var(--_gk-space);
    line-height: 1.25;
  }
  .title {
    font-size: 1.375em;
  }
  .step-title {
    font-size: 1.125em;
  }
  .step-title:focus {
    outline: none;
  }
  .step-title:focus-visible {
    outline: var(--_gk-focus-ring-width) solid var(--_gk-color-focus);
  }
  .muted {
    margin: 0 0 var(--_gk-space);
    color: var(--_gk-color-text-muted);
    font-size: var(--_gk-font-size-small);
  }
  form {
    display: flex;
    flex-direction: column;
    gap: calc(var(--_gk-space) * 2);
  }
  fieldset {
    margin: 0;
    padding: var(--_gk-space) calc(var(--_gk-space) * 1.5);
    border: 1px solid var(--_gk-color-border);
    border-radius: var(--_gk-radius);
  }
  legend {
    padding: 0 calc(var(--_gk-space) / 2);
    font-weight: 600;
  }
  .choice {
    display: flex;
    align-items: center;
    gap: var(--_gk-space);
    min-block-size: 2.75rem;
  }
  .choice input {
    inline-size: 1.25rem;
    block-size: 1.25rem;
    margin: 0;
    accent-color: var(--_gk-color-primary);
  }
  .accounts {
    display: flex;
    flex-direction: column;
    gap: calc(var(--_gk-space) * 1.5);
    margin: 0;
    padding: 0;
    list-style: none;
  }
  .account {
    display: grid;
    grid-template-columns: repeat(auto-fit, minmax(10rem, 1fr));
    gap: var(--_gk-space) calc(var(--_gk-space) * 2);
    padding: calc(var(--_gk-space) * 1.5);
    border: 1px solid var(--_gk-color-border);
    border-radius: var(--_gk-radius);
  }
  .account-info {
    grid-column: 1 / -1;
  }
  .account-info p {
    margin: 0;
  }
  .account-number {
    font-weight: 600;
  }
  .total {
    margin: 0;
    font-size: 1.125em;
    font-weight: 700;
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: var(--_gk-space);
  }
  .notice {
    margin: 0;
    padding: var(--_gk-space) calc(var(--_gk-space) * 1.5);
    border-inline-start: 4px solid var(--_gk-color-primary);
    background: var(--_gk-color-surface);
    font-size: var(--_gk-font-size-small);
  }
  .card-grid {
    display: grid;
    grid-template-columns: 1fr 1fr;
    gap: var(--_gk-space) calc(var(--_gk-space) * 2);
  }
  .card-grid .wide {
    grid-column: 1 / -1;
  }
  .result--succeeded .step-title {
    color: var(--_gk-color-success);
  }
  .result--failed .step-title {
    color: var(--_gk-color-danger);
  }
  .link {
    color: var(--_gk-color-primary);
  }
  ::slotted([slot='stripe-payment-element']) {
    display: block;
    min-block-size: 12rem;
  }
`;
