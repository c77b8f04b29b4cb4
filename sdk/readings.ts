/**
 * Meter readings: the shared value rules (used by the widget and the server alike), the API
 * types and the `client.readings` group.
 *
 * Values travel as decimal strings with the meter's decimals ("12345" or "12345.678") and are
 * compared as integer thousandths of a unit, so no floating-point drift ever decides a rule.
 */
import type { z } from 'zod';
import type { BodyInput } from '../contracts/endpoint.ts';
import type * as c from '../contracts/readings.ts';
import { groupAccessor, type ClientCore } from './core.ts';

export {
  formatReading,
  meterCapacity,
  meterReading,
  MILLI_PER_UNIT,
  parseReading,
  type MeterScale,
  type ParsedReading,
} from '../contracts/rules/readings.ts';

export type ReadingStatus = z.output<typeof c.ReadingStatus>;
export type ReadingSource = Reading['source'];
/** A confirmation the person gives for a reading the rules question. */
export type ReadingConfirmation = z.output<typeof c.ReadingConfirmation>;
export type ReadingWarning = z.output<typeof c.ReadingWarning>;
/** One meter's reading: its value in the meter's notation, and the confirmations given. */
export type ReadingInput = z.input<typeof c.ReadingInput>;
export type SubmitReadingsInput = BodyInput<typeof c.readings.submit>;
/** The reading window of the tenant as it stands now. */
export type ReadingWindow = z.output<typeof c.ReadingWindow>;
export type PreviousReading = NonNullable<z.output<typeof c.PreviousReading>>;
export type ReadingTariff = NonNullable<ReadingPreviewItem['tariff']>;
export type ReadingMeter = z.output<typeof c.ReadingMeter>;
export type Reading = z.output<typeof c.Reading>;
/** A reading checked by the preview: consumption, cost (kopecks), and the confirmations still missing. */
export type ReadingPreviewItem = z.output<typeof c.ReadingPreviewItem>;
export type ReadingsPreview = z.output<typeof c.ReadingsPreview>;
export type SubmittedReadings = z.output<typeof c.SubmittedReadings>;
/** A meter with its newest reading that counts (`last`), what a reading sent now is compared with (`previous`), and its readings, newest first. */
export type MeterHistory = z.output<typeof c.MeterHistory>;
export type ReadingsHistory = z.output<typeof c.ReadingsHistory>;

/** `client.readings`: submit meter readings and read their history. */
export class ReadingsApi {
  constructor(private readonly core: ClientCore) {}

  /** `GET accounts/:id/readings`: the account's meters with their readings and the window. */
  history(accountId: string, options: { signal?: AbortSignal } = {}): Promise<ReadingsHistory> {
    return this.core.call<typeof c.readings.history>('GET', '/accounts/:id/readings', { params: { id: accountId }, ...options });
  }

  /** `POST readings/preview`: consumption, cost, period, confirmations and warnings, nothing stored. */
  preview(input: SubmitReadingsInput, options: { signal?: AbortSignal } = {}): Promise<ReadingsPreview> {
    return this.core.call<typeof c.readings.preview>('POST', '/readings/preview', { body: input, ...options });
  }

  /**
   * `POST readings`. Pass the same `idempotencyKey` when retrying one submission: a retried
   * request returns the first result and never stores a second reading.
   */
  submit(
    input: SubmitReadingsInput,
    options: { idempotencyKey?: string; signal?: AbortSignal } = {},
  ): Promise<SubmittedReadings> {
    return this.core.call<typeof c.readings.submit>('POST', '/readings', { body: input, ...options });
  }
}

/** The readings group of a client (see `groupAccessor`). */
export const readingsOf = /* @__PURE__ */ groupAccessor((core) => new ReadingsApi(core));
