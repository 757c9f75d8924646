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

/** Words of a caller's account that say nothing about the matter (split on, never searched for). */
const FILLERS = [
  '来电人', '来电', '市民', '群众', '居民', '反映', '咨询', '询问', '请问', '想问', '问一下', '想知道', '了解', '一下', '希望', '要求', '需要', '怎么', '怎样', '如何',
  '什么', '哪里', '哪些', '多少', '可以', '能不能', '能否', '是否', '有没有', '我们', '我', '他们', '他', '她', '自己', '的', '了', '吗', '呢', '啊', '吧',
]
const FILLER_RE = new RegExp(FILLERS.sort((a, b) => b.length - a.length).join('|'), 'g')

/**
 * The searches intake runs while the clerk types. The server's search matches every word of a query (as a substring of
 * the article), so a whole account rarely matches: besides the text itself, each clause of it is searched on its own,
 * cut at words that say nothing (想问, 怎么, 需要…); a longer piece is searched by its two ends (word boundaries; its
 * middle may not be one) — 「想问居住证怎么办理」 becomes 「居住证 办理」, 「就医备案怎么办」 「就医 备案」. At most `max` searches, longest clauses first; none below two characters.
 */
export function intakeQueries(title: string, description: string, max = 4): string[] {
  const out: string[] = []
  const add = (q: string) => {
    const v = q.replace(/\s+/g, ' ').trim()
    if (v.length >= 2 && !out.includes(v)) out.push(v)
  }
  add(intakeQuery(title, description))
  const clauses = `${title}，${description}`
    .split(/[，。？！、；：,.?!;:\s"“”'‘’（）()【】]+/)
    .map((c) => c.trim())
    .filter((c) => c.length >= 2)
  const words = (clause: string) =>
    clause
      .split(FILLER_RE)
      .flatMap((piece) => {
        if (/^[\x21-\x7e]+$/.test(piece)) return piece.length >= 2 ? [piece] : []
        // A piece's ends are word boundaries (an empty word or punctuation was there); its middle may not be.
        if (piece.length < 2) return []
        if (piece.length <= 3) return [piece]
        return [piece.slice(0, 2), piece.slice(-2)]
      })
      .slice(0, 4)
      .join(' ')
  const ranked = clauses
    .map((c, i) => ({ q: words(c), i }))
    .filter((x) => x.q.length >= 2)
    .sort((a, b) => b.q.length - a.q.length || a.i - b.i)
  for (const x of ranked) {
    if (out.length >= max) break
    add(x.q)
  }
  return out.slice(0, max)
}

/** The answers of several searches as one list: found by more searches first, then in the order found. */
export function mergeResults<T extends { id: string }>(lists: T[][], limit = 5): T[] {
  const seen = new Map<string, { item: T; hits: number; order: number }>()
  let order = 0
  lists.forEach((list) =>
    list.forEach((item, rank) => {
      const e = seen.get(item.id)
      if (e) e.hits++
      else seen.set(item.id, { item, hits: 1, order: order++ + rank * 0.001 })
    }),
  )
  return [...seen.values()].sort((a, b) => b.hits - a.hits || a.order - b.order).slice(0, limit).map((e) => e.item)
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
