import { css } from 'lit';

export default css`
  :host {
    display: block;
  }
  .required {
    color: var(--_gk-color-danger);
  }
  .label-row {
    display: flex;
    align-items: center;
    gap: var(--_gk-space);
  }
`;
