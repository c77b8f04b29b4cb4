export { GaskitFeedback } from './feedback.component.ts';
