import { css } from 'lit';

export default css`
  :host {
    display: block;
  }
  .link-button {
    padding: 0;
    border: 0;
    background: none;
    color: var(--_gk-color-primary);
    font: inherit;
    text-decoration: underline;
    cursor: pointer;
  }
  .link-button:hover {
    color: var(--_gk-color-primary-hover);
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
