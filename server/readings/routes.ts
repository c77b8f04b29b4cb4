import { Router } from 'express';
import { readings } from '../../contracts/readings.ts';
import { mount } from '../endpoints.ts';
import { previewSubmission, readingHistory, submitReadings } from './service.ts';

export const readingsRoutes = Router({ mergeParams: true });

mount(readingsRoutes, readings.history, ({ ctx, params }) => readingHistory(ctx, params.id));

mount(readingsRoutes, readings.preview, ({ ctx, body }) => previewSubmission(ctx, body));

mount(readingsRoutes, readings.submit, ({ ctx, body }) => submitReadings(ctx, body));
