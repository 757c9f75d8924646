// Printing: the 受理回执, the 不予受理告知单 and the case sheet, each an A4 page in Chinese without the staff menu,
// opened from the case page, with a 打印 button that prints.
import { test, expect, login } from './fixtures'
import { apiAct, apiGet, apiToken, newCase } from './api'
import type { Page } from '@playwright/test'

/** A print page has the document and its toolbar, and nothing of the staff layout. */
async function expectStandalone(p: Page) {
  await expect(p.getByTestId('print-sheet')).toBeVisible()
  await expect(p.getByTestId('print-button')).toBeVisible()
  await expect(p.getByTestId('menu-workbench')).toHaveCount(0)
  await expect(p.getByTestId('user-menu')).toHaveCount(0)
  await expect(p.getByTestId('bell')).toHaveCount(0)
  await expect(p.locator('.el-menu')).toHaveCount(0)
}

/** 打印 calls the browser's print (replaced here, to count the calls), and the toolbar does not print. */
async function expectPrints(p: Page) {
  await p.evaluate(() => {
    const w = window as Window & { __printed?: number }
    w.__printed = 0
    window.print = () => {
      w.__printed = (w.__printed ?? 0) + 1
    }
  })
  await p.getByTestId('print-button').click()
  expect(await p.evaluate(() => (window as Window & { __printed?: number }).__printed)).toBe(1)
  await p.emulateMedia({ media: 'print' })
  await expect(p.getByTestId('print-toolbar')).toBeHidden()
  await expect(p.getByTestId('print-sheet')).toBeVisible()
  await p.emulateMedia({ media: 'screen' })
}

const today = () => {
  const [y, m, d] = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date()).split('-')
  return `${y}年${Number(m)}月${Number(d)}日`
}

test('the 受理回执 states the number, what was registered, the limits and how to track it', async ({ page }) => {
  const clerk = await apiToken(page.request, 'clerk')
  const phone = `137${String(Date.now()).slice(-8)}`
  let c = await newCase(page.request, clerk, { reporter: { name: '钱先生', phone }, title: '路灯不亮', description: '金桥社区文昌路 20 号门前路灯连续一周不亮，夜间行人看不清路。' })
  c = await apiAct(page.request, clerk, c, 'accept')

  await login(page, 'clerk')
  await page.goto(`/cases/${c.id}`)
  await expect(page.getByTestId('case-number')).toHaveText(c.number)
  await expect(page.getByTestId('print-notice')).toHaveCount(0)
  const [receipt] = await Promise.all([page.waitForEvent('popup'), page.getByTestId('print-receipt').click()])
  await expect(receipt).toHaveURL(new RegExp(`/print/receipt/${c.id}$`))
  await expectStandalone(receipt)
  await expect(receipt.locator('h1')).toHaveText('受理回执')
  await expect(receipt.getByTestId('r-number')).toHaveText(c.number)
  await expect(receipt.getByTestId('r-reporter')).toHaveText('钱先生')
  await expect(receipt.getByTestId('r-phone')).toHaveText(phone)
  await expect(receipt.getByTestId('r-content')).toHaveText('金桥社区文昌路 20 号门前路灯连续一周不亮，夜间行人看不清路。')
  await expect(receipt.getByTestId('r-time')).toHaveText(/^\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}$/)
  await expect(receipt.getByTestId('r-center')).toHaveText(c.hub_name)
  // The clocks the case runs under, as its rules set them.
  const view = await apiGet<{ limits: { sign: { unit: string; value: number }; handle: { unit: string; value: number } } }>(page.request, clerk, `/cases/${c.id}`)
  expect(view.limits.handle.unit).toBe('working_days')
  await expect(receipt.getByTestId('r-limits')).toContainText(`签收后 ${view.limits.handle.value} 个工作日 内办结`)
  // How to track it: the portal, the number, the registered phone.
  const track = receipt.getByTestId('r-track')
  await expect(track).toContainText(`${new URL(page.url()).origin}/portal`)
  await expect(track).toContainText(c.number)
  await expect(track).toContainText(phone)
  await expect(receipt.getByTestId('r-date')).toHaveText(today())
  await expectPrints(receipt)
  await receipt.close()
})

