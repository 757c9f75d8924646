// Attachments (issue 23): files on a case. Uploads go as multipart/form-data through XMLHttpRequest so that the page
// can show their progress; staff files are fetched with the bearer token and shown from blob URLs (an <img> cannot
// send the token); public files (the portal) are plain URLs.
import { ApiError, getLanguage, getToken, patch, get } from './http'
import type { ApiErrorBody } from './http'
import { i18n } from '../i18n'
import { percent, refusalKey } from '../utils/attachments'

export interface Attachment {
  id: string
  case_id: string
  name: string
  size: number
  content_type: string
  kind: 'image' | 'document'
  step: string
  source: 'citizen' | 'staff'
  public: boolean
  uploaded_at: string
  uploaded_by: string | null
  url: string
  thumbnail_url: string | null
  public_url: string | null
  public_thumbnail_url: string | null
  location: { lat: number; lon: number } | null
}

/** What the public sees of a file (the portal's track response, a citizen's upload). */
export interface PublicAttachment {
  id: string
  name: string
  size: number
  content_type: string
  kind: 'image' | 'document'
  public_url: string | null
  public_thumbnail_url: string | null
}

export interface UploadOptions {
  /** Called with 0–100 while the bytes go up. */
  onProgress?: (pct: number) => void
  /** Sends the bearer token (staff); the portal does not. */
  auth?: boolean
}

/** The server's URLs are absolute paths under /api/v1; a relative one is taken as under /api/v1. */
export function apiUrl(path: string): string {
  return path.startsWith('/api/') || /^https?:/.test(path) ? path : `/api/v1${path.startsWith('/') ? '' : '/'}${path}`
}

/** POSTs a form with a file, reporting progress; resolves with the JSON answer, rejects with an ApiError. */
export function postForm<T>(path: string, form: FormData, opts: UploadOptions = {}): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open('POST', apiUrl(path))
    xhr.setRequestHeader('Accept-Language', getLanguage() === 'en' ? 'en' : 'zh-CN')
    const token = getToken()
    if ((opts.auth ?? true) && token) xhr.setRequestHeader('Authorization', `Bearer ${token}`)
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && opts.onProgress) opts.onProgress(percent(e.loaded, e.total))
    }
    xhr.onload = () => {
      let json: unknown = null
      try {
        json = xhr.responseText ? JSON.parse(xhr.responseText) : null
      } catch {
        json = null
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        opts.onProgress?.(100)
        resolve(json as T)
        return
      }
      const err = (json as { error?: ApiErrorBody } | null)?.error
      reject(new ApiError(xhr.status, err ?? { code: `http_${xhr.status}`, message: '' }))
    }
    // A connection cut (a proxy refusing a large body may do that) reads as a network failure: status 0.
    xhr.onerror = () => reject(new ApiError(0, { code: 'network', message: '' }))
    xhr.send(form)
  })
}

export function uploadAttachment(caseId: string, file: File, step: string, opts: UploadOptions & { public?: boolean } = {}): Promise<Attachment> {
  const fd = new FormData()
  fd.append('file', file, file.name)
  fd.append('step', step)
  if (opts.public !== undefined) fd.append('public', opts.public ? 'true' : 'false')
  return postForm<Attachment>(`/cases/${encodeURIComponent(caseId)}/attachments`, fd, opts)
}

export function portalUpload(number: string, phone: string, file: File, opts: UploadOptions = {}): Promise<PublicAttachment> {
  const fd = new FormData()
  fd.append('phone', phone)
  fd.append('file', file, file.name)
  return postForm<PublicAttachment>(`/portal/cases/${encodeURIComponent(number)}/attachments`, fd, { ...opts, auth: false })
}

export const attachmentsApi = {
  list: (caseId: string) => get<Attachment[]>(`/cases/${encodeURIComponent(caseId)}/attachments`),
  setPublic: (caseId: string, id: string, value: boolean) =>
    patch<Attachment>(`/cases/${encodeURIComponent(caseId)}/attachments/${encodeURIComponent(id)}`, { public: value }),
}

/** Fetches a staff file's bytes with the token and answers an object URL for it (the caller revokes it). */
export async function blobUrl(url: string): Promise<string> {
  const h: Record<string, string> = { 'Accept-Language': getLanguage() === 'en' ? 'en' : 'zh-CN' }
  const token = getToken()
  if (token) h.Authorization = `Bearer ${token}`
  const res = await fetch(apiUrl(url), { headers: h })
  if (!res.ok) throw new ApiError(res.status, { code: `http_${res.status}`, message: '' })
  return URL.createObjectURL(await res.blob())
}

/**
 * A cache of object URLs for staff files, one per page: `get` starts the fetch once and answers the URL when it
 * is there (reactive through the map the caller passes), `clear` revokes them all.
 */
export class BlobCache {
  private pending = new Map<string, Promise<string>>()
  constructor(private urls: Map<string, string> | Record<string, string>) {}
  private set(url: string, v: string) {
    if (this.urls instanceof Map) this.urls.set(url, v)
    else this.urls[url] = v
  }
  private read(url: string): string | undefined {
    return this.urls instanceof Map ? this.urls.get(url) : this.urls[url]
  }
  load(url: string): Promise<string> {
    const have = this.read(url)
    if (have) return Promise.resolve(have)
    let p = this.pending.get(url)
    if (!p) {
      p = blobUrl(url).then((u) => {
        this.set(url, u)
        return u
      })
      p.catch(() => this.pending.delete(url))
      this.pending.set(url, p)
    }
    return p
  }
  clear() {
    const all = this.urls instanceof Map ? [...this.urls.values()] : Object.values(this.urls)
    for (const u of all) URL.revokeObjectURL(u)
    if (this.urls instanceof Map) this.urls.clear()
    else for (const k of Object.keys(this.urls)) delete this.urls[k]
    this.pending.clear()
  }
}

/** What to say about a refused upload: the server's own message (in the UI's language), else by its status. */
export function uploadErrorText(e: unknown): string {
  const t = (k: string) => i18n.global.t(k)
  if (e instanceof ApiError) {
    if (e.status === 0) return t('error.network')
    return e.message || t(refusalKey(e.status))
  }
  return t('error.network')
}

/** Saves a staff file under its own name (documents: Word and Excel files do not open in a tab). */
export async function downloadAttachment(a: Pick<Attachment, 'url' | 'name'>): Promise<void> {
  const u = await blobUrl(a.url)
  const link = document.createElement('a')
  link.href = u
  link.download = a.name
  document.body.appendChild(link)
  link.click()
  link.remove()
  setTimeout(() => URL.revokeObjectURL(u), 10_000)
}
