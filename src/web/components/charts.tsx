/** Hand-made SVG charts: a few hundred bytes each, readable without colour (labels and titles). */

export type Bar = { label: string; value: number; tone?: 'ok' | 'bad' | 'warn' | 'muted' | 'info' };

/** Horizontal bars with their counts, for "how many mailboxes are in each state". */
export function Bars({ title, bars }: { title: string; bars: ReadonlyArray<Bar> }) {
  const max = Math.max(1, ...bars.map((b) => b.value));
  const rowH = 26;
  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 320 ${bars.length * rowH}`} role="img" aria-label={`${title}: ${bars.map((b) => `${b.label} ${b.value}`).join(', ')}`}>
        {bars.map((b, i) => (
          <g key={b.label} transform={`translate(0 ${i * rowH})`}>
            <text x="0" y="17" class="chart-label">{b.label}</text>
            <rect x="120" y="5" width={Math.max(2, (b.value / max) * 160)} height="16" rx="3" class={`fill-${b.tone ?? 'info'}`} />
            <text x={128 + Math.max(2, (b.value / max) * 160)} y="17" class="chart-value">{b.value}</text>
          </g>
        ))}
      </svg>
    </figure>
  );
}

/** null: nothing measured in that bucket (drawn as a gap, said as "no data"). */
export type Series = { name: string; tone: 'ok' | 'bad' | 'warn' | 'info'; values: ReadonlyArray<number | null> };

/** How a series is summed up in its legend: a total for counts, the highest value for latencies. */
export type Summary = 'total' | 'max';

function summarize(values: ReadonlyArray<number | null>, summary: Summary, unit: string): string {
  const known = values.filter((v): v is number => v !== null);
  if (summary === 'total') return `${known.reduce((a, b) => a + b, 0)}${unit}`;
  return known.length === 0 ? 'no data' : `max ${Math.max(...known)}${unit}`;
}

/** Columns per time bucket (one group per bucket, one column per series). */
export function Columns({ title, buckets, series, unit = '', summary = 'total', note }: {
  title: string;
  buckets: ReadonlyArray<string>;
  series: ReadonlyArray<Series>;
  unit?: string;
  summary?: Summary;
  /** Shown instead of the columns when there is nothing to draw (e.g. not measured). */
  note?: string;
}) {
  const max = Math.max(1, ...series.flatMap((s) => s.values.filter((v): v is number => v !== null)));
  const w = 320;
  const h = 120;
  const groupW = w / Math.max(1, buckets.length);
  const colW = Math.max(1, (groupW - Math.min(4, groupW / 4)) / Math.max(1, series.length));
  const legend = series.map((s) => summarize(s.values, summary, unit));
  const tickEvery = Math.ceil(buckets.length / 6);
  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      {note !== undefined ? <p class="muted">{note}</p> : (
        <svg viewBox={`0 0 ${w} ${h + 18}`} role="img" aria-label={`${title}: ${series.map((s, i) => `${s.name} ${legend[i]}`).join(', ')}`}>
          <line x1="0" y1={h} x2={w} y2={h} class="axis" />
          {buckets.map((b, i) => (
            <g key={i} transform={`translate(${i * groupW + Math.min(2, groupW / 8)} 0)`}>
              {series.map((s, j) => {
                const v = s.values[i] ?? null;
                const bh = v === null ? 0 : (v / max) * (h - 8);
                return (
                  <rect key={s.name} x={j * colW} y={h - bh} width={Math.max(0.5, colW - (colW > 2 ? 1 : 0))} height={bh} class={`fill-${s.tone}`}>
                    <title>{`${b}: ${s.name} ${v === null ? 'no data' : `${v}${unit}`}`}</title>
                  </rect>
                );
              })}
              {i % tickEvery === 0 && <text x="0" y={h + 14} class="chart-tick">{b}</text>}
            </g>
          ))}
        </svg>
      )}
      {note === undefined && (
        <ul class="legend">
          {series.map((s, i) => <li key={s.name}><span class={`swatch fill-${s.tone}`} aria-hidden="true" />{s.name}: {legend[i]}</li>)}
        </ul>
      )}
    </figure>
  );
}
