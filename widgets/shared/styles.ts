import { css } from 'lit';

/**
 * Design tokens, two levels as in Shoelace: raw tokens (`--gaskit-color-blue-600`)
 * feed semantic ones (`--gaskit-color-primary`). Both are read with fallbacks
 * into private `--_gk-*` aliases on :host, so defaults never shadow values a
 * theme, the host page or an enclosing widget sets. Components consume only
 * the aliases.
 */
export const tokens = css`
  :host {
    --_gk-font: var(--gaskit-font, system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif);
    --_gk-font-size: var(--gaskit-font-size, 1rem);
    --_gk-font-size-small: var(--gaskit-font-size-small, 0.875rem);
    --_gk-line-height: var(--gaskit-line-height, 1.5);
    --_gk-color-text: var(--gaskit-color-text, var(--gaskit-color-gray-900, #0f172a));
    --_gk-color-text-muted: var(--gaskit-color-text-muted, var(--gaskit-color-gray-600, #475569));
    --_gk-color-surface: var(--gaskit-color-surface, var(--gaskit-color-white, #ffffff));
    --_gk-color-surface-alt: var(--gaskit-color-surface-alt, var(--gaskit-color-gray-50, #f8fafc));
    --_gk-color-border: var(--gaskit-color-border, var(--gaskit-color-gray-500, #64748b));
    --_gk-color-primary: var(--gaskit-color-primary, var(--gaskit-color-blue-600, #1d4ed8));
    --_gk-color-primary-hover: var(--gaskit-color-primary-hover, var(--gaskit-color-blue-800, #1e3a8a));
    --_gk-color-on-primary: var(--gaskit-color-on-primary, var(--gaskit-color-white, #ffffff));
    --_gk-color-danger: var(--gaskit-color-danger, var(--gaskit-color-red-700, #b91c1c));
    --_gk-color-success: var(--gaskit-color-success, var(--gaskit-color-green-700, #15803d));
    --_gk-color-warning: var(--gaskit-color-warning, var(--gaskit-color-amber-700, #b45309));
    --_gk-color-inverse: var(--gaskit-color-inverse, var(--gaskit-color-gray-900, #0f172a));
    --_gk-color-on-inverse: var(--gaskit-color-on-inverse, var(--gaskit-color-white, #ffffff));
    --_gk-color-focus: var(--gaskit-color-focus, var(--gaskit-color-blue-600, #1d4ed8));
    --_gk-focus-ring-width: var(--gaskit-focus-ring-width, 3px);
    --_gk-radius: var(--gaskit-radius, 0.375rem);
    --_gk-space: var(--gaskit-space, 0.5rem);
    --_gk-shadow: var(--gaskit-shadow, 0 0.25rem 0.75rem rgb(0 0 0 / 0.2));
  }
`;

/** Font and colour on :host so the host page's inherited styles don't decide our look. */
export const hostStyles = css`
  :host {
    box-sizing: border-box;
    font-family: var(--_gk-font);
    font-size: var(--_gk-font-size);
    line-height: var(--_gk-line-height);
    color: var(--_gk-color-text);
    text-align: start;
    overflow-wrap: break-word;
  }
  :host([hidden]) {
    display: none;
  }
  *,
  *::before,
  *::after {
    box-sizing: inherit;
  }
  :focus-visible {
    outline: var(--_gk-focus-ring-width) solid var(--_gk-color-focus);
    outline-offset: 2px;
  }
`;

export const buttonStyles = css`
  .button {
    display: inline-flex;
    align-items: center;
    justify-content: center;
    gap: var(--_gk-space);
    min-block-size: 2.75rem;
    padding: 0 calc(var(--_gk-space) * 2);
    border: 1px solid var(--_gk-color-primary);
    border-radius: var(--_gk-radius);
    background: var(--_gk-color-surface);
    color: var(--_gk-color-primary);
    font: inherit;
    cursor: pointer;
  }
  .button:hover {
    border-color: var(--_gk-color-primary-hover);
    color: var(--_gk-color-primary-hover);
  }
  .button--primary {
    background: var(--_gk-color-primary);
    color: var(--_gk-color-on-primary);
  }
  .button--primary:hover {
    background: var(--_gk-color-primary-hover);
    color: var(--_gk-color-on-primary);
  }
  .button:disabled {
    opacity: 0.6;
    cursor: not-allowed;
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
`;

