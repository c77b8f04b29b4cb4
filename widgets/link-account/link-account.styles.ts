import { css } from 'lit';

export default css`
  h3 {
    margin: 0 0 var(--_gk-space);
    font-size: 1.0625em;
  }
  .form,
  .check {
    display: grid;
    gap: var(--_gk-space);
    max-inline-size: 32rem;
    margin-block-end: calc(var(--_gk-space) * 3);
  }
  .required {
    color: var(--_gk-color-danger);
  }
  .supplier-name {
    margin: 0;
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: var(--_gk-space);
  }
  dl {
    display: grid;
    gap: calc(var(--_gk-space) / 2);
    margin: 0;
  }
  .row {
    display: grid;
    grid-template-columns: minmax(8rem, auto) 1fr;
    gap: var(--_gk-space);
  }
  dt {
    color: var(--_gk-color-text-muted);
  }
  dd {
    margin: 0;
    font-weight: 600;
  }
  .note {
    padding: var(--_gk-space) calc(var(--_gk-space) * 1.5);
    border-inline-start: 0.25rem solid var(--_gk-color-primary);
    background: var(--_gk-color-surface-alt);
  }
  .success,
  .unlinked {
    color: var(--_gk-color-success);
    font-weight: 600;
  }
  .unlinked {
    margin: 0;
  }
  .accounts {
    margin: 0;
    padding: 0;
    list-style: none;
  }
  .account {
    display: flex;
    flex-wrap: wrap;
    align-items: flex-start;
    justify-content: space-between;
    gap: var(--_gk-space);
    padding-block: var(--_gk-space);
    border-block-end: 1px solid var(--_gk-color-border);
  }
  .account span {
    display: block;
  }
  .account p {
    margin: 0;
  }
  .muted {
    color: var(--_gk-color-text-muted);
    font-size: var(--_gk-font-size-small);
  }
`;
