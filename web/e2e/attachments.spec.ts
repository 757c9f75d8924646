// Attachments (issue 23): a citizen sends a photo from a phone with the request and sees it when tracking; a
// handler resolving a case of a category that needs evidence is refused without a photo, in place, and resolves
// with one; the photo is on the case page with its step and where it was taken; another street's handler gets 404.
// The pictures are made here: small PNGs (one with an EXIF GPS block in an eXIf chunk, as a phone would write).
import { deflateSync } from 'node:zlib'
import { test, expect, login, openCase, expectStatus, expectMessage, freshPhone, pickPlace, pickRegion, allowConsoleError } from './fixtures'
import { apiAct, apiGet, apiToken, newCase } from './api'
import type { ApiCase } from './api'

// ---- tiny real pictures
const CRC_TABLE = (() => {
  const t = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    t[n] = c >>> 0
  }
  return t
})()
function crc32(b: Buffer): number {
  let c = 0xffffffff
  for (const x of b) c = CRC_TABLE[(c ^ x) & 0xff] ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}
function chunk(kind: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4)
  len.writeUInt32BE(data.length)
  const body = Buffer.concat([Buffer.from(kind, 'ascii'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(body))
  return Buffer.concat([len, body, crc])
}
/** A little-endian TIFF block with one GPS IFD: latitude and longitude as degrees/minutes/seconds rationals. */
function gpsTiff(lat: number, lon: number): Buffer {
  const b = Buffer.alloc(8 + 2 + 12 + 4 + 2 + 4 * 12 + 4 + 48)
  b.write('II', 0, 'ascii')
  b.writeUInt16LE(42, 2)
  b.writeUInt32LE(8, 4)
  // IFD0: one entry, GPSInfo → the GPS IFD.
  b.writeUInt16LE(1, 8)
  const gpsAt = 8 + 2 + 12 + 4
  b.writeUInt16LE(0x8825, 10)
  b.writeUInt16LE(4, 12)
  b.writeUInt32LE(1, 14)
  b.writeUInt32LE(gpsAt, 18)
  b.writeUInt32LE(0, 22)
  const dataAt = gpsAt + 2 + 4 * 12 + 4
  b.writeUInt16LE(4, gpsAt)
  const entry = (i: number, tag: number, type: number, count: number, value: (at: number) => void) => {
    const at = gpsAt + 2 + i * 12
    b.writeUInt16LE(tag, at)
    b.writeUInt16LE(type, at + 2)
    b.writeUInt32LE(count, at + 4)
    value(at + 8)
  }
  const dms = (v: number, at: number) => {
    const d = Math.floor(v)
    const m = Math.floor((v - d) * 60)
    const s = Math.round(((v - d) * 60 - m) * 60 * 1000)
    for (const [i, [num, den]] of [[d, 1], [m, 1], [s, 1000]].entries()) {
      b.writeUInt32LE(num, at + i * 8)
      b.writeUInt32LE(den, at + i * 8 + 4)
    }
  }
  entry(0, 1, 2, 2, (at) => b.write(lat >= 0 ? 'N\0' : 'S\0', at, 'ascii'))
  entry(1, 2, 5, 3, (at) => b.writeUInt32LE(dataAt, at))
  entry(2, 3, 2, 2, (at) => b.write(lon >= 0 ? 'E\0' : 'W\0', at, 'ascii'))
  entry(3, 4, 5, 3, (at) => b.writeUInt32LE(dataAt + 24, at))
  b.writeUInt32LE(0, gpsAt + 2 + 4 * 12)
  dms(Math.abs(lat), dataAt)
  dms(Math.abs(lon), dataAt + 24)
  return b
}
/** A w×h RGB PNG of coloured bands (something to see in a thumbnail), with an EXIF GPS block when asked. */
function png(w: number, h: number, colours: [number, number, number][], gps?: { lat: number; lon: number }): Buffer {
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(w, 0)
  ihdr.writeUInt32BE(h, 4)
  ihdr[8] = 8 // bit depth
  ihdr[9] = 2 // RGB
  const raw = Buffer.alloc((w * 3 + 1) * h)
  for (let y = 0; y < h; y++) {
    const [r, g, bl] = colours[Math.floor((y * colours.length) / h)]
    for (let x = 0; x < w; x++) {
      const at = y * (w * 3 + 1) + 1 + x * 3
      const shade = x / w < 0.5 ? 1 : 0.8
      raw[at] = Math.round(r * shade)
      raw[at + 1] = Math.round(g * shade)
      raw[at + 2] = Math.round(bl * shade)
    }
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    ...(gps ? [chunk('eXIf', gpsTiff(gps.lat, gps.lon))] : []),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ])
}
const STREET = png(96, 72, [[120, 160, 210], [90, 90, 90], [200, 180, 120]], { lat: 30.2741, lon: 120.1551 })
const AFTER = png(96, 72, [[120, 160, 210], [70, 140, 80], [200, 200, 200]], { lat: 30.2742, lon: 120.1553 })
const ANOTHER = png(64, 64, [[220, 120, 60], [60, 60, 60]])

