/** `2026-11-26T09:30:00+08:00` → `2026-11-26 09:30` (the server gives Asia/Shanghai local times). */
export function fmtTime(s: string | null | undefined): string {
  if (!s) return ''
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(s)
  return m ? `${m[1]} ${m[2]}` : s
}

export function fmtDate(s: string | null | undefined): string {
  if (!s) return ''
  return s.slice(0, 10)
}

/** `YYYY-MM-DD` of a Date in local time. */
export function isoDate(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`
}

export function daysAgo(n: number, from: Date = new Date()): string {
  const d = new Date(from)
  d.setDate(d.getDate() - n)
  return isoDate(d)
}

/** A rate given as a fraction (0.9565) → `95.7%`. */
export function pct(v: number | null | undefined): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '—'
  return `${(v * 100).toFixed(1)}%`
}

/** A valid phone: 5–20 digits with `-`, `+` or spaces (the server's rule). */
export function validPhone(p: string): boolean {
  const digits = (p.match(/\d/g) ?? []).length
  return digits >= 5 && digits <= 20 && /^[\d\-+ ]+$/.test(p)
}
