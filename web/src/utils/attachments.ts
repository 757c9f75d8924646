// Attachments (issue 23): what the UI needs to say about a file — its size in words people read, which step of the
// case it belongs to, whether it is shown as a picture — kept apart from the pages so that unit tests can hold them.

/** The steps a file can be attached at (the server's `step`), in the order the case page lists them. */
export const STEPS = ['intake', 'resolve', 'return', 'follow_up', 'extension', 'mediation', 'report', 'other'] as const
export type AttachmentStep = (typeof STEPS)[number]

/** The server's limits (crates/files): refused above these with 413 and 422; checked here first to save the upload. */
export const MAX_FILE_BYTES = 10 * 1024 * 1024
export const MAX_FILES_PER_CASE = 30

/** What the file picker offers: the types the server accepts by content (it checks the bytes, not this list). */
export const ACCEPT_FILES =
  'image/jpeg,image/png,image/gif,image/webp,application/pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.wps,.et,.dps,.ofd,.odt,.ods,.txt,' +
  'application/msword,application/vnd.ms-excel,application/vnd.openxmlformats-officedocument.wordprocessingml.document,' +
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,application/vnd.openxmlformats-officedocument.presentationml.presentation,text/plain'
export const ACCEPT_IMAGES = 'image/*'

/** A size in bytes as people read it: `980 B`, `12.3 KB`, `4.5 MB` (1024-based, one decimal under 100). */
export function humanSize(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes) || bytes < 0) return '—'
  if (bytes < 1024) return `${Math.round(bytes)} B`
  const units = ['KB', 'MB', 'GB', 'TB']
  let v = bytes / 1024
  let i = 0
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024
    i++
  }
  const s = v < 100 ? v.toFixed(1).replace(/\.0$/, '') : String(Math.round(v))
  return `${s} ${units[i]}`
}

/** The i18n key of a step's label (`attachments.steps.resolve` → 办结); unknown steps read as 其他. */
export function stepKey(step: string | null | undefined): string {
  return `attachments.steps.${STEPS.includes(step as AttachmentStep) ? step : 'other'}`
}

/**
 * The step a transition's files are attached at: 办结 (and 直接答复) evidence is `resolve`, 退回 `return`, 回访
 * `follow_up`, 延期申请 `extension`; null for an action that takes no files.
 */
export function stepForAction(action: string | null | undefined): AttachmentStep | null {
  switch (action) {
    case 'resolve':
    case 'answer':
      return 'resolve'
    case 'return':
      return 'return'
    case 'follow_up':
      return 'follow_up'
    case 'request_extension':
      return 'extension'
    default:
      return null
  }
}

const IMAGE_EXT = /\.(jpe?g|png|gif|webp)$/i

/** Whether a file is shown as a picture: the server's kind first, else its content type, else its name. */
export function isImage(f: { kind?: string | null; content_type?: string | null; type?: string | null; name?: string | null }): boolean {
  if (f.kind) return f.kind === 'image'
  const ct = (f.content_type ?? f.type ?? '').toLowerCase()
  if (ct) return /^image\/(jpeg|png|gif|webp)$/.test(ct)
  return IMAGE_EXT.test(f.name ?? '')
}

/** A short type label for a document: `PDF`, `DOCX`, `XLSX`, `TXT`… from the name, else the content type. */
export function typeLabel(f: { name?: string | null; content_type?: string | null }): string {
  const m = /\.([a-z0-9]{1,5})$/i.exec(f.name ?? '')
  if (m) return m[1].toUpperCase()
  const ct = (f.content_type ?? '').toLowerCase()
  const known: Record<string, string> = {
    'application/pdf': 'PDF',
    'application/msword': 'DOC',
    'application/vnd.ms-excel': 'XLS',
    'application/vnd.ms-powerpoint': 'PPT',
    'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'DOCX',
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'XLSX',
    'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'PPTX',
    'application/ofd': 'OFD',
    'application/vnd.oasis.opendocument.text': 'ODT',
    'application/vnd.oasis.opendocument.spreadsheet': 'ODS',
    'text/plain': 'TXT',
  }
  if (known[ct]) return known[ct]
  const sub = ct.split('/')[1]
  return sub ? sub.toUpperCase() : '—'
}

