import { css, html, nothing, svg, type TemplateResult } from 'lit';
import { shiftPeriod, type MonthlyUsage } from '../../sdk/index.ts';
import type { LocalizeController } from '../shared/localize.ts';
import { formatPeriod, formatVolume } from './billing-parts.ts';

const MONTHS = 12;
const SLOT = 30;
const WIDTH = SLOT * MONTHS;
const TOP = 8;
const BASE = 118;
const HEIGHT = 136;

/** The twelve months ending at `period`, oldest first, with the usage billing sent (null where none). */
export function lastTwelveMonths(history: MonthlyUsage[], period: string): { period: string; usage: MonthlyUsage | null }[] {
  const byPeriod = new Map(history.map((h) => [h.period, h]));
  return Array.from({ length: MONTHS }, (_, i) => {
    const month = shiftPeriod(period, i - MONTHS + 1);
    return { period: month, usage: byPeriod.get(month) ?? null };
  });
}

/**
 * Monthly consumption (bars) and amounts charged (a line) over the last twelve months, as a
 * small SVG whose data is also given as a table for screen readers and for reading exact values.
 */
export function renderUsageChart(localize: LocalizeController, history: MonthlyUsage[], period: string): TemplateResult {
  const t = (key: string, params?: Record<string, unknown>) => localize.t(`billing:chart.${key}`, params);
  const months = lastTwelveMonths(history, period);
  const maxVolume = Math.max(0, ...history.map((h) => h.volume)) || 1;
  const maxAmount = Math.max(0, ...history.map((h) => h.amount)) || 1;
  const y = (value: number, max: number) => BASE - ((BASE - TOP) * Math.max(value, 0)) / max;
  const points = months
    .map((m, i) => (m.usage ? `${i * SLOT + SLOT / 2},${y(m.usage.amount, maxAmount).toFixed(1)}` : ''))
    .filter(Boolean)
    .join(' ');
  return html`<figure part="chart" class="chart">
    <figcaption class="chart-title">${t('title')}</figcaption>
    <svg part="chart-image" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label=${t('alt')}>
      <line class="axis" x1="0" y1=${BASE} x2=${WIDTH} y2=${BASE}></line>
      ${months.map(({ period: month, usage }, i) => {
        const top = usage ? y(usage.volume, maxVolume) : BASE;
        return svg`<rect class="bar" x=${i * SLOT + 6} y=${top.toFixed(1)} width=${SLOT - 12} height=${(BASE - top).toFixed(1)}></rect>
          <text class="label" x=${i * SLOT + SLOT / 2} y=${HEIGHT - 4} text-anchor="middle">${localize.formatDate(month, { month: 'short' })}</text>`;
      })}
      <polyline class="amounts" points=${points}></polyline>
      ${months.map(({ usage }, i) =>
        usage
          ? svg`<circle class="point" cx=${i * SLOT + SLOT / 2} cy=${y(usage.amount, maxAmount).toFixed(1)} r="2.5"></circle>`
          : nothing,
      )}
    </svg>
    <ul class="legend" aria-hidden="true">
      <li><span class="swatch"></span>${t('volume')}</li>
      <li><span class="swatch swatch--line"></span>${t('amount')}</li>
    </ul>
    <details part="chart-data" class="chart-data">
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
                <td>${usage ? formatVolume(localize, usage.volume) : t('noData')}</td>
                <td>${usage ? localize.formatMoney(usage.amount) : t('noData')}</td>
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
  }
  .chart-title {
    font-weight: 600;
    margin-block-end: calc(var(--_gk-space) / 2);
  }
  .chart svg {
    display: block;
    inline-size: 100%;
    max-inline-size: 40rem;
    block-size: auto;
  }
  .axis {
    stroke: var(--_gk-color-border);
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
  .label {
    fill: var(--_gk-color-text-muted);
    font-size: 9px;
  }
  .legend {
    display: flex;
    flex-wrap: wrap;
    gap: calc(var(--_gk-space) * 2);
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
    inline-size: 1rem;
    block-size: 0.75rem;
    background: var(--gaskit-chart-bar-color, var(--_gk-color-primary));
  }
  .swatch--line {
    block-size: 0.2rem;
    background: var(--gaskit-chart-line-color, var(--_gk-color-text));
  }
  .chart-data summary {
    cursor: pointer;
    color: var(--_gk-color-primary);
  }
`;
