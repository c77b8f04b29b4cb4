import { css } from 'lit';

export default css`
  :host {
    display: block;
  }
  p {
    margin: 0;
  }
  .total {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    justify-content: space-between;
    gap: var(--_gk-space);
    margin-block-end: calc(var(--_gk-space) * 2);
  }
  .total-text {
    font-size: 1.125em;
    font-weight: 600;
  }
  .cards {
    display: grid;
    grid-template-columns: repeat(auto-fill, minmax(min(100%, 20em), 1fr));
    gap: calc(var(--_gk-space) * 2);
    margin: 0 0 calc(var(--_gk-space) * 2);
    padding: 0;
    list-style: none;
  }
  .card {
    display: flex;
    flex-direction: column;
    align-items: flex-start;
    gap: calc(var(--_gk-space) / 2);
    min-inline-size: 0;
    padding: calc(var(--_gk-space) * 1.5);
    border: 1px solid var(--_gk-color-border);
    border-radius: var(--_gk-radius);
    background: var(--_gk-color-surface);
    overflow-wrap: anywhere;
  }
  .card-title {
    margin: 0;
    font-size: 1.125em;
  }
  .card-title a {
    color: var(--_gk-color-primary);
  }
  .note {
    color: var(--_gk-color-text-muted);
    font-size: var(--_gk-font-size-small);
  }
  .owed {
    font-weight: 600;
  }
  .owed .note {
    display: block;
    font-weight: 400;
  }
  .owed--due {
    color: var(--_gk-color-danger);
  }
  .owed--due .note {
    color: var(--_gk-color-text-muted);
  }
  .owed--over {
    color: var(--_gk-color-success);
  }
  .pending {
    padding-inline-start: var(--_gk-space);
    border-inline-start: 3px solid var(--_gk-color-success);
  }
  .window {
    padding-inline-start: var(--_gk-space);
    border-inline-start: 3px solid var(--_gk-color-primary);
  }
  .window--closed {
    border-inline-start-color: var(--_gk-color-border);
  }
  .verification {
    font-weight: 600;
  }
  .verification--soon {
    color: var(--_gk-color-warning);
  }
  .verification--overdue {
    color: var(--_gk-color-danger);
  }
  .card .button {
    margin-block-start: auto;
  }
  a.button {
    text-decoration: none;
  }
`;
