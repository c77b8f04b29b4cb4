import { css } from 'lit';

// The bubble's transparent bottom (or, below the button, top) border bridges the gap to the button, so the pointer can move onto
// the text. (Comments stay out of the css`` text: what is inside it ships in every bundle.)
export default css`
  :host {
    display: inline-block;
    position: relative;
    vertical-align: middle;
  }
  .button {
    display: inline-flex;
    align-items: center;
    justify-content: center;
    inline-size: 1.5em;
    block-size: 1.5em;
    padding: 0;
    border: 1px solid var(--_gk-color-primary);
    border-radius: 50%;
    background: var(--_gk-color-surface);
    color: var(--_gk-color-primary);
    font: inherit;
    font-size: var(--_gk-font-size-small);
    font-weight: 700;
    line-height: 1;
    cursor: help;
  }
  .button:hover {
    background: var(--_gk-color-primary);
    color: var(--_gk-color-on-primary);
  }
  .tooltip {
    position: absolute;
    z-index: 10;
    inset-block-end: 100%;
    left: calc(50% + var(--_gk-hint-shift, 0px));
    translate: -50% 0;
    inline-size: max-content;
    max-inline-size: var(--gaskit-hint-max-width, min(20rem, 80vw));
    padding: var(--_gk-space) calc(var(--_gk-space) * 1.5);
    border-block-end: var(--_gk-space) solid transparent;
    border-radius: var(--_gk-radius);
    background: var(--_gk-color-inverse);
    background-clip: padding-box;
    box-shadow: var(--_gk-shadow);
    color: var(--_gk-color-on-inverse);
    font-size: var(--_gk-font-size-small);
    font-weight: 400;
    white-space: normal;
  }
  .tooltip--below {
    inset-block: 100% auto;
    border-block-end: 0;
    border-block-start: var(--_gk-space) solid transparent;
  }
  .tooltip[hidden] {
    display: none;
  }
`;
