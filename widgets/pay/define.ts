import { GaskitPay } from './pay.component.ts';

GaskitPay.define('gaskit-pay');

export * from './index.ts';
