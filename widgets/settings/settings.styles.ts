import { css } from 'lit';

export default css`
  :host {
    display: block;
    max-inline-size: 42rem;
  }
  :host > section,
  section + section {
    margin-block-start: calc(var(--_gk-space) * 4);
  }
  h3 {
    margin: 0;
    font-size: 1.125rem;
  }
  .sessions {
    list-style: none;
    margin: 0;
    padding: 0;
    display: flex;
    flex-direction: column;
    gap: var(--_gk-space);
  }
  .session {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    justify-content: space-between;
    gap: var(--_gk-space);
    padding: var(--_gk-space) 0;
    border-block-end: 1px solid var(--_gk-color-border);
  }
  .meta,
  .current {
    color: var(--_gk-color-text-muted);
    font-size: var(--_gk-font-size-small);
  }
  .danger {
    border-color: var(--_gk-color-danger);
    color: var(--_gk-color-danger);
  }
  .danger:hover {
    border-color: var(--_gk-color-danger);
    background: var(--_gk-color-danger);
    color: var(--_gk-color-on-primary);
  }
`;
