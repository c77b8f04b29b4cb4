import { css } from 'lit';

export default css`
  :host {
    display: block;
  }
  .title {
    margin: 0 0 var(--_gk-space);
    font-size: 1.375em;
    line-height: 1.25;
  }
  .muted {
    color: var(--_gk-color-text-muted);
  }
  .month {
    margin-block-end: calc(var(--_gk-space) * 2);
  }
  .month-title {
    display: flex;
    flex-wrap: wrap;
    justify-content: space-between;
    gap: var(--_gk-space);
    margin: 0 0 var(--_gk-space);
    padding-block-end: calc(var(--_gk-space) / 2);
    border-block-end: 1px solid var(--_gk-color-border);
    font-size: 1.0625em;
  }
  .month-title span:first-child::first-letter {
    text-transform: uppercase;
  }
  .accounts {
    margin: 0;
    padding: 0;
    list-style: none;
  }
  .toggle {
    display: grid;
    grid-template-columns: auto 1fr auto;
    align-items: center;
    gap: 0 var(--_gk-space);
    inline-size: 100%;
    min-block-size: 2.75rem;
    padding: calc(var(--_gk-space) / 2) var(--_gk-space);
    border: 0;
    background: none;
    color: inherit;
    font: inherit;
    text-align: start;
    cursor: pointer;
  }
  .toggle .count {
    grid-column: 2;
    color: var(--_gk-color-text-muted);
    font-size: var(--_gk-font-size-small);
  }
  .chevron {
    inline-size: 1rem;
    block-size: 1rem;
    border: 1px solid var(--_gk-color-border);
    border-radius: 2px;
  }
  .chevron::before {
    content: '';
    display: block;
    margin: 0.2rem auto 0;
    inline-size: 0;
    block-size: 0;
    border-inline: 0.3rem solid transparent;
    border-block-start: 0.4rem solid currentColor;
    transform: rotate(-90deg);
  }
  .toggle[aria-expanded='true'] .chevron::before {
    transform: none;
  }
  .sum {
    font-weight: 600;
  }
  table {
    inline-size: 100%;
    border-collapse: collapse;
    margin-block: calc(var(--_gk-space) / 2) var(--_gk-space);
    font-size: var(--_gk-font-size-small);
  }
  th,
  td {
    padding: calc(var(--_gk-space) / 2);
    border-block-end: 1px solid var(--_gk-color-border);
    text-align: start;
    vertical-align: top;
  }
  .status--succeeded {
    color: var(--_gk-color-success);
  }
  .status--failed {
    color: var(--_gk-color-danger);
  }
  .link {
    color: var(--_gk-color-primary);
  }
  .visually-hidden {
    position: absolute;
    inline-size: 1px;
    block-size: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
  [hidden] {
    display: none;
  }
`;
