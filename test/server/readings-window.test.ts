import { expect } from 'chai';
import { daysBetween, windowAt, zonedMidnight, type WindowRules } from '../../server/readings/window.ts';

const rules = (windowStartDay: number, windowEndDay: number, timeZone = 'Europe/Moscow'): WindowRules => ({
  windowStartDay,
  windowEndDay,
  outsideWindow: 'next-period',
  timeZone,
});

describe('readings: the reading window', () => {
  it('is open on the days of the month it names, for the current period', () => {
    const w = windowAt(rules(15, 25), new Date('2026-03-15T08:00:00Z'));
    expect(w).to.include({ open: true, period: '2026-03', opensOn: '2026-03-15', closesOn: '2026-03-25' });
    expect(windowAt(rules(15, 25), new Date('2026-03-25T20:59:00Z')).open).to.equal(true);
  });

  it('points before the window to this month’s window and after it to next month’s', () => {
    expect(windowAt(rules(15, 25), new Date('2026-03-14T12:00:00Z'))).to.include({
      open: false,
      period: '2026-03',
      opensOn: '2026-03-15',
    });
    expect(windowAt(rules(15, 25), new Date('2026-03-26T12:00:00Z'))).to.include({
      open: false,
      period: '2026-04',
      opensOn: '2026-04-15',
    });
    expect(windowAt(rules(15, 25), new Date('2026-12-28T12:00:00Z'))).to.include({ period: '2027-01', closesOn: '2027-01-25' });
  });

  it('counts days in the tenant’s time zone, not the server’s', () => {
    // 21:30 UTC on the 25th is already the 26th in Moscow (UTC+3) and still the 25th in Kaliningrad (UTC+2).
    const late = new Date('2026-03-25T21:30:00Z');
    expect(windowAt(rules(15, 25, 'Europe/Moscow'), late).open).to.equal(false);
    expect(windowAt(rules(15, 25, 'Europe/Kaliningrad'), late).open).to.equal(true);
    expect(windowAt(rules(1, 1, 'Asia/Vladivostok'), new Date('2026-03-31T15:00:00Z'))).to.include({
      open: true,
      period: '2026-04',
    });
  });

  it('runs over the month’s end when it starts after it ends, counting for the month it started in', () => {
    const r = rules(25, 5);
    expect(windowAt(r, new Date('2026-03-27T12:00:00Z'))).to.include({ open: true, period: '2026-03', closesOn: '2026-04-05' });
    expect(windowAt(r, new Date('2026-04-03T12:00:00Z'))).to.include({ open: true, period: '2026-03', opensOn: '2026-03-25' });
    expect(windowAt(r, new Date('2026-04-10T12:00:00Z'))).to.include({ open: false, period: '2026-04', opensOn: '2026-04-25' });
  });

  it('takes a day past the month’s length as its last day', () => {
    expect(windowAt(rules(20, 31), new Date('2026-02-28T12:00:00Z'))).to.include({ open: true, closesOn: '2026-02-28' });
    expect(windowAt(rules(31, 31), new Date('2026-04-30T12:00:00Z'))).to.include({ open: true, period: '2026-04' });
  });

  it('counts whole days between calendar dates', () => {
    expect(daysBetween('2026-03-20', '2026-03-25')).to.equal(5);
    expect(daysBetween('2026-02-27', '2026-03-02')).to.equal(3);
  });

  it('finds the moment a day begins in the tenant’s time zone', () => {
    expect(zonedMidnight('2026-04-15', 'Europe/Moscow').toISOString()).to.equal('2026-04-14T21:00:00.000Z');
    expect(zonedMidnight('2026-04-15', 'Asia/Vladivostok').toISOString()).to.equal('2026-04-14T14:00:00.000Z');
    expect(zonedMidnight('2026-03-29', 'Europe/Berlin').toISOString()).to.equal('2026-03-28T23:00:00.000Z');
  });
});
