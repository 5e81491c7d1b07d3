import { child, type XmlNode } from '../xml/xml-reader.ts';
import { textElement } from '../xml/xml-text.ts';
import type { Codec } from './codec.ts';

/** RecurrenceType as on the wire: one pattern element, one range element (types.xsd RecurrencePatternTypes / RecurrenceRangeTypes). */
export type WireRecurrence = {
  pattern:
    | { kind: 'DailyRecurrence'; Interval: number }
    | { kind: 'WeeklyRecurrence'; Interval: number; DaysOfWeek: string; FirstDayOfWeek?: string }
    | { kind: 'AbsoluteMonthlyRecurrence'; Interval: number; DayOfMonth: number }
    | { kind: 'RelativeMonthlyRecurrence'; Interval: number; DaysOfWeek: string; DayOfWeekIndex: string }
    | { kind: 'AbsoluteYearlyRecurrence'; DayOfMonth: number; Month: string }
    | { kind: 'RelativeYearlyRecurrence'; DaysOfWeek: string; DayOfWeekIndex: string; Month: string };
  range:
    | { kind: 'NoEndRecurrence'; StartDate: string }
    | { kind: 'EndDateRecurrence'; StartDate: string; EndDate: string }
    | { kind: 'NumberedRecurrence'; StartDate: string; NumberOfOccurrences: number };
};

const patternKinds = ['RelativeYearlyRecurrence', 'AbsoluteYearlyRecurrence', 'RelativeMonthlyRecurrence', 'AbsoluteMonthlyRecurrence', 'WeeklyRecurrence', 'DailyRecurrence'];
const rangeKinds = ['NoEndRecurrence', 'EndDateRecurrence', 'NumberedRecurrence'];

function t(n: XmlNode, name: string): string {
  return child(n, name)?.text.trim() ?? '';
}

function readPattern(p: XmlNode): WireRecurrence['pattern'] {
  const interval = Number(t(p, 'Interval') || '1');
  switch (p.name) {
    case 'DailyRecurrence':
      return { kind: 'DailyRecurrence', Interval: interval };
    case 'WeeklyRecurrence': {
      const first = child(p, 'FirstDayOfWeek')?.text.trim();
      return { kind: 'WeeklyRecurrence', Interval: interval, DaysOfWeek: t(p, 'DaysOfWeek'), ...(first === undefined ? {} : { FirstDayOfWeek: first }) };
    }
    case 'AbsoluteMonthlyRecurrence':
      return { kind: 'AbsoluteMonthlyRecurrence', Interval: interval, DayOfMonth: Number(t(p, 'DayOfMonth')) };
    case 'RelativeMonthlyRecurrence':
      return { kind: 'RelativeMonthlyRecurrence', Interval: interval, DaysOfWeek: t(p, 'DaysOfWeek'), DayOfWeekIndex: t(p, 'DayOfWeekIndex') };
    case 'AbsoluteYearlyRecurrence':
      return { kind: 'AbsoluteYearlyRecurrence', DayOfMonth: Number(t(p, 'DayOfMonth')), Month: t(p, 'Month') };
    default:
      return { kind: 'RelativeYearlyRecurrence', DaysOfWeek: t(p, 'DaysOfWeek'), DayOfWeekIndex: t(p, 'DayOfWeekIndex'), Month: t(p, 'Month') };
  }
}

function readRange(r: XmlNode | undefined): WireRecurrence['range'] {
  const start = r ? t(r, 'StartDate') : '';
  if (r?.name === 'EndDateRecurrence') return { kind: 'EndDateRecurrence', StartDate: start, EndDate: t(r, 'EndDate') };
  if (r?.name === 'NumberedRecurrence') return { kind: 'NumberedRecurrence', StartDate: start, NumberOfOccurrences: Number(t(r, 'NumberOfOccurrences')) };
  return { kind: 'NoEndRecurrence', StartDate: start };
}

function writePattern(p: WireRecurrence['pattern']): string {
  const inner = (() => {
    switch (p.kind) {
      case 'DailyRecurrence':
        return `<t:Interval>${p.Interval}</t:Interval>`;
      case 'WeeklyRecurrence':
        return `<t:Interval>${p.Interval}</t:Interval>${textElement('t:DaysOfWeek', p.DaysOfWeek)}${p.FirstDayOfWeek === undefined ? '' : textElement('t:FirstDayOfWeek', p.FirstDayOfWeek)}`;
      case 'AbsoluteMonthlyRecurrence':
        return `<t:Interval>${p.Interval}</t:Interval><t:DayOfMonth>${p.DayOfMonth}</t:DayOfMonth>`;
      case 'RelativeMonthlyRecurrence':
        return `<t:Interval>${p.Interval}</t:Interval>${textElement('t:DaysOfWeek', p.DaysOfWeek)}${textElement('t:DayOfWeekIndex', p.DayOfWeekIndex)}`;
      case 'AbsoluteYearlyRecurrence':
        return `<t:DayOfMonth>${p.DayOfMonth}</t:DayOfMonth>${textElement('t:Month', p.Month)}`;
      case 'RelativeYearlyRecurrence':
        return `${textElement('t:DaysOfWeek', p.DaysOfWeek)}${textElement('t:DayOfWeekIndex', p.DayOfWeekIndex)}${textElement('t:Month', p.Month)}`;
    }
  })();
  return `<t:${p.kind}>${inner}</t:${p.kind}>`;
}

function writeRange(r: WireRecurrence['range']): string {
  const start = textElement('t:StartDate', r.StartDate);
  if (r.kind === 'EndDateRecurrence') return `<t:EndDateRecurrence>${start}${textElement('t:EndDate', r.EndDate)}</t:EndDateRecurrence>`;
  if (r.kind === 'NumberedRecurrence') return `<t:NumberedRecurrence>${start}<t:NumberOfOccurrences>${r.NumberOfOccurrences}</t:NumberOfOccurrences></t:NumberedRecurrence>`;
  return `<t:NoEndRecurrence>${start}</t:NoEndRecurrence>`;
}

export const recurrence: Codec<WireRecurrence> = {
  read: (n) => {
    const p = n.children.find((c) => patternKinds.includes(c.name));
    const r = n.children.find((c) => rangeKinds.includes(c.name));
    return { pattern: p ? readPattern(p) : { kind: 'DailyRecurrence', Interval: 1 }, range: readRange(r) };
  },
  write: (name, v) => `<${name}>${writePattern(v.pattern)}${writeRange(v.range)}</${name}>`,
};
