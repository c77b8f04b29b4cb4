import { css, html, nothing, svg, type TemplateResult } from 'lit';
import { shiftPeriod, type MonthlyUsage } from '../../sdk/index.ts';
import type { LocalizeController } from '../shared/localize.ts';
import { formatPeriod, formatVolume } from '../shared/billing-parts.ts';

const MONTHS = 12;
const SLOT = 30;
const WIDTH = SLOT * MONTHS;
const TOP = 8;
const BASE = 118;
const HEIGHT = 120;

/** The twelve months ending at `period`, oldest first, with the usage billing sent (null where none). */
export function lastTwelveMonths(history: MonthlyUsage[], period: string): { period: string; usage: MonthlyUsage | null }[] {
  const byPeriod = new Map(history.map((h) => [h.period, h]));
  return Array.from({ length: MONTHS }, (_, i) => {
    const month = shiftPeriod(period, i - MONTHS + 1);
    return { period: month, usage: byPeriod.get(month) ?? null };
  });
}

/** The smallest of 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × 10ⁿ at or above `value`: the top of a scale people read at a glance. */
export function niceCeil(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  return [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10].map((m) => m * power).find((step) => step >= value * (1 - 1e-9)) ?? 10 * power;
}

/**
 * Monthly consumption (bars, scale on the left) and amounts charged (a line, scale on the right)
 * over the last twelve months. The bars and line are an SVG; the scales, months and years are
 * text in the widget's own type size, so they grow with the low-vision mode, and on a narrow box
 * only every third month is named. The data is also given as a table, for screen readers and for
 * exact values.
 */
export function renderUsageChart(localize: LocalizeController, history: MonthlyUsage[], period: string): TemplateResult {
  const t = (key: string, params?: Record<string, unknown>) => localize.t(`chart:${key}`, params);
  const months = lastTwelveMonths(history, period);
  const maxVolume = niceCeil(Math.max(0, ...months.map((m) => m.usage?.volume ?? 0)));
  const maxRubles = niceCeil(Math.max(0, ...months.map((m) => (m.usage?.amount ?? 0) / 100)));
  const y = (value: number, max: number) => BASE - ((BASE - TOP) * Math.max(value, 0)) / max;
  const points = months
    .map((m, i) => (m.usage ? `${i * SLOT + SLOT / 2},${y(m.usage.amount / 100, maxRubles).toFixed(1)}` : ''))
    .filter(Boolean)
    .join(' ');
  const rubles = new Intl.NumberFormat(localize.locale, { style: 'currency', currency: 'RUB', maximumFractionDigits: 0 });
  // The gridlines at half and the whole of each scale; their labels sit on them (.tick--half, .tick--full).
  const ticks = [0.5, 1].map((fraction) => ({
    at: y(fraction, 1),
    volume: formatVolume(localize, maxVolume * fraction),
    amount: rubles.format(maxRubles * fraction),
    where: fraction === 1 ? 'full' : 'half',
  }));
  const january = months.findIndex((m, i) => i > 0 && m.period.endsWith('-01'));
  // The first month's year when there is room before January's, and January's; one cell per month.
  const years = months.map((m, i) =>
    (i === 0 && (january === -1 || january >= 2)) || i === january ? m.period.slice(0, 4) : '',
  );
  return html`<figure part="chart" class="chart">
    <figcaption class="chart-title">${t('title')}</figcaption>
    <div class="chart-box">
      <div class="plot">
        <div class="plot-area">
          <svg part="chart-image" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label=${t('alt')}>
            ${ticks.map(({ at }) => svg`<line class="grid" x1="0" y1=${at} x2=${WIDTH} y2=${at}></line>`)}
            ${january > 0 ? svg`<line class="year-line" x1=${january * SLOT} y1=${TOP} x2=${january * SLOT} y2=${BASE}></line>` : nothing}
            ${months.map(({ usage }, i) => {
              const top = usage ? y(usage.volume, maxVolume) : BASE;
              return svg`<rect class="bar" x=${i * SLOT + 6} y=${top.toFixed(1)} width=${SLOT - 12} height=${(BASE - top).toFixed(1)}></rect>`;
            })}
            <line class="axis" x1="0" y1=${BASE} x2=${WIDTH} y2=${BASE}></line>
            <polyline class="amounts" points=${points}></polyline>
            ${months.map(({ usage }, i) =>
              usage
                ? svg`<circle class="point" cx=${i * SLOT + SLOT / 2} cy=${y(usage.amount / 100, maxRubles).toFixed(1)} r="2.5"></circle>`
                : nothing,
            )}
          </svg>
          ${ticks.map(
            ({ where, volume, amount }) =>
              html`<span class="tick tick--${where}" aria-hidden="true">${volume}</span>
                <span class="tick tick--${where} tick--amount" aria-hidden="true">${amount}</span>`,
          )}
        </div>
      </div>
      <ol class="months" aria-hidden="true">
        ${months.map(
          ({ period: month }, i) =>
            html`<li class=${(MONTHS - 1 - i) % 3 === 0 ? 'month month--quarter' : 'month'}>
              ${localize.formatDate(month, { month: 'short' })}
            </li>`,
        )}
      </ol>
      <ol class="years" aria-hidden="true">
        ${years.map((text, i) => html`<li class=${i > 0 && text ? 'year year--new' : 'year'}>${text}</li>`)}
      </ol>
    </div>
    <ul class="legend" aria-hidden="true">
      <li><span class="swatch"></span>${t('volume')}</li>
      <li><span class="swatch swatch--line"></span>${t('amount')}</li>
    </ul>
    <details part="chart-data" class="chart-data table-wrap">
      <summary>${t('showTable')}</summary>
      <table>
        <caption class="visually-hidden">
          ${t('title')}
        </caption>
        <thead>
          <tr>
            <th scope="col">${t('month')}</th>
            <th scope="col">${t('volume')}</th>
            <th scope="col">${t('amount')}</th>
          </tr>
        </thead>
        <tbody>
          ${months.map(
            ({ period: month, usage }) =>
              html`<tr>
                <th scope="row">${formatPeriod(localize, month)}</th>
                <td data-label=${t('volume')}>${usage ? formatVolume(localize, usage.volume) : t('noData')}</td>
                <td data-label=${t('amount')}>${usage ? localize.formatMoney(usage.amount) : t('noData')}</td>
              </tr>`,
          )}
        </tbody>
      </table>
    </details>
  </figure>`;
}

