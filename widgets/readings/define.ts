import { GaskitReadings } from './readings.component.ts';

GaskitReadings.define('gaskit-readings');

export * from './index.ts';
