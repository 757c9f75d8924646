// Pure helpers of the admin pages: working hours as people write them (`08:30-12:00, 13:30-17:30`), the row an
// error of the routing catalogue or the time-limit rules names, the format of an uploaded ledger.

export interface WorkPeriod {
  start: number
  end: number
}

const hm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`

export function formatWorkingHours(periods: WorkPeriod[]): string {
  return periods.map((p) => `${hm(p.start)}-${hm(p.end)}`).join(', ')
}

/**
 * Parses `08:30-12:00, 13:30-17:30` (separated by commas, 、 or spaces; `-`, `–` or `~` within a period) into
 * minutes after midnight. Null unless there is at least one period and the periods are ordered and do not overlap
 * (the rule the server checks).
 */
export function parseWorkingHours(text: string): WorkPeriod[] | null {
  const parts = text
    .split(/[,，、;；\s]+/)
    .map((s) => s.trim())
    .filter(Boolean)
  if (!parts.length) return null
  const out: WorkPeriod[] = []
  let last = 0
  for (const p of parts) {
    const m = /^(\d{1,2}):(\d{2})[-–~](\d{1,2}):(\d{2})$/.exec(p)
    if (!m) return null
    const [h1, m1, h2, m2] = m.slice(1).map(Number)
    if (m1 >= 60 || m2 >= 60) return null
    const start = h1 * 60 + m1
    const end = h2 * 60 + m2
    if (start >= end || start < last || end > 24 * 60) return null
    out.push({ start, end })
    last = end
  }
  return out
}

/** The catalogue row an error of `PUT /catalogue` names (`[3].unit` → row 3, field unit). */
export function rowError(field: string | undefined): { row: number; field: string } | null {
  const m = /^\[(\d+)\]\.(\w+)$/.exec(field ?? '')
  return m ? { row: Number(m[1]), field: m[2] } : null
}

/**
 * The time-limit rule and field an error of `PUT /policies` names (`rules[3].clocks.handle` → rule 3, field
 * `clocks.handle`), or null when it is about the policy as a whole.
 */
export function ruleError(field: string | undefined): { rule: number; field: string } | null {
  const m = /^rules\[(\d+)\]\.([\w.]+)$/.exec(field ?? '')
  return m ? { rule: Number(m[1]), field: m[2] } : null
}

/** The rule dialog's form item for a rule field the server names. */
export const RULE_FIELD_PROPS: Record<string, string> = {
  category: 'category',
  region: 'region',
  'clocks.sign': 'sign.value',
  'clocks.handle': 'handle.value',
  'clocks.follow_up': 'follow_up.value',
  'clocks.return_window': 'return_window.value',
  'clocks.extension_max_days': 'extension_max_days',
  'clocks.extension_times': 'extension_times',
  'clocks.near_due_share': 'near_pct',
}

/** The ledger format of an uploaded file, by its name (the server also sniffs xlsx by its zip header). */
export function ledgerFormat(name: string): 'csv' | 'xlsx' | null {
  const n = name.toLowerCase()
  if (n.endsWith('.xlsx')) return 'xlsx'
  if (n.endsWith('.csv') || n.endsWith('.txt')) return 'csv'
  return null
}

/**
 * Parses CSV text (RFC 4180: quoted fields, doubled quotes, CRLF or LF, a leading BOM) into records. Record i
 * (from 0) is row i + 1 of the server's report: like the server's reader, an empty line is not a record.
 */
export function parseCsv(text: string): string[][] {
  const s = text.replace(/^\ufeff/, '')
  const out: string[][] = []
  let rec: string[] = []
  let field = ''
  let quoted = false
  let any = false
  for (let i = 0; i < s.length; i++) {
    const c = s[i]
    if (quoted) {
      if (c === '"') {
        if (s[i + 1] === '"') {
          field += '"'
          i++
        } else quoted = false
      } else field += c
      continue
    }
    if (c === '"') {
      quoted = true
      any = true
    } else if (c === ',') {
      rec.push(field)
      field = ''
      any = true
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && s[i + 1] === '\n') i++
      if (any || field) {
        rec.push(field)
        out.push(rec)
      }
      rec = []
      field = ''
      any = false
    } else {
      field += c
      any = true
    }
  }
  if (any || field) {
    rec.push(field)
    out.push(rec)
  }
  return out
}