/** Labels, inputs and their help and error texts, for text fields and native controls in forms. */
export const fieldStyles = css`
  .field {
    display: flex;
    flex-direction: column;
    align-items: stretch;
  }
  .label {
    margin-block-end: calc(var(--_gk-space) / 2);
    font-weight: 600;
  }
  .input {
    inline-size: 100%;
    min-block-size: 2.75rem;
    padding: 0 var(--_gk-space);
    border: 1px solid var(--_gk-color-border);
    border-radius: var(--_gk-radius);
    background: var(--_gk-color-surface);
    color: var(--_gk-color-text);
    font: inherit;
  }
  .input[aria-invalid='true'] {
    border-color: var(--_gk-color-danger);
    border-width: 2px;
  }
  .input:disabled {
    opacity: 0.6;
  }
  .help {
    margin: calc(var(--_gk-space) / 2) 0 0;
    font-size: var(--_gk-font-size-small);
    color: var(--_gk-color-text-muted);
  }
`;

/** Status and error messages (ClientTask, renderError, fields). An empty error stays rendered: it is a live region. */
export const messageStyles = css`
  .status,
  .error {
    margin: 0;
  }
  .error {
    color: var(--_gk-color-danger);
    font-size: var(--_gk-font-size-small);
  }
  .field .error:not(:empty) {
    margin-block-start: calc(var(--_gk-space) / 2);
  }
`;

/** What every Gaskit element starts from. */
export const baseStyles = [tokens, hostStyles, messageStyles];

/** A widget's heading (`part="title"`, class `title`) on a block host. */
export const titleStyles = css`
  :host {
    display: block;
  }
  .title {
    margin: 0 0 var(--_gk-space);
    font-size: 1.375em;
    line-height: 1.25;
  }
`;

/** Data tables: full width, small type, a rule under every row. */
export const tableStyles = css`
  table {
    inline-size: 100%;
    border-collapse: collapse;
    font-size: var(--_gk-font-size-small);
  }
  th,
  td {
    padding: calc(var(--_gk-space) / 2);
    border-block-end: 1px solid var(--_gk-color-border);
    text-align: start;
    vertical-align: top;
  }
`;

/** A table laid out as one block per row: headings hidden (still read), each cell after its column's label. */
const stackedTableRules = css`
  .table-wrap table,
  .table-wrap tbody,
  .table-wrap tfoot,
  .table-wrap tr,
  .table-wrap th,
  .table-wrap td {
    display: block;
  }
  .table-wrap thead {
    position: absolute;
    inline-size: 1px;
    block-size: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
  .table-wrap tr {
    padding-block: calc(var(--_gk-space) / 2);
    border-block-end: 1px solid var(--_gk-color-border);
  }
  .table-wrap th,
  .table-wrap td {
    padding: calc(var(--_gk-space) / 4) 0;
    border: 0;
    overflow-wrap: anywhere;
  }
  .table-wrap th[scope='row'] {
    font-weight: 600;
  }
  .table-wrap td[data-label]::before {
    content: attr(data-label) ': ';
    color: var(--_gk-color-text-muted);
  }
  .table-wrap tfoot tr {
    display: flex;
    flex-wrap: wrap;
    justify-content: space-between;
    gap: 0 var(--_gk-space);
  }
`;

/**
 * Tables that fit any width: inside a `.table-wrap` narrower than 36em, each row shows as a block,
 * every data cell after its column's heading (`data-label` on the cell). The width is in the
 * table's own type size, so large type (the low-vision mode) stacks from a wider box.
 */
export const stackedTableStyles = css`
  .table-wrap {
    container: gk-table / inline-size;
  }
  @container gk-table (max-width: 36em) {
    ${stackedTableRules}
  }
`;

/** The chevron of a disclosure button (`.toggle` with `aria-expanded`): right when closed, down when open. */
export const chevronStyles = css`
  .chevron {
    inline-size: 1rem;
    block-size: 1rem;
    border: 1px solid var(--_gk-color-border);
    border-radius: 2px;
  }
  .chevron::before {
    content: '';
    display: block;
    margin: 0.2rem auto 0;
    inline-size: 0;
    block-size: 0;
    border-inline: 0.3rem solid transparent;
    border-block-start: 0.4rem solid currentColor;
    transform: rotate(-90deg);
  }
  .toggle[aria-expanded='true'] .chevron::before {
    transform: none;
  }
`;

/** Text for screen readers only (table captions, extra context). */
export const visuallyHiddenStyles = css`
  .visually-hidden {
    position: absolute;
    inline-size: 1px;
    block-size: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
`;