export const chartStyles = css`
  .chart {
    margin: 0;
    container: gk-chart / inline-size;
  }
  .chart-title {
    font-weight: 600;
    margin-block-end: calc(var(--_gk-space) / 2);
  }
  .chart-box {
    max-inline-size: 40em;
    font-size: var(--_gk-font-size-small);
    line-height: 1.2;
    color: var(--_gk-color-text-muted);
  }
  .plot {
    padding-block-start: 1.4em;
  }
  .plot-area {
    position: relative;
  }
  .plot svg {
    display: block;
    inline-size: 100%;
    block-size: auto;
    overflow: visible;
  }
  .grid {
    stroke: var(--_gk-color-border);
    stroke-dasharray: 2 3;
    stroke-width: 0.5;
  }
  .year-line {
    stroke: var(--_gk-color-border);
    stroke-width: 1;
  }
  .axis {
    stroke: var(--_gk-color-text);
    stroke-width: 1.5;
  }
  .tick {
    position: absolute;
    padding-inline: 0.2em;
    transform: translateY(-100%);
    background: color-mix(in srgb, var(--_gk-color-surface) 80%, transparent);
    white-space: nowrap;
  }
  .tick--full {
    inset-block-start: ${(TOP / HEIGHT) * 100}%;
  }
  .tick--half {
    inset-block-start: ${((TOP + BASE) / 2 / HEIGHT) * 100}%;
  }
  .tick--amount {
    inset-inline-end: 0;
  }
  .tick:not(.tick--amount) {
    inset-inline-start: 0;
  }
  .months,
  .years {
    display: grid;
    grid-template-columns: repeat(${MONTHS}, minmax(0, 1fr));
    margin: 0;
    padding: 0;
    list-style: none;
  }
  .month {
    justify-self: center;
    padding-block-start: 0.2em;
    white-space: nowrap;
  }
  .month:last-child {
    justify-self: end;
  }
  .years {
    min-block-size: 1.3em;
  }
  .year {
    padding-inline-start: 0.2em;
    white-space: nowrap;
    font-weight: 600;
  }
  .year--new {
    border-inline-start: 1px solid var(--_gk-color-border);
  }
  /* Too narrow for twelve names: every third month, ending with the period shown. */
  @container gk-chart (max-width: 32em) {
    .month:not(.month--quarter) {
      visibility: hidden;
      max-inline-size: 0;
      overflow: hidden;
    }
  }
  .bar {
    fill: var(--gaskit-chart-bar-color, var(--_gk-color-primary));
  }
  .amounts {
    fill: none;
    stroke: var(--gaskit-chart-line-color, var(--_gk-color-text));
    stroke-width: 2;
  }
  .point {
    fill: var(--gaskit-chart-line-color, var(--_gk-color-text));
  }
  .legend {
    display: flex;
    flex-wrap: wrap;
    gap: 0 calc(var(--_gk-space) * 2);
    margin: calc(var(--_gk-space) / 2) 0;
    padding: 0;
    list-style: none;
    font-size: var(--_gk-font-size-small);
  }
  .legend li {
    display: flex;
    align-items: center;
    gap: calc(var(--_gk-space) / 2);
  }
  .swatch {
    display: inline-block;
    inline-size: 1em;
    block-size: 0.75em;
    background: var(--gaskit-chart-bar-color, var(--_gk-color-primary));
  }
  .swatch--line {
    block-size: 0.2em;
    background: var(--gaskit-chart-line-color, var(--_gk-color-text));
  }
  .chart-data summary {
    cursor: pointer;
    color: var(--_gk-color-primary);
  }
`;
