import { describe, expect, it } from 'vitest'
import {
  MAX_FILE_BYTES, STEPS, fmtLocation, mayPublish, withoutFieldPrefix, humanSize, isImage, oversized, pendingFile, percent, refusalKey, stepForAction, stepKey, typeLabel, uploadPending,
} from '../../src/utils/attachments'
import type { PendingFile } from '../../src/utils/attachments'
import zh from '../../src/i18n/zh'
import en from '../../src/i18n/en'

describe('humanSize', () => {
  it('says bytes under a kilobyte as bytes', () => {
    expect(humanSize(0)).toBe('0 B')
    expect(humanSize(980)).toBe('980 B')
    expect(humanSize(1023)).toBe('1023 B')
  })
  it('uses 1024-based units with one decimal under 100, none from 100', () => {
    expect(humanSize(1024)).toBe('1 KB')
    expect(humanSize(12_595)).toBe('12.3 KB')
    expect(humanSize(150 * 1024)).toBe('150 KB')
    expect(humanSize(4.5 * 1024 * 1024)).toBe('4.5 MB')
    expect(humanSize(MAX_FILE_BYTES)).toBe('10 MB')
    expect(humanSize(3 * 1024 ** 3)).toBe('3 GB')
  })
  it('has a dash for what is not a size', () => {
    expect(humanSize(null)).toBe('—')
    expect(humanSize(undefined)).toBe('—')
    expect(humanSize(-1)).toBe('—')
    expect(humanSize(Number.NaN)).toBe('—')
  })
})

describe('steps', () => {
  it('labels every step in both languages, unknown steps as other', () => {
    for (const s of STEPS) {
      expect((zh.attachments.steps as Record<string, string>)[s], s).toBeTruthy()
      expect((en.attachments.steps as Record<string, string>)[s], s).toBeTruthy()
    }
    expect(stepKey('resolve')).toBe('attachments.steps.resolve')
    expect(stepKey('follow_up')).toBe('attachments.steps.follow_up')
    expect(stepKey('something_new')).toBe('attachments.steps.other')
    expect(stepKey(null)).toBe('attachments.steps.other')
    expect(zh.attachments.steps.resolve).toBe('办结')
    expect(zh.attachments.steps.return).toBe('退回')
    expect(zh.attachments.steps.follow_up).toBe('回访')
    expect(zh.attachments.steps.extension).toBe('延期')
  })
  it('files an action’s files under its step; actions without files have none', () => {
    expect(stepForAction('resolve')).toBe('resolve')
    expect(stepForAction('answer')).toBe('resolve')
    expect(stepForAction('return')).toBe('return')
    expect(stepForAction('follow_up')).toBe('follow_up')
    expect(stepForAction('request_extension')).toBe('extension')
    for (const a of ['accept', 'dispatch', 'sign', 'urge', 'decide_extension', null, undefined]) expect(stepForAction(a), String(a)).toBeNull()
  })
})

