// 人民调解 (issue 20, item 5) in the UI: a dispatcher applies for mediation from a dispute's case page, accepts it,
// records a joint session with two departments at the table (一揽子调处), records a written agreement, sees the 30-day
// 司法确认 window and prints the 协议书; another dispute fails and is transferred to litigation (after a conflict with
// a step taken meanwhile by someone else, shown and reloaded); an administrator saves the risk settings and is refused
// a value out of range.
import { test, expect, login, expectMessage, freshPhone, openCase, allowConsoleError } from './fixtures'
import { apiGet, apiPost, apiToken, newCase } from './api'
import type { ApiCase } from './api'
import type { Locator, Page } from '@playwright/test'

/** `YYYY-MM-DD` in the center's time zone, `days` from today. */
function dayFromToday(days: number): string {
  return new Date(Date.now() + days * 86_400_000 + 8 * 3600_000).toISOString().slice(0, 10)
}
const cn = (iso: string) => {
  const [y, m, d] = iso.split('-')
  return `${y}年${Number(m)}月${Number(d)}日`
}

async function dispute(page: Page, title: string): Promise<{ c: ApiCase; phone: string }> {
  const clerk = await apiToken(page.request, 'clerk')
  const phone = freshPhone()
  const c = await newCase(page.request, clerk, {
    title,
    description: `${title}，双方多次争吵，请求调解`,
    nature: 'dispute',
    category: '邻里纠纷/相邻关系',
    reporter: { name: '王先生', phone },
  })
  return { c, phone }
}

/** From the case page: 申请调解 with the applicant (the reporter, proposed) and a respondent; lands on the new page. */
async function apply(page: Page, c: ApiCase, respondent: string) {
  await openCase(page, c.number)
  await page.getByTestId('apply-mediation').click()
  const dialog = page.getByTestId('mediation-apply')
  await expect(dialog).toBeVisible()
  const parties = dialog.getByTestId('ma-party')
  await expect(parties).toHaveCount(2)
  await expect(parties.nth(0).getByTestId('ma-name')).toHaveValue('王先生')
  // Checked before sending: the mediators are missing.
  await parties.nth(1).getByTestId('ma-name').fill(respondent)
  await parties.nth(1).getByTestId('ma-phone').fill('13933334444')
  await parties.nth(1).getByTestId('ma-rep').fill(`${respondent}之子`)
  await dialog.getByTestId('ma-submit').click()
  await expect(dialog).toContainText('请填写 1 至 5 名调解员')
  await dialog.getByTestId('ma-mediators').fill('调解员 张、调解员 陈')
  await dialog.getByTestId('ma-submit').click()
  await expectMessage(page, '已登记调解申请', 'success')
  await expect(page).toHaveURL(/\/mediations\/[0-9a-f-]{36}$/)
  await expect(page.getByTestId('m-case')).toHaveText(c.number)
  await expect(page.getByTestId('mediation-status').first()).toHaveAttribute('data-status', 'applied')
}

/** Takes a step through its dialog; `fill` fills it. The success message must be on screen. */
async function step(page: Page, action: string, label: string, fill?: (d: Locator) => Promise<void>) {
  await page.getByTestId(`m-act-${action}`).click()
  const dialog = page.getByTestId('mediation-dialog')
  await expect(dialog).toBeVisible()
  if (fill) await fill(dialog)
  await dialog.getByTestId('md-submit').click()
  await expect(dialog).toBeHidden()
  await expectMessage(page, `${label}：已保存`, 'success')
}

async function pickIn(page: Page, select: Locator, text: string) {
  await select.click()
  await page.locator('.el-select-dropdown:visible .el-select-dropdown__item', { hasText: text }).first().click()
}

async function fillDate(input: Locator, date: string) {
  await input.click()
  await input.fill(date)
  await input.press('Enter')
}