/** An EXIF location as text: `31.23041, 121.47370` (five decimals, about a metre); '' without one. */
export function fmtLocation(loc: { lat: number; lon: number } | null | undefined): string {
  if (!loc || !Number.isFinite(loc.lat) || !Number.isFinite(loc.lon)) return ''
  return `${loc.lat.toFixed(5)}, ${loc.lon.toFixed(5)}`
}

/**
 * The i18n key that explains a refusal of an upload when the server (or a proxy in front of it) gave no message
 * of its own: 413 too large, 415 type not allowed, 422 too many files.
 */
export function refusalKey(status: number): string {
  switch (status) {
    case 413:
      return 'attachments.tooLarge'
    case 415:
      return 'attachments.badType'
    case 422:
      return 'attachments.tooMany'
    case 404:
      return 'attachments.notFound'
    default:
      return 'attachments.uploadFailed'
  }
}

/** Files the picker should refuse before sending: larger than the limit (their names). */
export function oversized(files: { name: string; size: number }[], limit = MAX_FILE_BYTES): string[] {
  return files.filter((f) => f.size > limit).map((f) => f.name)
}

/** Upload progress as a whole percentage (0–100), from an XHR progress event's loaded/total. */
export function percent(loaded: number, total: number): number {
  if (!total || total <= 0) return 0
  return Math.max(0, Math.min(100, Math.round((loaded / total) * 100)))
}

/** A file chosen in a picker, waiting to be (or being, or having been) uploaded. */
export interface PendingFile {
  key: string
  file: File
  status: 'pending' | 'uploading' | 'done' | 'error'
  progress: number
  error: string
  /** An object URL of the local image for its thumbnail in the picker (revoked when removed). */
  preview: string
}

let seq = 0
/** A picker's entry for a chosen file; `preview` is made by the caller (URL.createObjectURL is not in node). */
export function pendingFile(file: File, preview = ''): PendingFile {
  seq += 1
  return { key: `${Date.now()}-${seq}-${file.name}`, file, status: 'pending', progress: 0, error: '', preview }
}

/**
 * Uploads the files not yet uploaded, one after another (a phone's upload link is narrow; the server's count limit
 * is then met in order), marking each done or failed with the message `describe` gives for its error. Files already
 * done are not sent again, so a second call after a failure sends only what is left. Answers the number that failed.
 */
export async function uploadPending<T>(
  list: PendingFile[],
  send: (file: File, onProgress: (pct: number) => void) => Promise<T>,
  describe: (e: unknown) => string,
  onDone?: (result: T, entry: PendingFile) => void,
): Promise<number> {
  let failed = 0
  for (const entry of list) {
    if (entry.status === 'done') continue
    entry.status = 'uploading'
    entry.progress = 0
    entry.error = ''
    try {
      const r = await send(entry.file, (p) => (entry.progress = p))
      entry.status = 'done'
      entry.progress = 100
      onDone?.(r, entry)
    } catch (e) {
      entry.status = 'error'
      entry.error = describe(e)
      failed += 1
    }
  }
  return failed
}

/**
 * Whether a user may publish or withdraw a case's files (the server's rule, app/src/attachments.rs): an admin, the
 * handling unit's staff, or the staff of the hub that took the case (or a hub above it).
 */
export function mayPublish(
  user: { role: string; unit: string | null } | null | undefined,
  c: { unit: string | null; hub: string },
  units: { code: string; parent: string | null; kind: string }[],
): boolean {
  if (!user || user.role === 'citizen') return false
  if (user.role === 'admin') return true
  if (!user.unit) return false
  if (c.unit === user.unit) return true
  const mine = units.find((u) => u.code === user.unit)
  if (!mine || mine.kind !== 'hub') return false
  const seen = new Set<string>()
  for (let at: string | null = c.hub; at && !seen.has(at); at = units.find((u) => u.code === at)?.parent ?? null) {
    if (at === user.unit) return true
    seen.add(at)
  }
  return false
}

/**
 * A server message shown under the field it names, without the field's code in front (`字段 evidence：…`,
 * `field evidence: …`): beside the picker the code says nothing to the reader.
 */
export function withoutFieldPrefix(message: string, field: string | null | undefined): string {
  if (!field) return message
  const esc = field.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  return message.replace(new RegExp(`^(字段\\s*${esc}\\s*[：:]|field\\s+${esc}\\s*:)\\s*`, 'i'), '')
}
