export { GaskitAccount } from './account.component.ts';
