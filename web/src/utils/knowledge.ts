// 知识库 (issue 23, item 2): the pure part — which actions an article offers, the status tags, what intake searches for,
// and an excerpt of an answer around what was typed. Unit tests: tests/unit/knowledge.test.ts.
import type { Article, ArticleAction, ArticleStatus } from '../api/knowledge'

/** Roles that review articles (publish, reject, retire, renew): administrators, supervisors, and a unit's lead for
 * its own unit's articles (crates/app/src/knowledge.rs, `may_review`). */
export const KB_REVIEWERS = ['admin', 'supervisor']
/** Roles that write articles (a draft) and propose them from cases: staff, not leaders. */
export const KB_WRITERS = ['unit_lead', 'admin', 'supervisor', 'dispatcher', 'clerk', 'handler']

export const mayWriteKnowledge = (role: string | null | undefined) => KB_WRITERS.includes(role ?? '')

/** Whether a user reviews this article: administrators and supervisors any, a unit's lead their unit's. */
export function mayReview(user: { role: string; unit: string | null } | null | undefined, a: Pick<Article, 'unit'>): boolean {
  if (!user) return false
  return KB_REVIEWERS.includes(user.role) || (user.role === 'unit_lead' && !!user.unit && user.unit === a.unit)
}

/** The actions an article in a status offers a reviewer (the server checks again). */
export function articleActions(a: Pick<Article, 'status'>): ArticleAction[] {
  switch (a.status) {
    case 'draft':
    case 'proposed':
      return ['publish', 'reject']
    case 'published':
      return ['renew', 'retire']
    case 'retired':
      return ['publish']
    default:
      return []
  }
}

export function articleStatusType(s: ArticleStatus | undefined, expired = false): 'success' | 'warning' | 'info' | 'danger' | 'primary' {
  if (expired) return 'danger'
  switch (s) {
    case 'published':
      return 'success'
    case 'proposed':
      return 'warning'
    case 'draft':
      return 'primary'
    default:
      return 'info'
  }
}

/** Whether an article's review date has come (`today` as YYYY-MM-DD). */
export function reviewDue(a: Pick<Article, 'review_at'>, today: string): boolean {
  return !!a.review_at && a.review_at <= today
}

/** Days from `today` to the end of validity (negative once past); null without an end. */
export function daysLeft(a: Pick<Article, 'valid_until'>, today: string): number | null {
  if (!a.valid_until) return null
  const d = (Date.parse(`${a.valid_until}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / 86_400_000
  return Number.isFinite(d) ? Math.round(d) : null
}

/**
 * What intake searches the knowledge base for while the clerk types: the title and the start of the description,
 * whitespace collapsed, at most `max` characters (the server takes 100); empty (no search) below two characters.
 */
export function intakeQuery(title: string, description: string, max = 80): string {
  const s = `${title} ${description}`.replace(/\s+/g, ' ').trim().slice(0, max)
  return s.length >= 2 ? s : ''
}

/**
 * An excerpt of `text` of about `len` characters around the first place that shares a character pair (or, for Latin
 * text, a word) with `q`; the start of the text when nothing matches.
 */
export function excerpt(text: string, q: string, len = 80): string {
  const t = (text ?? '').replace(/\s+/g, ' ').trim()
  if (t.length <= len) return t
  let at = -1
  const query = (q ?? '').replace(/\s+/g, ' ').trim()
  const grams = new Set<string>()
  for (const w of query.split(' ')) {
    if (/^[\x21-\x7e]+$/.test(w)) {
      if (w.length >= 2) grams.add(w.toLowerCase())
    } else for (let i = 0; i + 1 < w.length; i++) grams.add(w.slice(i, i + 2))
  }
  const lower = t.toLowerCase()
  for (const g of grams) {
    const i = lower.indexOf(g)
    if (i >= 0 && (at < 0 || i < at)) at = i
  }
  if (at < 0) return `${t.slice(0, len)}…`
  const start = Math.max(0, Math.min(at - Math.floor(len / 4), t.length - len))
  return `${start > 0 ? '…' : ''}${t.slice(start, start + len)}${start + len < t.length ? '…' : ''}`
}

/** A category given as `A/B` as the intake cascader's path `[A, A/B]`; anything else as no path. */
export function categoryPath(category: string | null | undefined): string[] {
  return category && category.includes('/') ? [category.split('/')[0], category] : []
}
