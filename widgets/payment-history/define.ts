import { GaskitPaymentHistory } from './payment-history.component.ts';

GaskitPaymentHistory.define('gaskit-payment-history');

export * from './index.ts';