/** Whether an <img> inside `el` has loaded a real picture. */
const loaded = (el: Element) => {
  const img = el.tagName === 'IMG' ? (el as HTMLImageElement) : el.querySelector('img')
  return !!img && img.complete && img.naturalWidth > 0
}

test.describe('on a phone', () => {
  test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true })

  test('a citizen attaches a photo to a request and sees it when tracking', async ({ page }) => {
    const phone = freshPhone()
    await page.goto('/portal')
    await page.getByTestId('p-name').fill('钱先生')
    await page.getByTestId('p-phone').fill(phone)
    await pickPlace(page, 'p-region', '金桥社区')
    await page.getByTestId('p-address').fill('临江区临江街道金桥社区滨江路 66 号')
    await page.getByTestId('p-description').fill('滨江路 66 号门口的路灯坏了一周，晚上一片漆黑，老人走路不安全，附现场照片。')
    // On a phone there is a camera button beside the picker; the test chooses a file from the album.
    await expect(page.getByTestId('p-photos-camera')).toBeVisible()
    await page.getByTestId('p-photos-input').setInputFiles({ name: '路灯.png', mimeType: 'image/png', buffer: STREET })
    await expect(page.getByTestId('p-photos-item')).toHaveCount(1)
    await expect(page.getByTestId('p-photos-item')).toContainText('路灯.png')
    await page.screenshot({ path: '/tmp/att-portal-submit.png', fullPage: true })
    await page.getByTestId('p-submit').click()

    await expect(page.getByTestId('portal-receipt')).toBeVisible()
    const number = (await page.getByTestId('receipt-number').textContent())!.trim()
    await expect(page.getByTestId('receipt-photos')).toHaveAttribute('data-state', 'done')
    await expect(page.getByTestId('receipt-photos')).toContainText('已上传 1 张照片')

    await page.getByTestId('receipt-track').click()
    await expect(page.getByTestId('track-result')).toBeVisible()
    const thumbs = page.getByTestId('portal-photos').getByTestId('portal-thumb')
    await expect(thumbs).toHaveCount(1)
    await expect.poll(() => thumbs.first().evaluate(loaded)).toBe(true)

    // Another photo from the tracking page.
    await page.getByTestId('portal-add-photo-input').setInputFiles({ name: '另一角度.png', mimeType: 'image/png', buffer: ANOTHER })
    await expect(page.getByTestId('portal-photo-added')).toBeVisible()
    await expect(thumbs).toHaveCount(2)
    // Tracking again shows both: they are the server's, not the page's memory.
    await page.getByTestId('t-submit').click()
    await expect(thumbs).toHaveCount(2)
    await expect.poll(() => thumbs.nth(1).evaluate(loaded)).toBe(true)
    await page.getByTestId('portal-photos').scrollIntoViewIfNeeded()
    await page.screenshot({ path: '/tmp/att-portal-track.png', fullPage: true })

    // What the public is served carries no EXIF location.
    const r = await page.request.get(`/api/v1/portal/cases/${number}`, { params: { phone } })
    expect(r.status()).toBe(200)
    const tracked = (await r.json()) as { attachments: { public_url: string; public_thumbnail_url: string }[] }
    expect(tracked.attachments).toHaveLength(2)
    const served = await page.request.get(tracked.attachments[0].public_url)
    expect(served.status()).toBe(200)
    const bytes = await served.body()
    expect(bytes.includes(Buffer.from('eXIf')), 'public bytes keep no EXIF block').toBe(false)

    // The staff see the photo with where it was taken.
    const clerk = await apiToken(page.request, 'clerk')
    const found = await apiGet<{ items: ApiCase[] }>(page.request, clerk, `/cases?number=${number}`)
    const list = await apiGet<{ name: string; source: string; step: string; location: { lat: number; lon: number } | null }[]>(
      page.request,
      clerk,
      `/cases/${found.items[0].id}/attachments`,
    )
    const first = list.find((a) => a.name === '路灯.png')
    expect(first?.source).toBe('citizen')
    expect(first?.location?.lat).toBeCloseTo(30.2741, 3)
  })
})