test('the 不予受理告知单 gives the reason, the date and the center', async ({ page }) => {
  const clerk = await apiToken(page.request, 'clerk')
  let c = await newCase(page.request, clerk, { title: '咨询个人所得税汇算', description: '市民来电咨询个人所得税年度汇算如何办理，属于税务咨询。' })
  c = await apiAct(page.request, clerk, c, 'reject', { reason: '属税务部门职责，请拨打 12366 咨询' })
  expect(c.status).toBe('rejected')

  await login(page, 'clerk')
  await page.goto(`/cases/${c.id}`)
  await expect(page.getByTestId('print-receipt')).toHaveCount(0)
  const [notice] = await Promise.all([page.waitForEvent('popup'), page.getByTestId('print-notice').click()])
  await expectStandalone(notice)
  await expect(notice.locator('h1')).toHaveText('不予受理告知单')
  await expect(notice.getByTestId('n-number')).toHaveText(c.number)
  await expect(notice.getByTestId('n-reason')).toHaveText('属税务部门职责，请拨打 12366 咨询')
  await expect(notice.getByTestId('n-date')).toHaveText(today())
  await expect(notice.getByTestId('n-center')).toHaveText(c.hub_name)
  await expect(notice.getByTestId('n-signer')).toContainText(c.hub_name)
  await expect(notice.getByTestId('print-sheet')).toContainText('周女士')
  await expectPrints(notice)
  await notice.close()

  // A case that was not rejected has no notice: the page says so instead of printing one.
  let other = await newCase(page.request, clerk)
  other = await apiAct(page.request, clerk, other, 'accept')
  await page.goto(`/print/notice/${other.id}`)
  await expect(page.getByTestId('print-error')).toContainText('未作不予受理')
  await expect(page.getByTestId('print-button')).toBeDisabled()
})

test('the case sheet prints every field and the whole timeline', async ({ page }) => {
  const [clerk, dispatcher] = [await apiToken(page.request, 'clerk'), await apiToken(page.request, 'dispatcher')]
  let c = await newCase(page.request, clerk, { title: '小区门口占道经营' })
  c = await apiAct(page.request, clerk, c, 'accept', { opinion: '诉求清楚，予以受理' })
  c = await apiAct(page.request, dispatcher, c, 'dispatch', { unit: 'cgj', opinion: '请核实处理' })
  const events = await apiGet<unknown[]>(page.request, dispatcher, `/cases/${c.id}/events`)

  await login(page, 'dispatcher')
  await page.goto(`/cases/${c.id}`)
  const [sheet] = await Promise.all([page.waitForEvent('popup'), page.getByTestId('print-case').click()])
  await expectStandalone(sheet)
  await expect(sheet.locator('h1')).toHaveText('工单处理单')
  await expect(sheet.getByTestId('s-number')).toHaveText(c.number)
  await expect(sheet.getByTestId('s-title')).toHaveText('小区门口占道经营')
  await expect(sheet.getByTestId('s-status')).toContainText('待签收')
  await expect(sheet.getByTestId('s-unit')).toHaveText('城管局')
  await expect(sheet.getByTestId('s-reporter')).toHaveText('周女士')
  for (const label of ['诉求分类', '紧急程度', '联系电话', '事发地点', '受理中心', '签收时限', '办理时限', '回访时限', '答复内容', '满意度']) {
    await expect(sheet.getByTestId('s-fields').locator('th', { hasText: label }).first()).toBeVisible()
  }
  const rows = sheet.getByTestId('s-event')
  await expect(rows).toHaveCount(events.length)
  await expect(sheet.getByTestId('s-timeline')).toContainText('意见：请核实处理')
  await expect(sheet.getByTestId('s-timeline')).toContainText('主办单位：城管局')
  await expect(sheet.getByTestId('s-timeline')).not.toContainText(/\d{4}-\d{2}-\d{2}T/)
  await expectPrints(sheet)
  await sheet.close()
})
