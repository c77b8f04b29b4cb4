import { GaskitLinkAccount } from './link-account.component.ts';

GaskitLinkAccount.define('gaskit-link-account');

export * from './index.ts';
