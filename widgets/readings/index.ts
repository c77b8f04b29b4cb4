export { GaskitReadings } from './readings.component.ts';
