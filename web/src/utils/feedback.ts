// The one way pages tell the user what happened: success, refusal, conflict. Element Plus's message and
// message box are imported here together with their styles — imported by hand anywhere else, they bypass the
// on-demand style import and render unstyled, in the page flow, below the viewport, where nobody sees them.
// A unit test (tests/unit/feedback.test.ts) fails when a page imports them directly.
import { ElMessage, ElMessageBox } from 'element-plus'
import 'element-plus/es/components/message/style/css'
import 'element-plus/es/components/message-box/style/css'
import { ApiError } from '../api/http'
import { i18n } from '../i18n'

const t = (key: string, params?: Record<string, unknown>) => i18n.global.t(key, params ?? {})

/** How long a message stays: long enough to read a sentence of Chinese. */
const DURATION = 4000

function show(type: 'success' | 'warning' | 'error' | 'info', message: string) {
  ElMessage({ type, message, duration: type === 'error' ? 6000 : DURATION, showClose: type !== 'success', grouping: true })
}

export const notify = {
  success: (message: string) => show('success', message),
  warning: (message: string) => show('warning', message),
  error: (message: string) => show('error', message),
  info: (message: string) => show('info', message),
}

/**
 * What to say about a failed request, in the UI's language: the server's own message (it answers in the language
 * the UI asks for), or for a conflict the standing instruction to reload, or a network failure.
 */
export function errorText(e: unknown): string {
  if (e instanceof ApiError) {
    if (e.status === 409 && e.code === 'stale_version') return t('common.staleVersion')
    if (e.status === 403 && !e.message) return t('error.forbidden')
    return e.message || `HTTP ${e.status}`
  }
  return t('error.network')
}

/** Shows a failed request on screen: 409 and 403 as warnings (someone else acted; not allowed), the rest as errors. */
export function notifyError(e: unknown) {
  const text = errorText(e)
  if (e instanceof ApiError && (e.status === 409 || e.status === 403 || e.status === 429)) notify.warning(text)
  else notify.error(text)
}

/** Asks before a consequential action; resolves true when confirmed. */
export async function confirmAction(message: string, title: string, opts: { danger?: boolean; confirmText?: string } = {}): Promise<boolean> {
  try {
    await ElMessageBox.confirm(message, title, {
      type: opts.danger ? 'warning' : 'info',
      confirmButtonText: opts.confirmText ?? t('common.confirm'),
      cancelButtonText: t('common.cancel'),
      confirmButtonClass: opts.danger ? 'el-button--danger' : undefined,
      distinguishCancelAndClose: true,
    })
    return true
  } catch {
    return false
  }
}
