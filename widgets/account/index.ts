export { GaskitAccount } from './account.component.ts';
export { GaskitAccountPin } from '../shared/account-pin.component.ts';
export { GaskitAccountUnlink } from '../shared/account-unlink.component.ts';
