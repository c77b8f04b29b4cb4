/**
 * Meter readings: the shared value rules (used by the widget and the server alike), the API
 * types and the `client.readings` group.
 *
 * Values travel as decimal strings with the meter's decimals ("12345" or "12345.678") and are
 * compared as integer thousandths of a unit, so no floating-point drift ever decides a rule.
 */
import { groupAccessor, type ClientCore } from './core.ts';
import { path } from './http.ts';

export {
  formatReading,
  meterCapacity,
  meterReading,
  MILLI_PER_UNIT,
  parseReading,
  type MeterScale,
  type ParsedReading,
} from '../contracts/rules/readings.ts';

export type ReadingStatus = 'accepted' | 'queued' | 'rejected' | 'superseded';
export type ReadingSource = 'portal' | 'payment' | 'import';
/** A question the person must answer before a reading is taken. */
export type ReadingConfirmation = 'rollover' | 'implausible';
export type ReadingWarning = 'verification_overdue';

export interface ReadingInput {
  meterId: string;
  /** In the meter's notation; numbers are accepted too. */
  value: string | number;
  /** The meter went past its capacity and started again from zero. */
  confirmRollover?: boolean;
  /** The consumption is far above the usual and the person confirms it. */
  confirmImplausible?: boolean;
}

export interface SubmitReadingsInput {
  accountId: string;
  readings: ReadingInput[];
}

/** The reading window of the tenant as it stands at the moment of the request. */
export interface ReadingWindow {
  startDay: number;
  endDay: number;
  outsideWindow: 'reject' | 'next-period';
  /** Readings are taken now for the current period. */
  open: boolean;
  /** The period (`YYYY-MM`) a reading sent now counts for; `null` when the window is closed and closed readings are refused. */
  period: string | null;
  /** Sent now, a reading waits for the next window (`period`). */
  queued: boolean;
  /** First day (`YYYY-MM-DD`) of the window open now, or of the next one when closed. */
  opensOn: string;
  /** Last day (`YYYY-MM-DD`) of that window. */
  closesOn: string;
}

export interface PreviousReading {
  value: string;
  /** ISO timestamp. */
  date: string;
}

export interface ReadingTariff {
  /** Price of one unit (m³) in kopecks. */
  price: number;
  unit: string;
}

export interface ReadingMeter {
  id: string;
  serialNumber: string;
  name: string;
  digits: number;
  decimals: number;
  /** `YYYY-MM-DD` or null when unknown. */
  verificationDue: string | null;
  verificationOverdue: boolean;
}

export interface Reading {
  id: string;
  accountId: string;
  meterId: string;
  value: string;
  period: string;
  status: ReadingStatus;
  source: ReadingSource;
  /** Why the billing system refused it (status `rejected`). */
  rejectionReason: string | null;
  /** Consumption since the previous reading, in the meter's notation. */
  consumption: string | null;
  rollover: boolean;
  paymentId: string | null;
  /** ISO timestamp. */
  submittedAt: string;
}

export interface ReadingPreviewItem {
  meterId: string;
  value: string;
  previous: PreviousReading | null;
  consumption: string | null;
  /** consumption × tariff, in kopecks. */
  cost: number | null;
  tariff: ReadingTariff | null;
  rollover: boolean;
  implausible: boolean;
  /** Confirmations still missing; the submission is refused until they are given. */
  confirmationsNeeded: ReadingConfirmation[];
  warnings: ReadingWarning[];
}

export interface ReadingsPreview {
  accountId: string;
  window: ReadingWindow;
  readings: ReadingPreviewItem[];
  /** In kopecks. */
  totalCost: number;
}

export interface SubmittedReadings {
  accountId: string;
  period: string;
  queued: boolean;
  readings: Reading[];
  warnings: { meterId: string; warning: ReadingWarning }[];
}

export interface MeterHistory {
  meter: ReadingMeter;
  /** The newest reading that counts, this period's included. */
  last: PreviousReading | null;
  /** What a reading sent now is compared with, as the preview does: a reading of this period is replaced, not compared with. */
  previous: PreviousReading | null;
  /** Newest first. */
  readings: Reading[];
}

export interface ReadingsHistory {
  accountId: string;
  window: ReadingWindow;
  meters: MeterHistory[];
}

/** `client.readings`: submit meter readings and read their history. */
export class ReadingsApi {
  constructor(private readonly core: ClientCore) {}

  /** `GET accounts/:id/readings`: the account's meters with their readings and the window. */
  history(accountId: string, options: { signal?: AbortSignal } = {}): Promise<ReadingsHistory> {
    return this.core.request<ReadingsHistory>(path`accounts/${accountId}/readings`, options);
  }

  /** `POST readings/preview`: consumption, cost, period, confirmations and warnings, nothing stored. */
  preview(input: SubmitReadingsInput, options: { signal?: AbortSignal } = {}): Promise<ReadingsPreview> {
    return this.core.request<ReadingsPreview>('readings/preview', { method: 'POST', body: input, ...options });
  }

  /**
   * `POST readings`. Pass the same `idempotencyKey` when retrying one submission: a retried
   * request returns the first result and never stores a second reading.
   */
  submit(
    input: SubmitReadingsInput,
    options: { idempotencyKey?: string; signal?: AbortSignal } = {},
  ): Promise<SubmittedReadings> {
    return this.core.request<SubmittedReadings>('readings', { method: 'POST', body: input, ...options });
  }
}

/** The readings group of a client (see `groupAccessor`). */
export const readingsOf = /* @__PURE__ */ groupAccessor((core) => new ReadingsApi(core));
