import { css } from 'lit';

export default css`
  :host {
    display: block;
  }
  .form {
    display: grid;
    gap: var(--_gk-space);
    max-inline-size: 24rem;
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: var(--_gk-space);
  }
`;
