// The administrator's pages that change how the district works — time limits, calendars, the routing catalogue,
// 智能分拨 — the 走访台账 import, and the supervisor's notifications. Everything goes through the pages.
//
// These tests change shared server state, so each one puts back what other specs rely on (the policy values, the
// catalogue row, the auto-dispatch settings) and uses names and phone numbers nobody else uses.
import { test, expect, login, logout, allowConsoleError, pickRegion, pickPlace, pickOption, freshPhone } from './fixtures'
import type { Locator, Page } from '@playwright/test'

async function openAdmin(page: Page, item: 'policies' | 'calendars' | 'taxonomy' | 'triage') {
  await page.getByTestId('menu-admin').click()
  // On a loaded machine the sign-in's own navigation can land after the click: click until the page is the one asked for.
  await expect(async () => {
    await page.getByTestId(`menu-admin-${item}`).click()
    await expect(page).toHaveURL(new RegExp(`/admin/${item}`), { timeout: 2000 })
  }).toPass({ timeout: 30_000 })
}

/** Types into an Element Plus number input and leaves it, as a person would. */
async function setNumber(box: Locator, value: string) {
  const input = box.locator('input')
  await input.fill(value)
  await input.press('Tab')
}

const cell = (row: Locator, testId: string) => row.getByTestId(testId)

