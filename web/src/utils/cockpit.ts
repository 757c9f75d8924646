import type { Cockpit, Rate, UnitMetrics } from '../api/types'

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

// ---- The cockpit's figures (issue 18): one name and one formula each, the unit metrics' (server: app::metrics). ----


/** A translation function (vue-i18n's `t`, narrowed to what these helpers use). */
export type Translate = (key: string, params?: Record<string, unknown>) => string

/** The rates the cockpit shows, by their field in the unit metrics. */
export type RateKey = 'sign_on_time' | 'handle_on_time' | 'satisfaction'
export const RATE_KEYS: RateKey[] = ['sign_on_time', 'handle_on_time', 'satisfaction']

/** `2026-09..2026-11` → `2026-09 至 2026-11`; a single month stays as it is. */
export function periodText(period: string, t: Translate): string {
  const [a, b] = period.split('..')
  return b && b !== a ? t('cockpit.periodRange', { from: a, to: b }) : a
}

/** `按时办结率 = 期内按时办结 123 ÷ 期内办结 130`: a rate as its numerator and denominator. */
export function rateFormula(key: RateKey, r: Rate, t: Translate): string {
  const text = t('cockpit.formula.rate', {
    name: t(`cockpit.figure.${key}`),
    num: t(`cockpit.part.${key}.num`),
    a: r.numerator,
    den: t(`cockpit.part.${key}.den`),
    b: r.denominator,
  })
  return r.denominator > 0 ? text : `${text}${t('cockpit.formula.nothing')}`
}

/** The chart value of a rate in percent, one decimal (null when there is nothing to divide). */
export function ratePercent(r: Rate | undefined): number | null {
  return r ? toPercent(r.rate) : null
}

/** `95.0%（19 ÷ 20）`: a rate for a chart's tooltip. */
export function rateText(r: Rate | undefined): string {
  if (!r) return '—'
  const p = toPercent(r.rate)
  return `${p === null ? '—' : `${p.toFixed(1)}%`}（${r.numerator} ÷ ${r.denominator}）`
}

export interface Kpi {
  key: 'total' | RateKey | 'overdue_now' | 'unreachable'
  label: string
  value: string
  /** What the figure counts, with its numbers: the card's tooltip. */
  formula: string
}

const pctText = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`)

/** The cockpit's cards, in order: 受理量, 按时签收率, 按时办结率, 满意率, 当前超期, 无法回访. */
export function kpis(d: Cockpit, t: Translate): Kpi[] {
  const rate = (key: RateKey): Kpi => ({ key, label: t(`cockpit.figure.${key}`), value: pctText(d.rates[key].rate), formula: rateFormula(key, d.rates[key], t) })
  return [
    { key: 'total', label: t('cockpit.figure.total'), value: String(d.total), formula: t('cockpit.formula.total', { from: d.from.slice(0, 10), to: d.to.slice(0, 10), n: d.total }) },
    rate('sign_on_time'),
    rate('handle_on_time'),
    rate('satisfaction'),
    { key: 'overdue_now', label: t('cockpit.figure.overdue_now'), value: String(d.overdue_now), formula: t('cockpit.formula.overdue_now', { n: d.overdue_now }) },
    { key: 'unreachable', label: t('cockpit.figure.unreachable'), value: String(d.rates.unreachable), formula: t('cockpit.formula.unreachable', { n: d.rates.unreachable }) },
  ]
}

/** The bars of the 当前超期 chart: the ten units with most, and the rest as one bar, so they add up to the card. */
export function overdueBars(d: Pick<Cockpit, 'overdue_top' | 'overdue_other'>, otherName: string): { unit: string | null; name: string; count: number }[] {
  const bars: { unit: string | null; name: string; count: number }[] = d.overdue_top.map((r) => ({ unit: r.unit, name: r.name, count: r.count }))
  if (d.overdue_other > 0) bars.push({ unit: null, name: otherName, count: d.overdue_other })
  return bars
}

/** The rows of the unit-rates chart: units that had anything to rate, busiest first, at most `max`. */
export function rateRows(rows: UnitMetrics[], max = 15): UnitMetrics[] {
  const weight = (r: UnitMetrics) => r.sign_on_time.denominator + r.handle_on_time.denominator + r.satisfaction.denominator
  return rows
    .filter((r) => weight(r) > 0)
    .sort((a, b) => weight(b) - weight(a))
    .slice(0, max)
}

/**
 * The case-list filter that means "the cases of this unit": a hub (center) by its region, as the cockpit counts
 * it; a department by the cases it holds.
 */
export function unitFilter(code: string | undefined, units: { code: string; kind: string; region: string }[]): Record<string, string | undefined> {
  if (!code) return {}
  const u = units.find((x) => x.code === code)
  return u?.kind === 'hub' ? { region: u.region } : { unit: code }
}