test('a dispute goes from application on its case page to a written agreement, its 司法确认 window and the printed 协议书', async ({ page }) => {
  const { c } = await dispute(page, '楼上漏水纠纷')
  await login(page, 'dispatcher')
  await apply(page, c, '李女士')
  // The dispatcher sees the parties' phones in full; the case page now links to the mediation.
  await expect(page.getByTestId('m-party-phone').nth(1)).toHaveText('13933334444')

  await step(page, 'accept', '受理')
  await expect(page.getByTestId('mediation-status').first()).toHaveAttribute('data-status', 'mediating')

  // A joint session: two departments at the table, each with its commitment and deadline (一揽子调处).
  const due1 = dayFromToday(10)
  const due2 = dayFromToday(14)
  await step(page, 'session', '登记调解', async (d) => {
    await d.getByTestId('md-place').fill('金桥社区调解室')
    await expect(d.getByTestId('md-attendees')).toHaveValue(/王先生、李女士/)
    await d.getByTestId('md-record').fill('双方陈述事实；城管局说明楼顶防水属公共部位维修；住建局督促物业配合')
    // Checked before sending: a unit's row needs all three fields.
    await d.getByTestId('md-add-unit').click()
    await d.getByTestId('md-submit').click()
    await expect(d.getByTestId('md-unit-row').first()).toContainText('单位为必填项')
    const rows = d.getByTestId('md-unit-row')
    await pickIn(page, rows.nth(0).getByTestId('md-unit'), '城管局')
    await rows.nth(0).getByTestId('md-commitment').fill('十日内修复楼顶防水')
    await fillDate(rows.nth(0).locator('.el-date-editor input'), due1)
    await d.getByTestId('md-add-unit').click()
    await pickIn(page, rows.nth(1).getByTestId('md-unit'), '住建局')
    await rows.nth(1).getByTestId('md-commitment').fill('督促物业两周内清理管道')
    await fillDate(rows.nth(1).locator('.el-date-editor input'), due2)
  })
  const units = page.getByTestId('m-session-units')
  await expect(units.locator('tbody tr')).toHaveCount(2)
  await expect(units).toContainText('城管局')
  await expect(units).toContainText('十日内修复楼顶防水')
  await expect(units).toContainText('住建局')
  await expect(units).toContainText(due2)

  // A written agreement: the 30-day window for 司法确认 starts.
  const perf = dayFromToday(20)
  await step(page, 'agree', '达成协议', async (d) => {
    await expect(d.getByTestId('md-form-written')).toHaveClass(/is-checked/)
    await d.getByTestId('md-terms').fill('李女士承担维修费 3000 元，于履行期限前付清；王先生配合入户维修')
    await fillDate(d.getByTestId('md-item-performance').locator('input'), perf)
  })
  await expect(page.getByTestId('mediation-status').first()).toHaveAttribute('data-status', 'agreed')
  await expect(page.getByTestId('m-form')).toHaveText('书面协议')
  const judicial = page.getByTestId('m-judicial')
  await expect(judicial).toHaveAttribute('data-state', 'open')
  await expect(judicial).toContainText(`还剩 29 天（${dayFromToday(30)} 前）`)
  const m = await apiGet<{ id: string; judicial_days_left: number; judicial_due: string }>(page.request, await apiToken(page.request, 'dispatcher'), page.url().replace(/^.*\/mediations\//, '/mediations/'))
  expect(m.judicial_days_left).toBe(29)
  await expect(page.getByTestId('m-actions').getByTestId('m-act-judicial')).toBeVisible()
  await expect(page.getByTestId('m-timeline').locator('[data-action]')).toHaveCount(4)

  // The 协议书: A4, in Chinese, the parties, the dispute, the terms, the performance deadline, the signatures and the
  // 30-day 司法确认 notice.
  const [doc] = await Promise.all([page.waitForEvent('popup'), page.getByTestId('print-m-agreement').click()])
  await expect(doc.getByTestId('print-sheet')).toBeVisible()
  await expect(doc.getByTestId('menu-workbench')).toHaveCount(0)
  await expect(doc.locator('h1')).toHaveText('人民调解协议书')
  await expect(doc.getByTestId('mag-number')).toHaveText(c.number)
  await expect(doc.getByTestId('mag-party')).toHaveCount(2)
  await expect(doc.getByTestId('mag-parties')).toContainText('申请人')
  await expect(doc.getByTestId('mag-parties')).toContainText('被申请人')
  await expect(doc.getByTestId('mag-parties')).toContainText('李女士之子')
  await expect(doc.getByTestId('mag-dispute')).toContainText('楼上漏水纠纷')
  await expect(doc.getByTestId('mag-terms')).toHaveText('李女士承担维修费 3000 元，于履行期限前付清；王先生配合入户维修')
  await expect(doc.getByTestId('mag-performance')).toContainText(cn(perf))
  await expect(doc.getByTestId('mag-judicial')).toContainText('第三十三条')
  await expect(doc.getByTestId('mag-judicial')).toContainText(`三十日内（即 ${cn(dayFromToday(30))} 前）共同向人民法院申请司法确认`)
  await expect(doc.getByTestId('mag-signs')).toContainText('签名、盖章或按指印')
  await expect(doc.getByTestId('mag-seal')).toContainText('人民调解委员会（盖章）')
  await expect(doc.getByTestId('print-sheet')).not.toContainText(/\d{4}-\d{2}-\d{2}T/)
  await doc.close()

  // The session's 笔录 and the 告知书 print too.
  const [rec] = await Promise.all([page.waitForEvent('popup'), page.getByTestId('print-m-record').first().click()])
  await expect(rec.locator('h1')).toHaveText('人民调解调解笔录')
  await expect(rec.getByTestId('mrec-unit')).toHaveCount(2)
  await expect(rec.getByTestId('mrec-place')).toHaveText('金桥社区调解室')
  await rec.close()
  const [notice] = await Promise.all([page.waitForEvent('popup'), page.getByTestId('print-m-notice').click()])
  await expect(notice.locator('h1')).toHaveText('人民调解告知书')
  await expect(notice.getByTestId('mn-body')).toContainText('接受调解、拒绝调解或者要求终止调解')
  await notice.close()

  // The list: the mediation with its next deadline; the 司法确认临期 filter does not list it (29 days left).
  await page.getByTestId('menu-mediation').click()
  await page.getByTestId('mf-case').fill(c.number)
  await page.getByTestId('mf-search').click()
  const row = page.getByTestId('mediation-table').locator('tbody tr').filter({ hasText: c.number })
  await expect(row).toHaveCount(1)
  await expect(row.getByTestId('mediation-status')).toHaveText('达成协议')
  await expect(row.getByTestId('m-parties')).toContainText('被申请人：李女士')
  await expect(row.getByTestId('m-deadline')).toHaveAttribute('data-kind', 'commitment')
  await page.getByTestId('mf-judicial').click()
  await expect(page.getByTestId('mediation-table').locator('tbody tr').filter({ hasText: c.number })).toHaveCount(0)
})

test('a failed mediation is transferred to litigation; a step taken meanwhile by another is a conflict, shown', async ({ page }) => {
  const { c } = await dispute(page, '院墙界址纠纷')
  await login(page, 'dispatcher')
  await apply(page, c, '赵先生')
  await step(page, 'accept', '受理')

  // Someone else records a session meanwhile: this page's step is refused (409), said so, and the page reloaded.
  const other = await apiToken(page.request, 'supervisor')
  const id = page.url().replace(/^.*\/mediations\//, '')
  const now = await apiGet<{ version: number }>(page.request, other, `/mediations/${id}`)
  await apiPost(page.request, other, `/mediations/${id}/actions`, { action: 'session', version: now.version, place: '街道调解室', attendees: ['王先生', '赵先生'], record: '双方各执一词' })
  allowConsoleError(page, /status of 409/)
  await page.getByTestId('m-act-fail').click()
  const dialog = page.getByTestId('mediation-dialog')
  // Checked before sending: the route and the note are required.
  await dialog.getByTestId('md-submit').click()
  await expect(dialog).toContainText('调解不成去向为必填项')
  await dialog.getByTestId('md-route-litigation').click()
  await dialog.getByTestId('md-note').fill('双方分歧较大，引导向法院起诉')
  await dialog.getByTestId('md-submit').click()
  await expectMessage(page, '调解记录已被他人更新', 'warning')
  await expect(page.getByTestId('m-session')).toHaveCount(1)

  await step(page, 'fail', '调解不成', async (d) => {
    await d.getByTestId('md-route-litigation').click()
    await d.getByTestId('md-note').fill('双方分歧较大，引导向法院起诉')
  })
  await expect(page.getByTestId('mediation-status').first()).toHaveAttribute('data-status', 'failed')
  await expect(page.getByTestId('m-route')).toHaveAttribute('data-route', 'litigation')
  await expect(page.getByTestId('m-route')).toHaveText('转诉讼')
  await expect(page.getByTestId('m-agreement')).toContainText('尚未达成协议')
  await expect(page.getByTestId('m-actions')).toContainText('当前状态无可办理的操作')
  await expect(page.getByTestId('m-timeline')).toContainText('调解不成')
  await expect(page.getByTestId('m-timeline')).toContainText('转诉讼')

  // The case page links to it; the failed mediation has ended, so the case may be mediated again.
  await page.getByTestId('m-case').click()
  await expect(page.getByTestId('case-mediation').first()).toContainText('调解不成')
  await expect(page.getByTestId('apply-mediation')).toBeVisible()
})

test('an administrator saves the risk settings and is refused a value out of range', async ({ page }) => {
  const admin = await apiToken(page.request, 'admin')
  const before = await apiGet<Record<string, number>>(page.request, admin, '/risk/settings')
  await login(page, 'admin')
  await page.getByTestId('menu-admin').click()
  await page.getByTestId('menu-admin-risk').click()
  await expect(page).toHaveURL(/\/admin\/risk$/)
  const form = page.getByTestId('risk-settings')
  await expect(form.getByTestId('rs-item-repeat_window_days')).toContainText('天')
  await expect(form.getByTestId('rs-item-burst_window_hours')).toContainText('小时')
  const field = form.getByTestId('rs-repeat_window_days').locator('input')
  await expect(field).toHaveValue(String(before.repeat_window_days))

  try {
    const next = before.repeat_window_days === 10 ? 11 : 10
    await field.fill(String(next))
    await field.press('Tab')
    await form.getByTestId('rs-save').click()
    await expectMessage(page, '风险预警参数已保存', 'success')
    expect((await apiGet<Record<string, number>>(page.request, admin, '/risk/settings')).repeat_window_days).toBe(next)

    allowConsoleError(page, /status of 422/)
    await field.fill('999')
    await field.press('Tab')
    await form.getByTestId('rs-save').click()
    await expectMessage(page, /应在 1 到 90 之间/, 'error')
    await expect(form.getByTestId('rs-item-repeat_window_days').locator('.el-form-item__error')).toContainText('应在 1 到 90 之间')
    expect((await apiGet<Record<string, number>>(page.request, admin, '/risk/settings')).repeat_window_days).toBe(next)
  } finally {
    // The other tests scan with the settings as they were.
    const r = await page.request.put('/api/v1/risk/settings', { headers: { Authorization: `Bearer ${admin}` }, data: before })
    expect(r.status()).toBe(200)
  }
})