describe('isImage and typeLabel', () => {
  it('trusts the server’s kind first', () => {
    expect(isImage({ kind: 'image', content_type: 'application/pdf' })).toBe(true)
    expect(isImage({ kind: 'document', name: 'a.jpg' })).toBe(false)
  })
  it('falls back to the content type, then the name', () => {
    expect(isImage({ content_type: 'image/jpeg' })).toBe(true)
    expect(isImage({ type: 'image/webp' })).toBe(true)
    expect(isImage({ content_type: 'image/svg+xml' })).toBe(false)
    expect(isImage({ content_type: 'application/pdf' })).toBe(false)
    expect(isImage({ name: '现场.PNG' })).toBe(true)
    expect(isImage({ name: 'report.docx' })).toBe(false)
  })
  it('labels a document by its extension or content type', () => {
    expect(typeLabel({ name: '整改报告.docx' })).toBe('DOCX')
    expect(typeLabel({ name: 'scan', content_type: 'application/pdf' })).toBe('PDF')
    expect(typeLabel({ name: 'x', content_type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' })).toBe('XLSX')
    expect(typeLabel({ name: 'x', content_type: 'text/plain' })).toBe('TXT')
    expect(typeLabel({ name: 'x', content_type: 'application/ofd' })).toBe('OFD')
    expect(typeLabel({ name: 'x' })).toBe('—')
  })
})

describe('refusals and limits', () => {
  it('explains a refusal by status when the server gave no message', () => {
    expect(refusalKey(413)).toBe('attachments.tooLarge')
    expect(refusalKey(415)).toBe('attachments.badType')
    expect(refusalKey(422)).toBe('attachments.tooMany')
    expect(refusalKey(500)).toBe('attachments.uploadFailed')
    for (const k of ['tooLarge', 'badType', 'tooMany', 'uploadFailed', 'notFound']) {
      expect((zh.attachments as Record<string, unknown>)[k], k).toBeTruthy()
      expect((en.attachments as Record<string, unknown>)[k], k).toBeTruthy()
    }
  })
  it('finds files over the limit before they are sent', () => {
    expect(oversized([{ name: 'a.jpg', size: 1 }, { name: 'big.jpg', size: MAX_FILE_BYTES + 1 }, { name: 'edge.jpg', size: MAX_FILE_BYTES }])).toEqual(['big.jpg'])
  })
  it('shows progress as a whole percentage', () => {
    expect(percent(0, 0)).toBe(0)
    expect(percent(50, 200)).toBe(25)
    expect(percent(300, 200)).toBe(100)
  })
  it('writes an EXIF location to five decimals', () => {
    expect(fmtLocation({ lat: 31.230416, lon: 121.473701 })).toBe('31.23042, 121.47370')
    expect(fmtLocation(null)).toBe('')
  })
})

describe('uploadPending', () => {
  const file = (name: string) => ({ name, size: 3, type: 'image/png' }) as unknown as File

  it('sends the files in order, marks each, and does not send a done file again', async () => {
    const list: PendingFile[] = [pendingFile(file('a.png')), pendingFile(file('b.png')), pendingFile(file('c.png'))]
    const sent: string[] = []
    const progress: number[] = []
    const failed = await uploadPending(
      list,
      async (f, onProgress) => {
        sent.push(f.name)
        onProgress(50)
        progress.push(list.find((p) => p.file === f)!.progress)
        if (f.name === 'b.png') throw Object.assign(new Error('x'), { status: 415 })
        return { id: f.name }
      },
      () => '不支持的文件类型',
    )
    expect(failed).toBe(1)
    expect(sent).toEqual(['a.png', 'b.png', 'c.png'])
    expect(progress).toEqual([50, 50, 50])
    expect(list.map((p) => p.status)).toEqual(['done', 'error', 'done'])
    expect(list[1].error).toBe('不支持的文件类型')
    expect(list[0].progress).toBe(100)

    // A second try sends only what failed.
    sent.length = 0
    const done: string[] = []
    expect(await uploadPending(list, async (f) => (sent.push(f.name), { id: f.name }), () => '', (r) => done.push(r.id))).toBe(0)
    expect(sent).toEqual(['b.png'])
    expect(done).toEqual(['b.png'])
    expect(list[1].error).toBe('')
  })

  it('gives every chosen file a key of its own', () => {
    const a = pendingFile(file('same.png'))
    const b = pendingFile(file('same.png'))
    expect(a.key).not.toBe(b.key)
    expect(a.status).toBe('pending')
  })
})

describe('mayPublish', () => {
  const units = [
    { code: 'district', parent: null, kind: 'hub' },
    { code: 'street1', parent: 'district', kind: 'hub' },
    { code: 'street2', parent: 'district', kind: 'hub' },
    { code: 'cgj', parent: 'district', kind: 'department' },
  ]
  const c = { unit: 'cgj', hub: 'street1' }
  it('lets the handling unit, the hub that took the case and the hubs above it, and admins', () => {
    expect(mayPublish({ role: 'handler', unit: 'cgj' }, c, units)).toBe(true)
    expect(mayPublish({ role: 'dispatcher', unit: 'street1' }, c, units)).toBe(true)
    expect(mayPublish({ role: 'dispatcher', unit: 'district' }, c, units)).toBe(true)
    expect(mayPublish({ role: 'admin', unit: null }, c, units)).toBe(true)
  })
  it('refuses another street, a department that does not handle it, and nobody', () => {
    expect(mayPublish({ role: 'handler', unit: 'street2' }, c, units)).toBe(false)
    expect(mayPublish({ role: 'handler', unit: 'cgj' }, { unit: 'other', hub: 'street1' }, units)).toBe(false)
    expect(mayPublish(null, c, units)).toBe(false)
    expect(mayPublish({ role: 'citizen', unit: 'cgj' }, c, units)).toBe(false)
  })
})

describe('withoutFieldPrefix', () => {
  it('drops the field code the server puts in front of a field’s message, in both languages', () => {
    expect(withoutFieldPrefix('字段 evidence：该类事项办结须上传办结照片等佐证材料', 'evidence')).toBe('该类事项办结须上传办结照片等佐证材料')
    expect(withoutFieldPrefix('field evidence: attach a photo first', 'evidence')).toBe('attach a photo first')
    expect(withoutFieldPrefix('字段 reply：必填', 'evidence')).toBe('字段 reply：必填')
    expect(withoutFieldPrefix('plain', null)).toBe('plain')
  })
})
