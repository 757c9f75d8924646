import type { Query } from '../api/http'

/** The filter bar's model. Cascaders hold paths; the API takes the last element. */
export interface CaseFilters {
  range: [string, string] | null
  region: string[]
  category: string[]
  unit: string
  status: string[]
  nature: string[]
  urgency: string[]
  source: string[]
  due: string
  q: string
  number: string
  phone: string
}

export const emptyFilters = (): CaseFilters => ({
  range: null,
  region: [],
  category: [],
  unit: '',
  status: [],
  nature: [],
  urgency: [],
  source: [],
  due: '',
  q: '',
  number: '',
  phone: '',
})

/** The workbench's queue tabs and the list filter each stands for. */
export const QUEUES = ['all', 'registered', 'accepted', 'pending_approval', 'dispatched', 'in_progress', 'near', 'overdue', 'resolved'] as const
export type QueueKey = (typeof QUEUES)[number]

/** The queues a role works from (the others stay reachable through the filters). */
export function queuesFor(role: string | null | undefined): QueueKey[] {
  switch (role) {
    case 'clerk':
      return ['all', 'registered', 'accepted', 'near', 'overdue', 'resolved']
    case 'handler':
    case 'unit_lead':
      return ['all', 'dispatched', 'in_progress', 'near', 'overdue']
    case 'dispatcher':
      return [...QUEUES]
    default:
      return QUEUES.filter((q) => q !== 'pending_approval')
  }
}

export function queueQuery(tab: QueueKey): Query {
  switch (tab) {
    case 'all':
      return {}
    case 'near':
    case 'overdue':
      return { due: tab }
    case 'pending_approval':
      // 待审批: extension requests waiting for the hub's decision.
      return { pending: 'extension' }
    default:
      return { status: tab }
  }
}

/** A case number such as `2026-000123`. */
export const CASE_NUMBER = /^\d{4}-\d{6}$/

const last = (a: string[]) => (a.length ? a[a.length - 1] : undefined)

/** The API query of the filters (the same parameters `/cases` and the export take). */
export function filtersToQuery(f: CaseFilters, tab: QueueKey = 'all'): Query {
  const q: Query = {
    from: f.range?.[0],
    to: f.range?.[1],
    region: last(f.region),
    category: last(f.category),
    unit: f.unit || undefined,
    status: f.status,
    nature: f.nature,
    urgency: f.urgency,
    source: f.source,
    due: f.due || undefined,
    q: f.q.trim() || undefined,
    number: f.number.trim() || undefined,
    phone: f.phone.trim() || undefined,
  }
  // A case number typed as keywords is looked up as the number (the text search does not index numbers).
  if (!q.number && typeof q.q === 'string' && CASE_NUMBER.test(q.q)) {
    q.number = q.q
    q.q = undefined
  }
  // The queue tab narrows the list; it wins over the same filter in the bar.
  return { ...q, ...queueQuery(tab) }
}

type RouteQuery = Record<string, string | null | (string | null)[] | undefined>

const one = (v: RouteQuery[string]): string => (Array.isArray(v) ? (v[0] ?? '') : (v ?? ''))
const many = (v: RouteQuery[string]): string[] => one(v).split(',').map((s) => s.trim()).filter(Boolean)

/**
 * Filters from a URL query (drill-down from the cockpit, a bookmarked list). `regionPath` and `categoryPath`
 * turn a code into the cascader path.
 */
export function filtersFromRoute(
  rq: RouteQuery,
  regionPath: (code: string) => string[] = (c) => [c],
  categoryPath: (c: string) => string[] = (c) => (c.includes('/') ? [c.split('/')[0], c] : [c]),
): CaseFilters {
  const f = emptyFilters()
  const from = one(rq.from)
  const to = one(rq.to)
  if (from || to) f.range = [from || to, to || from]
  if (one(rq.region)) f.region = regionPath(one(rq.region))
  if (one(rq.category)) f.category = categoryPath(one(rq.category))
  f.unit = one(rq.unit)
  f.status = many(rq.status)
  f.nature = many(rq.nature)
  f.urgency = many(rq.urgency)
  f.source = many(rq.source)
  f.due = one(rq.due)
  f.q = one(rq.q)
  f.number = one(rq.number)
  f.phone = one(rq.phone)
  return f
}

/** The URL query of the filters (only what is set), to keep the list shareable. */
export function filtersToRoute(f: CaseFilters): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(filtersToQuery(f))) {
    if (v === undefined || v === null || v === '') continue
    if (Array.isArray(v)) {
      if (v.length) out[k] = v.join(',')
    } else out[k] = String(v)
  }
  return out
}
