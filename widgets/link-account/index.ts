export { GaskitLinkAccount } from './link-account.component.ts';
