import { css } from 'lit';

export default css`
  :host {
    display: block;
  }
  .confirm p {
    margin: 0 0 var(--_gk-space);
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: var(--_gk-space);
  }
  .button--danger {
    border-color: var(--_gk-color-danger);
    background: var(--_gk-color-danger);
    color: var(--_gk-color-on-primary);
  }
  .button--danger:hover {
    border-color: var(--_gk-color-danger);
    color: var(--_gk-color-on-primary);
    filter: brightness(0.9);
  }
`;
