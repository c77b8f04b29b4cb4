import { css } from 'lit';

export default css`
  :host {
    display: block;
    max-inline-size: 30rem;
  }
`;
