export { GaskitPay } from './pay.component.ts';
