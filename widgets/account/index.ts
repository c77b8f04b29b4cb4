export { GaskitAccount } from './account.component.ts';
export { GaskitAccountPin } from './account-pin.component.ts';
export { GaskitAccountUnlink } from './account-unlink.component.ts';
