import { css } from 'lit';

export default css`
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
  .sum {
    font-weight: 600;
  }
  table {
    margin-block: calc(var(--_gk-space) / 2) var(--_gk-space);
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
  [hidden] {
    display: none;
  }
`;
