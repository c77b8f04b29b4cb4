import { css } from 'lit';

export default css`
  .range {
    display: flex;
    flex-wrap: wrap;
    align-items: flex-end;
    gap: var(--_gk-space) calc(var(--_gk-space) * 2);
    margin-block-end: calc(var(--_gk-space) * 2);
  }
  .range .error {
    flex-basis: 100%;
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: var(--_gk-space);
  }
  .months {
    margin: 0;
    padding: 0;
    list-style: none;
  }
  .notice {
    padding: var(--_gk-space) calc(var(--_gk-space) * 1.5);
    border-inline-start: 0.25rem solid var(--_gk-color-primary);
    background: var(--_gk-color-surface-alt);
  }
  .notice p {
    margin: 0 0 var(--_gk-space);
  }
`;
