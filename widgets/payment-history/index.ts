export { GaskitPaymentHistory } from './payment-history.component.ts';