test.describe('time limits (时限策略)', () => {
  test('an edited rule is stored: a reload shows it; then it is put back', async ({ page }) => {
    await login(page, 'admin')
    await openAdmin(page, 'policies')
    const table = page.getByTestId('policies-table')
    // The rule for suggestions (建议): its handling limit.
    const row = table.locator('tbody tr').filter({ hasText: '建议' }).first()
    const before = (await cell(row, 'rule-handle').textContent())!.trim()
    const m = /^(\d+) 个工作日$/.exec(before)
    expect(m, `handling limit of the 建议 rule: ${before}`).not.toBeNull()
    const old = Number(m![1])
    const next = old === 12 ? 13 : 12

    await row.getByRole('button', { name: '编辑' }).click()
    const dialog = page.getByRole('dialog', { name: '编辑时限规则' })
    await expect(dialog).toBeVisible()
    await expect(dialog.getByTestId('p-handle-value').locator('input')).toHaveValue(String(old))
    await setNumber(dialog.getByTestId('p-handle-value'), String(next))
    await dialog.getByTestId('policy-save').click()
    await expect(page.getByText('已保存')).toBeVisible()
    await expect(dialog).toBeHidden()

    await page.reload()
    const again = page.getByTestId('policies-table').locator('tbody tr').filter({ hasText: '建议' }).first()
    await expect(cell(again, 'rule-handle')).toHaveText(`${next} 个工作日`)

    // Put the old value back for the other specs.
    await again.getByRole('button', { name: '编辑' }).click()
    await setNumber(dialog.getByTestId('p-handle-value'), String(old))
    await dialog.getByTestId('policy-save').click()
    await expect(dialog).toBeHidden()
    await expect(cell(page.getByTestId('policies-table').locator('tbody tr').filter({ hasText: '建议' }).first(), 'rule-handle')).toHaveText(before)
  })

  test('wrong input is refused in place and nothing is stored', async ({ page }) => {
    await login(page, 'admin')
    await openAdmin(page, 'policies')
    const table = page.getByTestId('policies-table')
    const rows = table.locator('tbody tr')
    await expect(rows.first()).toBeVisible()
    const count = await rows.count()
    const first = rows.first()
    const firstText = (await first.textContent())!
    // The first rule is the default one: every match column reads 全部.
    expect(firstText.match(/全部/g)?.length ?? 0).toBeGreaterThanOrEqual(4)
    let puts = 0
    page.on('request', (r) => {
      if (r.method() === 'PUT' && r.url().includes('/api/v1/policies')) puts++
    })

    // Checked here: an empty limit never reaches the server.
    await first.getByRole('button', { name: '编辑' }).click()
    const dialog = page.getByRole('dialog', { name: '编辑时限规则' })
    await dialog.getByTestId('p-handle-value').locator('input').fill('')
    await dialog.getByTestId('p-handle-value').locator('input').press('Tab')
    await dialog.getByTestId('policy-save').click()
    await expect(dialog.getByText('办理时限为必填项')).toBeVisible()
    expect(puts).toBe(0)
    await dialog.getByRole('button', { name: '取消' }).click()
    await expect(dialog).toBeHidden()

    // Checked by the server: the default rule may not be narrowed to one nature (no catch-all would be left).
    allowConsoleError(page, /status of 422/)
    await first.getByRole('button', { name: '编辑' }).click()
    await pickOption(page, 'p-nature', '咨询')
    await dialog.getByTestId('policy-save').click()
    await expect(dialog.getByTestId('policy-error')).toContainText('默认规则')
    expect(puts).toBe(1)
    await expect(dialog).toBeVisible()
    await dialog.getByRole('button', { name: '取消' }).click()

    await page.reload()
    const after = page.getByTestId('policies-table').locator('tbody tr')
    await expect(after).toHaveCount(count)
    await expect(after.first()).toHaveText(firstText)
  })

  test('a rule naming a category that does not exist is refused next to the field; nothing is stored', async ({ page }) => {
    await login(page, 'admin')
    await openAdmin(page, 'policies')
    const table = page.getByTestId('policies-table')
    const rows = table.locator('tbody tr')
    await expect(rows.first()).toBeVisible()
    const count = await rows.count()
    const before = (await table.textContent())!
    let puts = 0
    page.on('request', (r) => {
      if (r.method() === 'PUT' && r.url().includes('/api/v1/policies')) puts++
    })
    allowConsoleError(page, /status of 422/)

    await page.getByTestId('policy-add').click()
    const dialog = page.getByRole('dialog', { name: '新增规则' })
    await expect(dialog).toBeVisible()
    // The form's own check passes (one level or two); the server knows the taxonomy.
    await dialog.getByTestId('p-category').fill('城市管理/不存在的分类')
    await dialog.getByTestId('policy-save').click()
    const err = dialog.getByTestId('p-category-item').locator('.el-form-item__error')
    await expect(err).toContainText('「城市管理/不存在的分类」不是分类目录中的分类')
    await expect(err).toContainText(`第 ${count + 1} 条规则`)
    await expect(err).toBeInViewport()
    // Next to the field, not only as a general alert.
    await expect(dialog.getByTestId('policy-error')).toHaveCount(0)
    expect(puts).toBe(1)
    await expect(dialog).toBeVisible()

    // Nothing was stored: after a reload the rules are as they were.
    await dialog.getByRole('button', { name: '取消' }).click()
    await expect(dialog).toBeHidden()
    await page.reload()
    const after = page.getByTestId('policies-table')
    await expect(after.locator('tbody tr')).toHaveCount(count)
    await expect(after).not.toContainText('不存在的分类')
    expect((await after.textContent())!).toBe(before)
  })
})

