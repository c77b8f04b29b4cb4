import { css, html, nothing, type TemplateResult } from 'lit';
import type { MonthlyCharges } from '../../sdk/index.ts';
import type { LocalizeController } from './localize.ts';
import { chevronStyles, stackedTableStyles, tableStyles, visuallyHiddenStyles } from './styles.ts';

/** A billing month in words: "июнь 2015 г.", "June 2015". */
export function formatPeriod(localize: LocalizeController, period: string): string {
  return localize.formatDate(period, { month: 'long', year: 'numeric' });
}

/** A unit as people write it: `m3` → "м³"; a unit without a text stays as billing sent it. */
export function unitText(localize: LocalizeController, unit: string): string {
  return localize.t(`billing:units.${unit}`) || unit;
}

/** A quantity with its unit: "41,2 м³"; `decimals` fixes the digits after the point (meter notation). */
export function formatVolume(localize: LocalizeController, value: number, unit = 'm3', decimals?: number): string {
  const digits =
    decimals === undefined ? { maximumFractionDigits: 3 } : { minimumFractionDigits: decimals, maximumFractionDigits: decimals };
  return `${new Intl.NumberFormat(localize.locale, digits).format(value)} ${unitText(localize, unit)}`;
}

/** The lines of one month's charges with penalties and the total, as a table. */
function renderLines(localize: LocalizeController, charges: MonthlyCharges, id: string, hidden: boolean): TemplateResult {
  const t = (key: string, params?: Record<string, unknown>) => localize.t(`billing:charges.${key}`, params);
  const money = (kopecks: number) => localize.formatMoney(kopecks);
  return html`<div id=${id} class="lines table-wrap" ?hidden=${hidden}>
    <table part="lines">
      <caption class="visually-hidden">
        ${t('caption', { period: formatPeriod(localize, charges.period) })}
      </caption>
      <thead>
        <tr>
          <th scope="col">${t('service')}</th>
          <th scope="col">${t('volume')}</th>
          <th scope="col">${t('tariff')}</th>
          <th scope="col">${t('amount')}</th>
        </tr>
      </thead>
      <tbody>
        ${charges.lines.map(
          (line) =>
            html`<tr>
              <th scope="row">${line.service}</th>
              <td data-label=${t('volume')}>${formatVolume(localize, line.volume, line.unit)}</td>
              <td data-label=${t('tariff')}>
                ${t('perUnit', { price: money(line.tariff), unit: unitText(localize, line.unit) })}
              </td>
              <td data-label=${t('amount')}>${money(line.amount)}</td>
            </tr>`,
        )}
      </tbody>
      <tfoot>
        <tr>
          <th scope="row" colspan="3">${t('penalties')}</th>
          <td>${money(charges.penalties)}</td>
        </tr>
        <tr>
          <th scope="row" colspan="3">${t('total')}</th>
          <td>${money(charges.total)}</td>
        </tr>
      </tfoot>
    </table>
  </div>`;
}

export interface MonthChargesOptions {
  /** Whether the lines are shown. */
  open: boolean;
  onToggle: () => void;
  /** Heading text of the row; default: the month. */
  label?: string;
}

/**
 * One month's charges: the total and penalties on a button that expands the lines by service
 * (volume, tariff, amount). Without lines (basic mode) the total stands alone.
 */
export function renderMonthCharges(
  localize: LocalizeController,
  charges: MonthlyCharges,
  { open, onToggle, label = formatPeriod(localize, charges.period) }: MonthChargesOptions,
): TemplateResult {
  const t = (key: string, params?: Record<string, unknown>) => localize.t(`billing:charges.${key}`, params);
  const penalties =
    charges.penalties > 0
      ? html`<span class="penalties">${t('withPenalties', { amount: localize.formatMoney(charges.penalties) })}</span>`
      : nothing;
  const content = html`<span class="month">${label}</span>
    <span class="sum">${localize.formatMoney(charges.total)}</span> ${penalties}`;
  if (charges.lines.length === 0) return html`<div part="month" class="month-row">${content}</div>`;
  const id = `lines-${charges.period}`;
  return html`<button
      part="month-toggle"
      class="month-row toggle"
      type="button"
      aria-expanded=${open ? 'true' : 'false'}
      aria-controls=${id}
      @click=${onToggle}
    >
      <span class="chevron" aria-hidden="true"></span>${content}
    </button>
    ${renderLines(localize, charges, id, !open)}`;
}

/** Month rows, their chevrons and the lines table; and a visually hidden helper class. */
export const billingStyles = [
  tableStyles,
  stackedTableStyles,
  chevronStyles,
  visuallyHiddenStyles,
  css`
    .month-row {
      display: grid;
      grid-template-columns: 1.25rem minmax(0, 1fr) auto;
      align-items: center;
      justify-items: start;
      gap: 0 var(--_gk-space);
      inline-size: 100%;
      min-block-size: 2.75rem;
      padding: calc(var(--_gk-space) / 2) var(--_gk-space);
      border: 0;
      border-block-end: 1px solid var(--_gk-color-border);
      background: none;
      color: inherit;
      font: inherit;
      text-align: start;
    }
    .month-row .month {
      grid-column: 2;
    }
    .month-row .month::first-letter {
      text-transform: uppercase;
    }
    .month-row .penalties {
      grid-column: 2 / 4;
      color: var(--_gk-color-text-muted);
      font-size: var(--_gk-font-size-small);
    }
    .toggle {
      cursor: pointer;
    }
    .sum {
      font-weight: 600;
    }
    .lines {
      padding-inline-start: calc(var(--_gk-space) * 3);
    }
    [hidden] {
      display: none;
    }
  `,
];
