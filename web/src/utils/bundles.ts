// 一件事 (issue 22): the pure rules the staff pages share — the form's client-side checks (the same rules as the
// server's `bundles::check_form`, so a clerk hears about a mistake before submitting), the material checklist
// (必交 / 可容缺), the member matters laid out as a flow by dependency depth, what a user may do with a task, and
// the catalogue grouped by life event. Messages are left to the pages (they are i18n keys' codes here).
import type { BundleField, BundleMaterial, BundleStatus, BundleTask, BundleTaskStatus, BundleTemplate, BundleAction, Unit } from '../api/types'

/** What is wrong with one field: the i18n key under `bundles.errors`. */
export type FieldProblem = 'required' | 'date' | 'phone' | 'id_card' | 'number' | 'choice' | 'tooLong'

/** An 18-digit resident ID number (GB 11643) with its ISO 7064 MOD 11-2 check character (X allowed, either case). */
export function idCardOk(s: string): boolean {
  const v = s.trim()
  if (!/^\d{17}[\dXx]$/.test(v)) return false
  const W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
  let sum = 0
  for (let i = 0; i < 17; i++) sum += Number(v[i]) * W[i]
  return '10X98765432'[sum % 11] === v[17].toUpperCase()
}

/** A phone number of a form: 7–15 digits, with `-`, `+` or spaces (the server's rule for `phone` fields). */
export function phoneOk(s: string): boolean {
  const v = s.trim()
  const digits = (v.match(/\d/g) ?? []).length
  return digits >= 7 && digits <= 15 && /^[\d\-+ ]+$/.test(v)
}

/** A calendar date `YYYY-MM-DD` that exists. */
export function dateOk(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s.trim())
  if (!m) return false
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])))
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3])
}

export type FormValue = string | number | null | undefined

/** The problem of one field's value, or null when it is fine. */
export function checkField(f: BundleField, value: FormValue): FieldProblem | null {
  const text = value === null || value === undefined ? '' : typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '') : value.trim()
  if (!text) return f.required ? 'required' : null
  if ([...text].length > 500) return 'tooLong'
  switch (f.type) {
    case 'date':
      return dateOk(text) ? null : 'date'
    case 'phone':
      return phoneOk(text) ? null : 'phone'
    case 'id_card':
      return idCardOk(text) ? null : 'id_card'
    case 'number':
      return Number.isFinite(Number(text)) ? null : 'number'
    case 'choice':
      return (f.options ?? []).includes(text) ? null : 'choice'
    default:
      return null
  }
}

/** Every field's problem, by field name (only the fields with one). */
export function checkForm(fields: BundleField[], form: Record<string, FormValue>): Record<string, FieldProblem> {
  const out: Record<string, FieldProblem> = {}
  for (const f of fields) {
    const p = checkField(f, form[f.name])
    if (p) out[f.name] = p
  }
  return out
}

/** The form as the server takes it: empty values left out, text trimmed, numbers as numbers. */
export function formPayload(fields: BundleField[], form: Record<string, FormValue>): Record<string, string | number> {
  const out: Record<string, string | number> = {}
  for (const f of fields) {
    const v = form[f.name]
    if (v === null || v === undefined) continue
    if (typeof v === 'number') {
      if (Number.isFinite(v)) out[f.name] = v
      continue
    }
    const s = v.trim()
    if (!s) continue
    out[f.name] = f.type === 'number' && Number.isFinite(Number(s)) ? Number(s) : f.type === 'id_card' ? s.toUpperCase() : s
  }
  return out
}

/** The required materials not handed in: `blocking` ones stop the application, `deferred` ones may follow (容缺). */
export function missingMaterials(list: BundleMaterial[], given: Iterable<string>): { blocking: BundleMaterial[]; deferred: BundleMaterial[] } {
  const have = new Set(given)
  const missing = list.filter((m) => m.required && !have.has(m.code))
  return { blocking: missing.filter((m) => !m.deferrable), deferred: missing.filter((m) => m.deferrable) }
}

/** A material's state on an application: handed in, deferred (容缺，待补交) or not handed in. */
export function materialState(code: string, materials: string[], deferred: string[]): 'given' | 'deferred' | 'missing' {
  if (materials.includes(code)) return 'given'
  if (deferred.includes(code)) return 'deferred'
  return 'missing'
}

interface Node {
  code: string
  depends_on: string[]
}

/**
 * The depth of each matter in the dependency graph: 0 without dependencies, else 1 + the deepest of its
 * dependencies. A dependency that is not in the list is ignored; a cycle (templates are checked for them on the
 * server) is cut where it is found, so the function always ends.
 */
export function depths(nodes: Node[]): Map<string, number> {
  const byCode = new Map(nodes.map((n) => [n.code, n]))
  const out = new Map<string, number>()
  const visiting = new Set<string>()
  const depth = (code: string): number => {
    const known = out.get(code)
    if (known !== undefined) return known
    if (visiting.has(code)) return 0
    visiting.add(code)
    const n = byCode.get(code)
    const deps = (n?.depends_on ?? []).filter((d) => byCode.has(d) && d !== code)
    const d = deps.length ? 1 + Math.max(...deps.map(depth)) : 0
    visiting.delete(code)
    out.set(code, d)
    return d
  }
  for (const n of nodes) depth(n.code)
  return out
}

