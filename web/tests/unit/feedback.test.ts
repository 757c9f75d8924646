import { describe, expect, it } from 'vitest'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'

// Element Plus's message components imported by hand skip the on-demand style import: the message renders
// unstyled, in the page flow, below the viewport, and the user never sees it. Only utils/feedback.ts may
// import them (with their styles); pages use notify/notifyError/confirmAction.
function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f)
    return statSync(p).isDirectory() ? files(p) : /\.(vue|ts)$/.test(f) ? [p] : []
  })
}

describe('feedback', () => {
  it('no page imports ElMessage, ElMessageBox or ElNotification itself', () => {
    const src = join(__dirname, '../../src')
    const offenders = files(src)
      .filter((p) => !p.endsWith(join('utils', 'feedback.ts')))
      .filter((p) => /import\s*\{[^}]*\bEl(Message|MessageBox|Notification)\b[^}]*\}\s*from\s*'element-plus'/.test(readFileSync(p, 'utf8')))
    expect(offenders).toEqual([])
  })

  it('the feedback module imports the styles with the components', () => {
    const text = readFileSync(join(__dirname, '../../src/utils/feedback.ts'), 'utf8')
    expect(text).toContain("element-plus/es/components/message/style/css")
    expect(text).toContain("element-plus/es/components/message-box/style/css")
  })
})
