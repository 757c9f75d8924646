// 知识库 (issue 23, item 2): articles with a question and an answer, reviewed by their unit before publishing, searched
// live at intake and shown to the public as the portal's 常见问题. Contract: /work/notes/issue23-plan.md.
import { get, patch, post } from './http'
import type { Query } from './http'

export type ArticleStatus = 'draft' | 'proposed' | 'published' | 'retired'
export const ARTICLE_STATUSES: ArticleStatus[] = ['draft', 'proposed', 'published', 'retired']
export type ArticleAction = 'publish' | 'reject' | 'retire' | 'renew'

export interface Article {
  id: string
  question: string
  answer: string
  category: string
  unit: string
  unit_name?: string
  /** 政策依据: the document and its number. */
  source?: string | null
  valid_from?: string | null
  valid_until?: string | null
  review_at?: string | null
  status?: ArticleStatus
  expired?: boolean
  uses?: number
  version?: number
  proposed_from?: string | null
  created_at?: string
  updated_at?: string
}

/** The fields of the create and edit dialog. */
export interface ArticleInput {
  question: string
  answer: string
  category: string
  unit: string
  source?: string
  valid_from?: string | null
  valid_until?: string | null
  review_at?: string | null
}

/** One case an article answered (GET /knowledge/{id}/uses). */
export interface ArticleUse {
  case_id: string
  number: string
  title: string
  status: string
  used_at: string
  used_by?: string | null
}

/** A published article on the portal (public subset). */
export interface PublicArticle {
  id: string
  question: string
  answer: string
  category: string
  unit_name?: string
  source?: string | null
}

const enc = encodeURIComponent

export const knowledgeApi = {
  list: (q: Query) => get<Article[]>('/knowledge', q),
  get: (id: string) => get<Article>(`/knowledge/${enc(id)}`),
  create: (body: ArticleInput) => post<Article>('/knowledge', body),
  update: (id: string, body: ArticleInput & { version: number }) => patch<Article>(`/knowledge/${enc(id)}`, body),
  /** `renew` without `valid_until` extends by a year. */
  action: (id: string, body: { action: ArticleAction; version: number; note?: string; valid_until?: string }) =>
    post<Article>(`/knowledge/${enc(id)}/actions`, body),
  propose: (caseId: string) => post<Article>('/knowledge/proposals', { case_id: caseId }),
  uses: (id: string) => get<ArticleUse[]>(`/knowledge/${enc(id)}/uses`),
  portal: (q: string) => get<PublicArticle[]>('/portal/knowledge', { q }, { auth: false }),
}