/** The tasks in columns by dependency depth (column 0 first), each column in the template's order. */
export function flowColumns<T extends { matter: string; depends_on: string[] }>(tasks: T[]): T[][] {
  const d = depths(tasks.map((t) => ({ code: t.matter, depends_on: t.depends_on })))
  const cols: T[][] = []
  for (const t of tasks) {
    const i = d.get(t.matter) ?? 0
    while (cols.length <= i) cols.push([])
    cols[i].push(t)
  }
  return cols.filter((c) => c.length)
}

/** The names of the matters a task still waits for (its dependencies not yet approved). */
export function waitingFor(task: Pick<BundleTask, 'depends_on'>, tasks: Pick<BundleTask, 'matter' | 'name' | 'status'>[]): string[] {
  return task.depends_on
    .map((code) => tasks.find((t) => t.matter === code))
    .filter((t): t is Pick<BundleTask, 'matter' | 'name' | 'status'> => !!t && t.status !== 'approved')
    .map((t) => t.name)
}

/** The department's actions by the task's status (the server's `next_status`). */
const DEPT_ACTIONS: Partial<Record<BundleTaskStatus, BundleAction[]>> = {
  pending: ['accept', 'request_correction', 'refuse'],
  accepted: ['approve', 'request_correction', 'refuse'],
}

/** Roles that take applications at a window (and hand in corrections for the applicant). */
export const WINDOW_ROLES = ['clerk', 'dispatcher', 'admin']
/** Department roles: their default list is their own unit's to-do. */
export const DEPT_ROLES = ['handler', 'unit_lead']

export const isWindowRole = (role: string | null | undefined) => WINDOW_ROLES.includes(role ?? '')

/** Whether `unit` is `ancestor` or below it in the org tree (`units` gives each unit's parent). */
export function withinUnit(unit: string | null | undefined, ancestor: string, units: Pick<Unit, 'code' | 'parent'>[] = []): boolean {
  let u: string | null | undefined = unit
  const seen = new Set<string>()
  while (u && !seen.has(u)) {
    if (u === ancestor) return true
    seen.add(u)
    u = units.find((x) => x.code === u)?.parent ?? null
  }
  return false
}

/** What this user may do with this task now: the department's steps for staff of the task's unit, 补正已交 for the window. */
export function taskActions(task: Pick<BundleTask, 'status' | 'unit'>, user: { role: string; unit: string | null } | null | undefined, units: Pick<Unit, 'code' | 'parent'>[] = []): BundleAction[] {
  if (!user || user.role === 'citizen') return []
  const out: BundleAction[] = []
  if (withinUnit(user.unit, task.unit, units)) out.push(...(DEPT_ACTIONS[task.status] ?? []))
  if (task.status === 'correction' && isWindowRole(user.role)) out.push('resubmit')
  return out
}

/** Actions that need an opinion (the server refuses them without one). */
export const NEEDS_OPINION: BundleAction[] = ['request_correction', 'refuse']

export const BUNDLE_STATUSES: BundleStatus[] = ['in_progress', 'correction', 'completed', 'partly_completed', 'refused']

export function bundleStatusType(s: string): 'primary' | 'warning' | 'success' | 'danger' | 'info' {
  switch (s) {
    case 'in_progress':
      return 'primary'
    case 'correction':
      return 'warning'
    case 'completed':
      return 'success'
    case 'partly_completed':
      return 'warning'
    case 'refused':
      return 'danger'
    default:
      return 'info'
  }
}

export function taskStatusType(s: string): 'primary' | 'warning' | 'success' | 'danger' | 'info' {
  switch (s) {
    case 'pending':
      return 'warning'
    case 'accepted':
      return 'primary'
    case 'correction':
      return 'warning'
    case 'approved':
      return 'success'
    case 'refused':
      return 'danger'
    default:
      return 'info'
  }
}

/** The life stages in the order of a life (the Zhejiang guide's lists), for grouping the catalogue. */
const STAGE_ORDER = ['出生', '上学', '就业', '婚育', '置业', '救助', '就医', '退休', '养老', '身后', '企业开办', '场地获得', '员工招聘', '生产经营', '权益保护', '清算注销']

export interface TemplateGroup {
  kind: 'personal' | 'enterprise'
  stages: { stage: string; templates: BundleTemplate[] }[]
}

/** The catalogue as the window shows it: 个人 then 企业, each by life stage in the order of a life. */
export function groupTemplates(list: BundleTemplate[]): TemplateGroup[] {
  const rank = (s: string) => {
    const i = STAGE_ORDER.indexOf(s)
    return i < 0 ? STAGE_ORDER.length : i
  }
  return (['personal', 'enterprise'] as const)
    .map((kind) => {
      const stages: { stage: string; templates: BundleTemplate[] }[] = []
      for (const t of list.filter((x) => x.kind === kind)) {
        const g = stages.find((s) => s.stage === t.stage)
        if (g) g.templates.push(t)
        else stages.push({ stage: t.stage, templates: [t] })
      }
      stages.sort((a, b) => rank(a.stage) - rank(b.stage))
      return { kind, stages }
    })
    .filter((g) => g.stages.length)
}

/** The departments a template's matters go to, each once, in order. */
export function departmentsOf(t: Pick<BundleTemplate, 'matters'>): string[] {
  return [...new Set(t.matters.map((m) => m.unit_name || m.unit))]
}

/** A server field path `form.x` → `x`; null for other fields. */
export function formFieldOf(path: string | undefined | null): string | null {
  const m = /^form\.(.+)$/.exec(path ?? '')
  return m ? m[1] : null
}
