// The one way the UI talks to the server: JSON over fetch, the bearer token, and Accept-Language matching the
// UI language so that server errors come back in the language the user reads.

export interface ApiErrorBody {
  code: string
  message: string
  field?: string
  details?: unknown
}

export class ApiError extends Error {
  status: number
  code: string
  field?: string
  details?: unknown
  /** Seconds to wait before trying again (a 429's Retry-After). */
  retryAfter?: number
  constructor(status: number, body: ApiErrorBody, retryAfter?: number) {
    super(body.message)
    this.status = status
    this.code = body.code
    this.field = body.field
    this.details = body.details
    this.retryAfter = retryAfter
  }
}

/** Whole minutes to wait after a 429 (at least 1), from its Retry-After. */
export function retryMinutes(e: ApiError): number {
  return Math.max(1, Math.ceil((e.retryAfter ?? 60) / 60))
}

const TOKEN_KEY = 'ow_token'

let language = 'zh-CN'
let onUnauthorized: (() => void) | null = null

export function setLanguage(lang: string) {
  language = lang
}
/** The UI language requests are sent with (for requests made outside `request`, e.g. uploads with progress). */
export function getLanguage(): string {
  return language
}
export function getToken(): string | null {
  return localStorage.getItem(TOKEN_KEY)
}
export function setToken(token: string | null) {
  if (token) localStorage.setItem(TOKEN_KEY, token)
  else localStorage.removeItem(TOKEN_KEY)
}
export function setUnauthorizedHandler(fn: () => void) {
  onUnauthorized = fn
}

export type Query = Record<string, string | number | boolean | null | undefined | string[]>

/** Builds `?a=1&b=x,y` from a filter object, leaving out empty values. */
export function toQueryString(q: Query | undefined): string {
  if (!q) return ''
  const params = new URLSearchParams()
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined || v === null || v === '') continue
    if (Array.isArray(v)) {
      if (v.length) params.set(k, v.join(','))
    } else params.set(k, String(v))
  }
  const s = params.toString()
  return s ? `?${s}` : ''
}

function headers(json: boolean, auth: boolean): HeadersInit {
  const h: Record<string, string> = { 'Accept-Language': language === 'en' ? 'en' : 'zh-CN' }
  if (json) h['Content-Type'] = 'application/json'
  const t = getToken()
  if (auth && t) h.Authorization = `Bearer ${t}`
  return h
}

async function parseError(res: Response): Promise<ApiError> {
  let body: ApiErrorBody = { code: `http_${res.status}`, message: `HTTP ${res.status}` }
  try {
    const j = await res.json()
    if (j && j.error) body = j.error
  } catch {
    /* not JSON */
  }
  const retry = Number(res.headers.get('Retry-After'))
  return new ApiError(res.status, body, Number.isFinite(retry) && retry > 0 ? retry : undefined)
}

export async function request<T>(method: string, path: string, body?: unknown, opts: { auth?: boolean } = {}): Promise<T> {
  const auth = opts.auth ?? true
  const res = await fetch(`/api/v1${path}`, {
    method,
    headers: headers(body !== undefined, auth),
    body: body !== undefined ? JSON.stringify(body) : undefined,
  })
  if (!res.ok) {
    const err = await parseError(res)
    if (res.status === 401 && auth && onUnauthorized && path !== '/auth/login') onUnauthorized()
    throw err
  }
  if (res.status === 204) return undefined as T
  const text = await res.text()
  return (text ? JSON.parse(text) : undefined) as T
}

export const get = <T>(path: string, q?: Query, opts?: { auth?: boolean }) => request<T>('GET', path + toQueryString(q), undefined, opts)
export const put = <T>(path: string, body: unknown) => request<T>('PUT', path, body)
export const post = <T>(path: string, body?: unknown, opts?: { auth?: boolean }) => request<T>('POST', path, body ?? {}, opts)
export const patch = <T>(path: string, body: unknown) => request<T>('PATCH', path, body)

/** Sends a file as the raw request body (e.g. a ledger), with its content type; answers JSON. */
export async function upload<T>(path: string, q: Query, body: Blob, contentType: string): Promise<T> {
  const h = headers(false, true) as Record<string, string>
  h['Content-Type'] = contentType
  const res = await fetch(`/api/v1${path}${toQueryString(q)}`, { method: 'POST', headers: h, body })
  if (!res.ok) {
    const err = await parseError(res)
    if (res.status === 401 && onUnauthorized) onUnauthorized()
    throw err
  }
  return (await res.json()) as T
}

/** Whether an endpoint is not there (yet): the server answers unknown API paths with 404 no_such_endpoint. */
export function isMissingEndpoint(e: unknown): boolean {
  return e instanceof ApiError && (e.code === 'no_such_endpoint' || e.status === 405)
}

/** Downloads a file from an authenticated endpoint: fetch with the token, then save the blob. */
export async function download(path: string, q: Query, fallbackName: string): Promise<void> {
  const res = await fetch(`/api/v1${path}${toQueryString(q)}`, { headers: headers(false, true) })
  if (!res.ok) throw await parseError(res)
  const blob = await res.blob()
  const cd = res.headers.get('content-disposition') ?? ''
  const m = /filename\*=UTF-8''([^;]+)/i.exec(cd) ?? /filename="?([^";]+)"?/i.exec(cd)
  const name = m ? decodeURIComponent(m[1]) : fallbackName
  saveBlob(blob, name)
}

export function saveBlob(blob: Blob, name: string) {
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = name
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}