test('calendars: a year is imported (a wrong line is pointed out first) and a region gets the calendar', async ({ page }) => {
  const name = `e2e${Date.now().toString(36)}`
  await login(page, 'admin')
  await openAdmin(page, 'calendars')
  await page.getByTestId('cal-import').click()
  const dialog = page.getByRole('dialog', { name: '导入年度数据' })
  await dialog.getByLabel('日历名称').fill(name)

  allowConsoleError(page, /status of 422/)
  await dialog.getByTestId('cal-text').fill('year 2027\n2027-13-01 holiday 元旦\n')
  await dialog.getByTestId('cal-save').click()
  await expect(dialog.getByText(/第 2 行/)).toBeVisible()
  await expect(page.getByTestId('calendars-table').getByTestId('cal-name').filter({ hasText: name })).toHaveCount(0)

  // From a file this time, as an admin would with the published notice.
  await dialog.getByTestId('cal-file').setInputFiles({
    name: '2027.txt',
    mimeType: 'text/plain',
    buffer: Buffer.from('year 2027\nsource e2e\n2027-01-01 holiday 元旦\n2027-02-06 holiday 春节\n2027-02-07 workday 春节调休\n'),
  })
  await expect(dialog.getByTestId('cal-text')).toHaveValue(/2027-01-01 holiday 元旦/)
  await dialog.getByTestId('cal-save').click()
  await expect(page.getByText(`已导入 ${name} 日历 2027 年：节假日 2 天，调休上班 1 天`)).toBeVisible()
  await expect(dialog).toBeHidden()
  const row = page.getByTestId('calendars-table').locator('tbody tr').filter({ has: page.getByTestId('cal-name').filter({ hasText: name }) })
  await expect(row).toContainText('2027')
  await expect(row.getByTestId('cal-regions')).toHaveText('未指定区域')

  // A community nobody else's test uses keeps its own calendar.
  await row.getByRole('button', { name: '指定区域日历' }).click()
  const assign = page.getByRole('dialog', { name: '指定区域日历' })
  await pickRegion(page, 'cal-region', '凤栖社区')
  await expect(assign.getByTestId('cal-calendar')).toContainText(name)
  await assign.getByTestId('cal-assign-save').click()
  await expect(assign).toBeHidden()
  await page.reload()
  await expect(page.getByTestId('calendars-table').locator('tbody tr').filter({ hasText: name }).getByTestId('cal-regions')).toHaveText('凤栖社区')
})

test('routing catalogue: a row is edited and stored; a duplicate row and an unknown category are refused against the field', async ({ page }) => {
  await login(page, 'admin')
  await openAdmin(page, 'taxonomy')
  const table = page.getByTestId('catalogue-table')
  await expect(table.locator('tbody tr').first()).toBeVisible()
  // A row for the whole district whose category no other spec relies on.
  const rows = table.locator('tbody tr').filter({ hasText: '全区（默认）' })
  const cats = (await rows.getByTestId('route-category').allTextContents()).map((c) => c.trim())
  const category = cats.find((c) => !/^(城市管理|劳动社保|邻里纠纷)/.test(c)) ?? ''
  expect(category, 'a catalogue row to edit').not.toBe('')
  const q = page.getByTestId('tax-q')
  await q.fill(category)
  const row = table.locator('tbody tr').filter({ has: page.getByTestId('route-category').getByText(category, { exact: true }) }).filter({ hasText: '全区（默认）' })
  await expect(row).toHaveCount(1)
  const before = (await row.getByTestId('route-co-street').textContent())!.trim()
  const flipped = before === '是' ? '否' : '是'

  await row.getByTestId('route-edit').click()
  const dialog = page.getByRole('dialog', { name: '编辑派单规则' })
  await expect(dialog.getByTestId('route-category-input')).toHaveValue(category)
  await dialog.getByTestId('route-co-street-switch').click()
  await dialog.getByTestId('route-save').click()
  await expect(page.getByText('已保存')).toBeVisible()
  await expect(dialog).toBeHidden()
  await page.reload()
  await page.getByTestId('tax-q').fill(category)
  await expect(row.getByTestId('route-co-street')).toHaveText(flipped)

  // The same category for the whole district again: the server names the row and the field.
  allowConsoleError(page, /status of 422/)
  const count = await table.locator('tbody tr').count()
  await page.getByTestId('route-add').click()
  const add = page.getByRole('dialog', { name: '新增派单规则' })
  await add.getByTestId('route-category-input').fill(category)
  await add.getByTestId('route-unit-select').click()
  await page.locator('.el-select-dropdown:visible .el-select-dropdown__item').first().click()
  await add.getByTestId('route-save').click()
  await expect(add.getByText('同一分类和区划重复')).toBeVisible()
  await add.getByRole('button', { name: '取消' }).click()
  await expect(table.locator('tbody tr')).toHaveCount(count)

  // A category the taxonomy does not have: refused next to the category field, nothing stored.
  await page.getByTestId('route-add').click()
  await add.getByTestId('route-category-input').fill('城市管理/不存在的分类')
  await add.getByTestId('route-unit-select').click()
  await page.locator('.el-select-dropdown:visible .el-select-dropdown__item').first().click()
  await add.getByTestId('route-save').click()
  const categoryError = add.locator('.el-form-item').filter({ has: page.getByTestId('route-category-input') }).locator('.el-form-item__error')
  await expect(categoryError).toContainText('「城市管理/不存在的分类」不是分类目录中的分类')
  await expect(categoryError).toBeInViewport()
  await add.getByRole('button', { name: '取消' }).click()
  await expect(table.locator('tbody tr')).toHaveCount(count)

  // Put the row back as it was.
  await row.getByTestId('route-edit').click()
  await dialog.getByTestId('route-co-street-switch').click()
  await dialog.getByTestId('route-save').click()
  await expect(dialog).toBeHidden()
  await expect(row.getByTestId('route-co-street')).toHaveText(before)
})

