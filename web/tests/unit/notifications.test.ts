import { describe, expect, it } from 'vitest'
import zh from '../../src/i18n/zh'
import en from '../../src/i18n/en'
import { NOTIFICATION_KINDS, fmtEpoch, kindTag } from '../../src/utils/notifications'

describe('notifications', () => {
  it('labels every kind the server sends in both languages', () => {
    const kz = zh.notify.kinds as Record<string, string>
    const ke = en.notify.kinds as Record<string, string>
    for (const k of NOTIFICATION_KINDS) {
      expect(kz[k], k).toBeTruthy()
      expect(ke[k], k).toBeTruthy()
    }
  })
  it('colours what went wrong red and what presses orange', () => {
    expect(kindTag('returned')).toBe('danger')
    expect(kindTag('deadline_digest')).toBe('warning')
    expect(kindTag('dispatched')).toBe('primary')
    expect(kindTag('something_new')).toBe('primary')
  })
  it("writes a digest's deadline in the center's time, never as raw ISO or epoch", () => {
    // 2026-12-05 09:30 in Shanghai is 01:30 UTC.
    expect(fmtEpoch(Date.UTC(2026, 11, 5, 1, 30))).toBe('2026-12-05 09:30')
    expect(fmtEpoch(Date.UTC(2026, 11, 5, 16, 5))).toBe('2026-12-06 00:05')
    expect(fmtEpoch(null)).toBe('')
  })
})
