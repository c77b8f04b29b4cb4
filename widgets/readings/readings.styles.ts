import { css } from 'lit';

export default css`
  :host {
    display: block;
  }
  .title {
    margin: 0 0 calc(var(--_gk-space) * 2);
    font-size: 1.25em;
  }
  .step-heading {
    margin: 0 0 var(--_gk-space);
    font-size: 1.1em;
  }
  .window {
    margin: 0 0 calc(var(--_gk-space) * 2);
    padding: var(--_gk-space) calc(var(--_gk-space) * 1.5);
    border-inline-start: 4px solid var(--_gk-color-primary);
    background: var(--_gk-color-surface);
  }
  .window--closed {
    border-inline-start-color: var(--_gk-color-danger);
  }
  .form,
  .review {
    display: flex;
    flex-direction: column;
    gap: calc(var(--_gk-space) * 2);
  }
  .meter {
    display: flex;
    flex-direction: column;
    gap: calc(var(--_gk-space) / 2);
  }
  .warning {
    margin: 0;
    padding-inline-start: var(--_gk-space);
    border-inline-start: 4px solid var(--_gk-color-danger);
    font-size: var(--_gk-font-size-small);
  }
  .period,
  .total {
    margin: 0;
  }
  .total {
    font-weight: 600;
  }
  table {
    inline-size: 100%;
    border-collapse: collapse;
    font-size: var(--_gk-font-size-small);
  }
  caption {
    text-align: start;
    font-weight: 600;
    padding-block-end: calc(var(--_gk-space) / 2);
  }
  th,
  td {
    padding: calc(var(--_gk-space) / 2) var(--_gk-space);
    border-block-end: 1px solid var(--_gk-color-border);
    text-align: start;
  }
  td {
    font-variant-numeric: tabular-nums;
  }
  .confirmation {
    padding: var(--_gk-space);
    border: 1px solid var(--_gk-color-border);
    border-radius: var(--_gk-radius);
  }
  .explanation {
    margin: 0 0 var(--_gk-space);
  }
  .check {
    display: flex;
    align-items: center;
    gap: var(--_gk-space);
  }
  .check input {
    inline-size: 1.25rem;
    block-size: 1.25rem;
    margin: 0;
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: var(--_gk-space);
  }
  .success {
    padding: calc(var(--_gk-space) * 1.5);
    border-inline-start: 4px solid var(--_gk-color-success);
  }
  .success p {
    margin: 0 0 var(--_gk-space);
  }
  .history {
    margin-block-start: calc(var(--_gk-space) * 2);
  }
  .history summary {
    cursor: pointer;
    min-block-size: 2.75rem;
    display: flex;
    align-items: center;
  }
  @media (max-width: 30rem) {
    th,
    td {
      padding-inline: calc(var(--_gk-space) / 2);
    }
  }
`;
