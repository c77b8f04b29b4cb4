import { css } from 'lit';

export default css`
  .base {
    container: gk-account / inline-size;
  }
  h3 {
    margin: 0 0 var(--_gk-space);
    font-size: 1.0625em;
  }
  .details p {
    margin: 0;
  }
  .extended:not(:empty) {
    margin: 0 0 var(--_gk-space);
    padding: var(--_gk-space) calc(var(--_gk-space) * 1.5);
    border-inline-start: 0.25rem solid var(--_gk-color-success);
    font-weight: 600;
  }
  .mode {
    color: var(--_gk-color-text-muted);
    font-size: var(--_gk-font-size-small);
  }
  .notice {
    margin-block: var(--_gk-space);
    padding: var(--_gk-space) calc(var(--_gk-space) * 1.5);
    border-inline-start: 0.25rem solid var(--_gk-color-primary);
    background: var(--_gk-color-surface-alt);
  }
  .notice p {
    margin: 0 0 var(--_gk-space);
  }
  .periods {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    justify-content: space-between;
    gap: var(--_gk-space);
    margin-block: calc(var(--_gk-space) * 2) var(--_gk-space);
  }
  .period {
    margin: 0;
    font-weight: 600;
  }
  .period::first-letter,
  .period-button::first-letter {
    text-transform: uppercase;
  }
  /* On a phone: the month shown on its own line, the previous and next side by side under it. */
  @container gk-account (max-width: 30em) {
    .period {
      order: -1;
      flex-basis: 100%;
    }
    .period-button {
      flex: 1 1 auto;
    }
  }
  .period-button[aria-disabled='true'] {
    opacity: 0.6;
    cursor: not-allowed;
  }
  .balance {
    display: grid;
    gap: calc(var(--_gk-space) / 2);
    margin: 0 0 calc(var(--_gk-space) * 2);
  }
  .row {
    display: flex;
    flex-wrap: wrap;
    justify-content: space-between;
    gap: 0 var(--_gk-space);
    padding-block-end: calc(var(--_gk-space) / 2);
    border-block-end: 1px solid var(--_gk-color-border);
  }
  dt {
    color: var(--_gk-color-text-muted);
  }
  dd {
    margin: 0;
    font-weight: 600;
  }
  .debt dd {
    color: var(--_gk-color-danger);
  }
  .overpayment dd {
    color: var(--_gk-color-success);
  }
  .block {
    margin-block-end: calc(var(--_gk-space) * 2);
  }
  .warning {
    display: block;
    font-size: var(--_gk-font-size-small);
    font-weight: 600;
  }
  .warning--soon {
    color: var(--_gk-color-warning);
  }
  .warning--overdue {
    color: var(--_gk-color-danger);
  }
  .muted {
    color: var(--_gk-color-text-muted);
    font-size: var(--_gk-font-size-small);
  }
`;