test('智能分拨: the auto-dispatch threshold is changed and stored, then put back; the model in use is listed', async ({ page }) => {
  await login(page, 'admin')
  await openAdmin(page, 'triage')
  const form = page.getByTestId('triage-settings')
  const sw = form.getByRole('switch')
  const wasOn = await sw.isChecked()
  if (!wasOn) await form.locator('.el-switch').click()
  const threshold = form.getByTestId('min-confidence')
  const old = await threshold.locator('input').inputValue()
  const next = old === '0.75' ? '0.80' : '0.75'
  await setNumber(threshold, next)
  await page.getByTestId('triage-save').click()
  await expect(page.getByText('已保存')).toBeVisible()

  await page.reload()
  await expect(page.getByTestId('min-confidence').locator('input')).toHaveValue(next)
  await expect(page.getByTestId('triage-settings').getByRole('switch')).toBeChecked()
  // The model in use is marked in the list of versions.
  const inUse = (await page.getByTestId('model-in-use').textContent())!.trim()
  await expect(page.getByTestId('models-table').locator('tbody tr').filter({ hasText: inUse }).getByTestId('model-active')).toBeVisible()

  // Put the settings back.
  await setNumber(page.getByTestId('min-confidence'), old)
  if (!wasOn) await page.getByTestId('triage-settings').locator('.el-switch').click()
  await page.getByTestId('triage-save').click()
  await expect(page.getByText('已保存').first()).toBeVisible()
  await page.reload()
  await expect(page.getByTestId('min-confidence').locator('input')).toHaveValue(old)
  await expect(page.getByTestId('triage-settings').getByRole('switch')).toBeChecked({ checked: wasOn })
})

