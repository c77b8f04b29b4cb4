import { GaskitFeedback } from './feedback.component.ts';

GaskitFeedback.define('gaskit-feedback');

export * from './index.ts';
