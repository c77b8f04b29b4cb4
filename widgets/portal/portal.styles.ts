import { css } from 'lit';

export default css`
  :host {
    display: block;
    container-type: inline-size;
    background: var(--_gk-color-surface);
  }
  .portal {
    position: relative;
    display: flex;
    flex-direction: column;
    min-block-size: inherit;
    max-inline-size: var(--gaskit-portal-max-width, 80rem);
    margin-inline: auto;
  }
  .skip-link:not(:focus),
  .visually-hidden {
    position: absolute;
    inline-size: 1px;
    block-size: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
  .skip-link:focus {
    position: absolute;
    inset-inline-start: var(--_gk-space);
    inset-block-start: var(--_gk-space);
    z-index: 20;
    padding: var(--_gk-space);
    border: 2px solid var(--_gk-color-focus);
    background: var(--_gk-color-surface);
    color: var(--_gk-color-text);
    font: inherit;
  }
  .header {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    justify-content: space-between;
    gap: var(--_gk-space) calc(var(--_gk-space) * 2);
    padding: calc(var(--_gk-space) * 1.5) calc(var(--_gk-space) * 2);
    border-block-end: 1px solid var(--_gk-color-border);
  }
  .brand {
    display: flex;
    align-items: center;
    gap: calc(var(--_gk-space) * 1.5);
    color: inherit;
    text-decoration: none;
  }
  .logo {
    display: block;
    block-size: 3rem;
    inline-size: auto;
    max-inline-size: 10rem;
  }
  .names {
    display: flex;
    flex-direction: column;
  }
  .tenant-name {
    font-weight: 700;
    font-size: 1.125em;
    color: var(--_gk-color-primary);
  }
  .app-name {
    font-size: var(--_gk-font-size-small);
    color: var(--_gk-color-text-muted);
  }
  .tools {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: var(--_gk-space);
  }
  .language {
    display: inline-flex;
    align-items: center;
    gap: calc(var(--_gk-space) / 2);
  }
  .language .input {
    inline-size: auto;
  }
  .user {
    color: var(--_gk-color-text-muted);
    font-size: var(--_gk-font-size-small);
  }
  .layout {
    flex: 1;
    display: flex;
    flex-direction: column;
  }
  .nav {
    padding: var(--_gk-space) calc(var(--_gk-space) * 2);
    background: var(--_gk-color-surface-alt);
    border-block-end: 1px solid var(--_gk-color-border);
  }
  .nav-list {
    list-style: none;
    margin: 0;
    padding: 0;
    display: none;
    flex-direction: column;
  }
  .nav-list.open {
    display: flex;
    margin-block-start: var(--_gk-space);
  }
  .nav-link {
    display: block;
    padding: var(--_gk-space) calc(var(--_gk-space) * 1.5);
    border-inline-start: 4px solid transparent;
    color: var(--_gk-color-primary);
    text-decoration: none;
  }
  .nav-link:hover {
    text-decoration: underline;
  }
  .nav-item {
    position: relative;
  }
  .nav-hint {
    display: none;
    position: absolute;
    z-index: 10;
    inset-block-start: 100%;
    inset-inline-start: calc(var(--_gk-space) * 2);
    inline-size: max-content;
    max-inline-size: min(20rem, calc(100% - var(--_gk-space) * 4));
    padding: var(--_gk-space) calc(var(--_gk-space) * 1.5);
    border-radius: var(--_gk-radius);
    background: var(--_gk-color-inverse);
    box-shadow: var(--_gk-shadow);
    color: var(--_gk-color-on-inverse);
    font-size: var(--_gk-font-size-small);
    pointer-events: none;
  }
  .nav-item:hover > .nav-hint,
  .nav-link:focus-visible + .nav-hint {
    display: block;
  }
  .nav--quiet .nav-link + .nav-hint {
    display: none;
  }
  .welcome {
    max-inline-size: 48em;
  }
  .welcome p {
    margin: 0 0 var(--_gk-space);
  }
  .welcome-lead {
    font-size: 1.125em;
    font-weight: 600;
  }
  .steps {
    margin: 0 0 calc(var(--_gk-space) * 2);
    padding-inline-start: 1.5em;
  }
  .steps li + li {
    margin-block-start: calc(var(--_gk-space) / 2);
  }
  .nav-link[aria-current='page'] {
    border-inline-start-color: var(--_gk-color-primary);
    background: var(--_gk-color-surface);
    color: var(--_gk-color-text);
    font-weight: 700;
  }
  .main {
    flex: 1;
    min-inline-size: 0;
    padding: calc(var(--_gk-space) * 2);
  }
  .main > * + * {
    margin-block-start: calc(var(--_gk-space) * 2);
  }
  .view-title {
    margin-block-end: 0;
    font-size: 1.5em;
    line-height: 1.25;
  }
  .view-title:focus {
    outline: none;
  }
  .view-title:focus-visible {
    outline: var(--_gk-focus-ring-width) solid var(--_gk-color-focus);
  }
  .account-bar {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: var(--_gk-space);
  }
  .account-bar label {
    font-weight: 600;
  }
  .account-bar .input {
    inline-size: auto;
    max-inline-size: 100%;
    flex: 1 1 16rem;
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: var(--_gk-space);
  }
  a.button {
    text-decoration: none;
  }
  .settings-accounts h2 {
    margin: 0 0 var(--_gk-space);
    font-size: 1.125em;
  }
  .settings-accounts p {
    margin: 0 0 var(--_gk-space);
  }
  .notice {
    margin: 0;
  }

  /* Wide enough for a side menu: sections on the left, content on the right. */
  @container (min-width: 48rem) {
    .layout {
      flex-direction: row;
      align-items: stretch;
    }
    .nav {
      flex: 0 0 var(--gaskit-portal-nav-width, 15rem);
      padding: calc(var(--_gk-space) * 2) 0;
      border-block-end: 0;
      border-inline-end: 1px solid var(--_gk-color-border);
    }
    .menu-button {
      display: none;
    }
    .nav-list,
    .nav-list.open {
      display: flex;
      margin: 0;
    }
    .nav-hint {
      inset-block-start: 50%;
      inset-inline-start: calc(100% + var(--_gk-space));
      translate: 0 -50%;
      max-inline-size: 20rem;
    }
    .main {
      padding: calc(var(--_gk-space) * 3);
    }
  }

  /* Low vision: one column, the menu always open as a plain list, nothing beside the content. */
  .portal--low-vision .layout {
    flex-direction: column;
  }
  .portal--low-vision .nav {
    flex: none;
    padding: var(--_gk-space) calc(var(--_gk-space) * 2);
    border-inline-end: 0;
    border-block-end: 2px solid var(--_gk-color-border);
  }
  .portal--low-vision .menu-button {
    display: none;
  }
  .portal--low-vision .nav-list {
    display: flex;
    flex-flow: row wrap;
    gap: var(--_gk-space);
    margin: 0;
  }
  .portal--low-vision .nav-link {
    border: 2px solid var(--_gk-color-border);
    text-decoration: underline;
  }
  .portal--low-vision .nav-hint {
    inset-block-start: 100%;
    inset-inline-start: 0;
    translate: none;
    max-inline-size: min(20rem, 80vw);
  }
  .portal--low-vision .nav-link[aria-current='page'] {
    background: var(--_gk-color-inverse);
    color: var(--_gk-color-on-inverse);
  }
  .portal--low-vision .logo {
    block-size: 2.5rem;
  }
  .portal--low-vision .view-title {
    font-size: 1.75em;
  }
`;
