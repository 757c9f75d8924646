/** A share as 0–1; null when there is nothing to divide. */
export function rate(part: number, whole: number): number | null {
  return whole > 0 ? part / whole : null
}

/** `2026-03` → the first and last day of that month. */
export function monthRange(month: string): { from: string; to: string } {
  const [y, m] = month.split('-').map(Number)
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate()
  const mm = String(m).padStart(2, '0')
  return { from: `${y}-${mm}-01`, to: `${y}-${mm}-${String(last).padStart(2, '0')}` }
}

/** The case-list query of a drill-down: the cockpit's period and unit, narrowed by what was clicked. */
export function drillQuery(base: Record<string, string | undefined>, extra: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries({ ...base, ...extra })) if (v) out[k] = v
  return out
}

/** A fraction (0.9565) as a chart value in percent, one decimal (95.7). */
export function toPercent(v: number | null | undefined): number | null {
  if (v === null || v === undefined || Number.isNaN(v)) return null
  return Math.round(v * 1000) / 10
}