test('a handler resolves with evidence: refused without a photo, in place; with one, done and shown', async ({ page }) => {
  test.setTimeout(180_000)
  // A case of 城市管理/市容环境 (the demo's evidence policy covers it), taken as far as the handler's 签收 by the API.
  const dispatcher = await apiToken(page.request, 'dispatcher')
  let c: ApiCase = await newCase(page.request, dispatcher, {
    title: '文昌路绿化带堆放建筑垃圾',
    description: '市民来电反映：文昌路 20 号旁绿化带里堆了一堆建筑垃圾，已经一个多星期没人清理，影响市容。',
    category: '城市管理/市容环境',
    reporter: { name: '孙女士', phone: freshPhone() },
  })
  c = await apiAct(page.request, dispatcher, c, 'accept')
  c = await apiAct(page.request, dispatcher, c, 'dispatch', { unit: 'cgj' })
  const handler = await apiToken(page.request, 'handler')
  c = await apiAct(page.request, handler, c, 'sign')

  // The refusals this test provokes (no evidence: 422; a file that is not what its name says: 415).
  allowConsoleError(page, /status of (415|422)/)
  await login(page, 'handler')
  await openCase(page, c.number)
  await expectStatus(page, 'in_progress')
  const panel = page.getByTestId('attachments-panel')
  await expect(panel.getByTestId('att-empty')).toBeVisible()

  await test.step('resolving without a photo is refused in the dialog, beside the picker', async () => {
    await page.getByTestId('act-resolve').click()
    const dialog = page.getByRole('dialog')
    await dialog.getByTestId('reply').fill('已安排环卫作业队清运建筑垃圾，绿化带已恢复原貌。')
    await dialog.getByTestId('action-submit').click()
    await expect(dialog.getByTestId('action-files-error')).toHaveText('该类事项办结须上传办结照片等佐证材料')
    await expect(dialog).toBeVisible()
    await page.screenshot({ path: '/tmp/att-resolve-refused.png' })

    await dialog.getByTestId('action-files-input').setInputFiles({ name: '整改后.png', mimeType: 'image/png', buffer: AFTER })
    await expect(dialog.getByTestId('action-files-item')).toHaveCount(1)
    await page.screenshot({ path: '/tmp/att-resolve-with-photo.png' })
    await dialog.getByTestId('action-submit').click()
    await expect(dialog).toBeHidden()
    await expectMessage(page, /成功/)
    await expectStatus(page, 'resolved')
  })

  await test.step('the photo is on the case page: its step, who sent it, where it was taken', async () => {
    const tile = panel.getByTestId('att-image').filter({ hasText: '整改后.png' })
    await expect(tile).toHaveCount(1)
    await expect(tile.getByTestId('att-step-tag')).toHaveText('办结')
    await expect(tile).toContainText('张伟')
    await expect(tile.getByTestId('att-location')).toContainText('30.274')
    await expect.poll(() => tile.getByTestId('att-thumb').evaluate(loaded)).toBe(true)
    // The preview opens the picture full size.
    await tile.getByTestId('att-thumb').locator('img').click()
    await expect(page.locator('.el-image-viewer__wrapper')).toBeVisible()
    await page.keyboard.press('Escape')
    await expect(page.locator('.el-image-viewer__wrapper')).toBeHidden()
  })

  await test.step('the handling unit publishes it; a refused file says why', async () => {
    const tile = panel.getByTestId('att-image').filter({ hasText: '整改后.png' })
    await tile.getByTestId('att-public').click()
    await expectMessage(page, '整改后.png 已公开', 'success')
    // A document goes to the list with its type and size; a file that is not what its name says is refused.
    await panel.getByTestId('att-upload-input').setInputFiles([
      { name: '整改说明.txt', mimeType: 'text/plain', buffer: Buffer.from('整改说明：建筑垃圾已清运，已纳入日常巡查。\n', 'utf8') },
      { name: '伪装.pdf', mimeType: 'application/pdf', buffer: Buffer.from([0x4d, 0x5a, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04, 0x00]) },
    ])
    await expect(panel.getByTestId('att-documents')).toContainText('整改说明.txt')
    await expect(panel.getByTestId('att-documents')).toContainText('TXT')
    await expect(panel.getByTestId('att-upload-error')).toContainText('不支持的文件类型')
    await expect(panel.getByTestId('att-upload-item').filter({ hasText: '伪装.pdf' })).toHaveAttribute('data-status', 'error')
    await panel.scrollIntoViewIfNeeded()
    await panel.screenshot({ path: '/tmp/att-case-panel.png' })
  })

  await test.step('the citizen sees the published photo; another street’s handler gets 404 for the file', async () => {
    const list = await apiGet<{ id: string; name: string; url: string; public: boolean }[]>(page.request, handler, `/cases/${c.id}/attachments`)
    const photo = list.find((a) => a.name === '整改后.png')!
    expect(photo.public).toBe(true)
    const other = await apiToken(page.request, 'street2_handler')
    const auth = { Authorization: `Bearer ${other}` }
    expect((await page.request.get(photo.url, { headers: auth })).status()).toBe(404)
    expect((await page.request.get(`/api/v1/cases/${c.id}/attachments`, { headers: auth })).status()).toBe(404)
    expect((await page.request.get(photo.url, { headers: { Authorization: `Bearer ${handler}` } })).status()).toBe(200)
  })
})