test('a clerk imports a visit ledger: all-or-nothing holds a wrong file back, valid rows only imports the rest', async ({ page }) => {
  const phone = freshPhone()
  const header = '走访对象,对象类型,走访日期,走访人,问题描述,地址,区划代码,问题分类,联系电话'
  const csv = [
    header,
    `王建国,住户,2026-11-20,李明,小区东门路灯损坏两周无人修,临江区东湖街道金桥社区金桥花园东门,330188002001,城市管理/市容环境,${phone}`,
    `"杭州某某科技有限公司",企业,2026-11-21,李明,"企业门口道路破损，""货车""进出困难",临江区东湖街道金桥社区文昌路 18 号,330188002001,,${phone}`,
    `赵六,住户,2026-11-22,李明,楼道堆放杂物,临江区某处,999,城市管理/市容环境,${phone}`,
  ].join('\r\n')
  const file = { name: '走访台账.csv', mimeType: 'text/csv', buffer: Buffer.from('\ufeff' + csv + '\r\n') }

  await login(page, 'clerk')
  await page.getByTestId('menu-ledger').click()
  await expect(page).toHaveURL(/\/ledger$/)
  // The templates download.
  const download = page.waitForEvent('download')
  await page.getByTestId('ledger-template-csv').click()
  expect((await download).suggestedFilename()).toBe('ledger-template.csv')

  await page.getByTestId('ledger-file').setInputFiles(file)
  await expect(page.getByTestId('ledger-chosen')).toContainText('走访台账.csv')
  await page.getByTestId('ledger-submit').click()
  const report = page.getByTestId('ledger-report')
  await expect(report.getByTestId('r-total')).toHaveText('3')
  await expect(report.getByTestId('r-rejected')).toHaveText('1')
  await expect(report.getByTestId('r-imported')).toHaveText('0')
  const states = page.getByTestId('ledger-rows').getByTestId('row-state')
  await expect(states).toHaveCount(3)
  await expect(states.nth(0)).toHaveAttribute('data-state', 'not_imported')
  await expect(states.nth(2)).toHaveAttribute('data-state', 'rejected')
  await expect(page.getByTestId('ledger-rows').locator('tbody tr').nth(2).getByTestId('row-reason')).toContainText('区划代码')
  await expect(page.getByTestId('ledger-errors').locator('tbody tr')).toHaveCount(1)
  await expect(page.getByTestId('ledger-errors')).toContainText('4')

  await page.getByTestId('mode-valid').click()
  await page.getByTestId('ledger-submit').click()
  await expect(report.getByTestId('r-imported')).toHaveText('2')
  await expect(states.nth(0)).toHaveAttribute('data-state', 'imported')
  await expect(states.nth(1)).toHaveAttribute('data-state', 'imported')
  await expect(states.nth(2)).toHaveAttribute('data-state', 'rejected')
  await expect(page.getByTestId('ledger-rows')).toContainText('"货车"进出困难')

  // The two problems are cases from visits now.
  await page.goto(`/?source=visit&phone=${phone}`)
  await expect(page.getByTestId('case-table').locator('tbody tr')).toHaveCount(2)
  await expect(page.getByTestId('case-table')).toContainText('路灯损坏')
  await logout(page)

  // Handlers do not import ledgers: no menu entry.
  await login(page, 'handler')
  await expect(page.getByTestId('menu-ledger')).toHaveCount(0)
})

test('a supervisor is told of a high-risk request; marking it read lowers the unread count', async ({ page }) => {
  // A request with risk language on the portal reaches the supervisors at once.
  await page.goto('/portal')
  await page.getByLabel('您的称呼').fill('何先生')
  await page.getByTestId('p-phone').fill(freshPhone())
  await pickPlace(page, 'p-region', '金桥社区')
  await page.getByLabel('详细地址').fill('临江区临江街道金桥社区工地')
  await page.getByTestId('p-nature').getByText('投诉').click()
  await page.getByLabel('问题描述').fill('工地拖欠我们三个月工资，老板一直不给，再不解决我们二十多个工友就去区政府门口拉横幅，还要找记者曝光')
  await page.getByTestId('p-submit').click()
  const number = (await page.getByTestId('receipt-number').textContent())!.trim()

  await login(page, 'supervisor')
  const bell = page.getByTestId('bell')
  await expect(bell).toHaveAttribute('aria-label', /未读 [1-9]\d* 条/)
  const unread = Number(/未读 (\d+) 条/.exec((await bell.getAttribute('aria-label'))!)![1])
  await bell.click()
  await expect(page).toHaveURL(/\/notifications$/)
  const row = page.getByTestId('notifications').locator('tbody tr').filter({ hasText: number })
  await expect(row).toHaveCount(1)
  await expect(row).toContainText('高风险预警')
  await expect(row).toContainText('未读')
  await row.getByRole('button', { name: '标为已读' }).click()
  await expect(row).toContainText('已读')
  await expect(row.getByRole('button', { name: '标为已读' })).toHaveCount(0)
  await expect(bell).toHaveAttribute('aria-label', `未读 ${unread - 1} 条`)
  // The server agrees: after a reload the count is still one lower and the row stays read.
  await page.reload()
  await expect(page.getByTestId('bell')).toHaveAttribute('aria-label', `未读 ${unread - 1} 条`)
  await expect(page.getByTestId('notifications').locator('tbody tr').filter({ hasText: number })).not.toContainText('未读')
})
