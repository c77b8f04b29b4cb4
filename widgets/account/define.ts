import { GaskitAccount } from './account.component.ts';

GaskitAccount.define('gaskit-account');

export * from './index.ts';