test('a clerk registers a call with the caller’s photo: it is on the new case as an intake file', async ({ page }) => {
  await login(page, 'clerk')
  await page.getByTestId('menu-intake').click()
  await page.getByLabel('诉求人').fill('李先生')
  await page.getByLabel('联系电话').fill(freshPhone())
  await pickRegion(page, 'in-region', '金桥社区')
  await page.getByLabel('详细地址').fill('临江区临江街道金桥社区滨江路 30 号')
  await page.getByLabel('诉求内容').fill('滨江路 30 号门口的窨井盖破损下陷，来人带来了现场照片，请尽快处理。')
  await page.getByTestId('in-files-input').setInputFiles({ name: '井盖.png', mimeType: 'image/png', buffer: ANOTHER })
  await expect(page.getByTestId('in-files-item')).toHaveCount(1)
  await page.getByTestId('in-register').click()
  await expect(page).toHaveURL(/\/cases\//)
  const tile = page.getByTestId('attachments-panel').getByTestId('att-image').filter({ hasText: '井盖.png' })
  await expect(tile.getByTestId('att-step-tag')).toHaveText('受理')
  await expect(tile).toContainText('王芳')
  await expect.poll(() => tile.getByTestId('att-thumb').evaluate(loaded)).toBe(true)
})
