import { css } from 'lit';

export default css`
  :host {
    display: block;
  }
  section + section {
    margin-block-start: calc(var(--_gk-space) * 4);
  }
  h2 {
    margin: 0 0 calc(var(--_gk-space) * 2);
    font-size: 1.25em;
  }
  h3 {
    margin: 0;
    font-size: 1em;
  }
  h2 + p {
    margin: 0 0 calc(var(--_gk-space) * 2);
  }
  .form,
  .list {
    display: flex;
    flex-direction: column;
    gap: calc(var(--_gk-space) * 2);
  }
  .list {
    gap: var(--_gk-space);
    margin: 0;
    padding: 0;
    list-style: none;
  }
  .requests {
    gap: calc(var(--_gk-space) * 2);
  }
  .label-row,
  .file,
  .head {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: var(--_gk-space);
  }
  .file,
  .head {
    justify-content: space-between;
  }
  .required {
    color: var(--_gk-color-danger);
  }
  .textarea {
    min-block-size: 8rem;
    padding: var(--_gk-space);
    resize: vertical;
  }
  .file-picker {
    position: relative;
    display: flex;
  }
  .file-input {
    position: absolute;
    inset: 0;
    inline-size: 1px;
    block-size: 1px;
    opacity: 0;
  }
  .file-input:focus-visible + .file-button {
    outline: var(--_gk-focus-ring-width) solid var(--_gk-color-focus);
    outline-offset: 2px;
  }
  .file-input:disabled + .file-button {
    opacity: 0.6;
    cursor: not-allowed;
  }
  details,
  .box {
    padding: var(--_gk-space) calc(var(--_gk-space) * 1.5);
    border: 1px solid var(--_gk-color-border);
    border-radius: var(--_gk-radius);
  }
  summary {
    display: flex;
    align-items: center;
    min-block-size: 2.75rem;
    cursor: pointer;
    font-weight: 600;
  }
  .mark {
    margin: var(--_gk-space) 0 0;
    padding: var(--_gk-space) calc(var(--_gk-space) * 1.5);
    border-inline-start: 4px solid var(--_gk-color-primary);
  }
  .success {
    border-color: var(--_gk-color-success);
  }
  .mark p,
  .box p {
    margin: var(--_gk-space) 0 0;
  }
  .mark > p:first-child {
    margin: 0;
  }
  .text {
    white-space: pre-line;
  }
  .status {
    padding: 0 var(--_gk-space);
    border: 1px solid currentColor;
    border-radius: var(--_gk-radius);
    font-size: var(--_gk-font-size-small);
  }
  .status--answered {
    color: var(--_gk-color-success);
  }
  .meta {
    color: var(--_gk-color-text-muted);
    font-size: var(--_gk-font-size-small);
  }
`;
