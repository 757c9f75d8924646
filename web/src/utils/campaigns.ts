// 走访 (issue 21, item 1): pure helpers of the campaign pages — rates as percents, the seed's headline line, today's
// date in Shanghai, the visit's body as the server takes it, and where a server's refusal belongs on the phone form
// (`problems[1]` → problem row 1, `subject.name` → the subject's name, `reporter.phone` → the problems' phones).
import type { CampaignTotals, VisitKind } from '../api/types'

export const VISIT_KINDS: VisitKind[] = ['household', 'enterprise']

/** A rate of the server (0–1, or null when nothing to divide) as a percent for display: `72%`, `16.7%`, `—`. */
export function ratePercent(rate: number | null | undefined): string {
  if (rate === null || rate === undefined || !Number.isFinite(rate)) return '—'
  const r = Math.round(rate * 1000) / 10
  return `${Number.isInteger(r) ? r.toFixed(0) : r.toFixed(1)}%`
}

/** A progress bar's percentage (0–100, one decimal) of `done` against `target`; 0 without a target. */
export function progressOf(done: number, target: number): number {
  if (!target || target <= 0) return 0
  return Math.min(100, Math.max(0, Math.round((done / target) * 1000) / 10))
}

/** The headline's values (走访住户 N 户 / 企业 M 家，发现问题 P 个，已解决 S 个（解决率 x%），超期 O 个). */
export function headlineParams(t: CampaignTotals): Record<string, string | number> {
  return { households: t.households, enterprises: t.enterprises, problems: t.problems, solved: t.solved, rate: ratePercent(t.solved_rate), overdue: t.overdue }
}

/** `YYYY-MM-DD` of an instant in Shanghai (the district's day), today by default. */
export function shanghaiDate(at: Date = new Date()): string {
  return new Date(at.getTime() + 8 * 3600_000).toISOString().slice(0, 10)
}

/** Whether today is within the campaign's period (inclusive). */
export function isRunning(c: { starts_on: string; ends_on: string }, today = shanghaiDate()): boolean {
  return c.starts_on <= today && today <= c.ends_on
}

export interface ProblemRow {
  title: string
  description: string
  phone: string
}

export interface VisitForm {
  mode: 'registry' | 'new'
  subjectId: string
  kind: VisitKind
  name: string
  address: string
  contact: string
  visitedAt: string
  found: string
  problems: ProblemRow[]
}

/** The visit as the server takes it: the registry's subject or a new one, every problem row in its place. */
export function visitBody(f: VisitForm): Record<string, unknown> {
  const body: Record<string, unknown> = { found: f.found.trim() }
  if (f.visitedAt) body.visited_at = f.visitedAt
  if (f.mode === 'registry') {
    if (f.subjectId) body.subject_id = f.subjectId
  } else {
    const s: Record<string, unknown> = { kind: f.kind, name: f.name.trim(), address: f.address.trim() }
    if (f.contact.trim()) s.contact = f.contact.trim()
    body.subject = s
  }
  if (f.problems.length)
    body.problems = f.problems.map((p) => {
      const o: Record<string, unknown> = { title: p.title.trim(), description: p.description.trim() }
      if (p.phone.trim()) o.phone = p.phone.trim()
      return o
    })
  return body
}

/**
 * Where a refusal of a visit belongs on the form: `{ key, row }` with `key` one of the form's fields (`visitedAt`,
 * `found`, `subject`, `name`, `address`, `contact`, `kind`, `problem`) and `row` the problem's row; a case's field
 * (`reporter.phone`, `title`, …: a problem was refused as a case is) → `problem` with no row; null for a message.
 */
export function visitFieldPlace(field: string | null | undefined): { key: string; row: number | null } | null {
  if (!field) return null
  const m = /^problems\[(\d+)\]/.exec(field)
  if (m) return { key: 'problem', row: Number(m[1]) }
  switch (field) {
    case 'visited_at':
      return { key: 'visitedAt', row: null }
    case 'found':
      return { key: 'found', row: null }
    case 'subject':
    case 'subject_id':
    case 'subject.community':
      return { key: 'subject', row: null }
    case 'subject.name':
      return { key: 'name', row: null }
    case 'subject.address':
      return { key: 'address', row: null }
    case 'subject.contact':
      return { key: 'contact', row: null }
    case 'subject.kind':
      return { key: 'kind', row: null }
  }
  if (/^(reporter|location)\.|^(title|description|category)$/.test(field)) return { key: 'problem', row: null }
  return null
}
