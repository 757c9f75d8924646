// 风险预警 (issue 20): five calls of one resident and six workers of one factory come in; a supervisor scans from the
// page (a visible message with the counts), finds both alerts in the queue, opens the crowd's alert with its cases and
// evidence, acknowledges it, raises it to red with a reason and closes it with a result — each step with a visible
// message, the drawer's timeline growing; the cockpit's risk panel counts as the queue does.
import { test, expect, login, expectMessage, freshPhone, allowConsoleError } from './fixtures'
import { apiToken, newCase } from './api'

test('a supervisor scans, finds a crowd and a repeat caller, and works the alert to its close', async ({ page }) => {
  const clerk = await apiToken(page.request, 'clerk')
  const tag = String(Date.now()).slice(-4)
  const factory = `宏达${tag}电子厂`
  for (let i = 0; i < 6; i++) {
    await newCase(page.request, clerk, {
      title: `${factory}拖欠工资`,
      description: `我在${factory}上班，工资已经${2 + (i % 3)}个月没发了`,
      category: '劳动社保/拖欠工资',
      nature: 'help',
      reporter: { name: '工人', phone: `135${tag}${String(1000 + i)}` },
    })
  }
  const phone = freshPhone()
  for (const text of ['楼上装修太吵', '又是楼上装修的噪音', '楼上还在吵，你们管不管', '第四次反映装修噪音', '反映很多次了还是没人处理']) {
    await newCase(page.request, clerk, { title: text, description: text, category: '环境保护/噪声污染', reporter: { name: '李女士', phone } })
  }

  await login(page, 'supervisor')
  await page.getByTestId('menu-risk').click()
  await expect(page).toHaveURL(/\/risk/)
  await page.getByTestId('risk-scan').click()
  await expectMessage(page, /扫描完成：\d+ 件工单，新增预警 \d+ 条/, 'success')

  const rows = page.getByTestId('risk-table').locator('tbody tr')
  const crowd = rows.filter({ hasText: factory })
  await expect(crowd).toHaveCount(1)
  await expect(crowd.getByTestId('risk-kind')).toHaveText('群体性')
  // Every open alert has its review deadline (复核期限), not yet past.
  await expect(crowd.getByTestId('risk-review-due')).toBeVisible()
  await expect(crowd.getByTestId('risk-review-overdue')).toHaveCount(0)
  await expect(rows.filter({ hasText: '同一来电人' }).first()).toBeVisible()

  await crowd.getByTestId('risk-open').click()
  const drawer = page.getByTestId('risk-drawer')
  await expect(drawer.getByTestId('risk-d-summary')).toContainText(factory)
  await expect(drawer.getByTestId('risk-d-cases').locator('li')).toHaveCount(6)
  await expect(drawer.getByTestId('risk-d-status')).toHaveText('待处置')
  await expect(drawer.getByTestId('risk-drawer-review')).toBeVisible()

  await drawer.getByTestId('risk-act-acknowledge').click()
  await expectMessage(page, '已签收处置', 'success')
  await expect(drawer.getByTestId('risk-d-status')).toHaveText('处置中')

  await drawer.getByTestId('risk-act-relevel').click()
  const dialog = page.getByTestId('risk-dialog')
  await dialog.getByTestId('risk-d-newlevel').click()
  await page.locator('.el-select-dropdown:visible .el-select-dropdown__item', { hasText: '红色' }).click()
  await dialog.getByTestId('risk-d-note').fill('工人准备到厂门口聚集讨薪')
  await dialog.getByTestId('risk-d-submit').click()
  await expectMessage(page, '已调整等级', 'success')
  await expect(drawer.getByTestId('risk-d-level')).toHaveText('红色')

  // Closing needs a result: the server's refusal (422) is shown, then the close goes through.
  allowConsoleError(page, /status of 422 .*\/risk\/alerts\/.*\/actions/)
  await drawer.getByTestId('risk-act-close').click()
  await dialog.getByTestId('risk-d-submit').click()
  await expectMessage(page, /必填|请填写/, 'error')
  await dialog.getByTestId('risk-d-result').fill('人社局约谈企业负责人，工资已足额发放')
  await dialog.getByTestId('risk-d-submit').click()
  await expectMessage(page, '已关闭预警', 'success')
  await expect(drawer.getByTestId('risk-d-status')).toHaveText('已关闭')
  await expect(drawer.getByTestId('risk-d-events')).toContainText('关闭预警')

  // The repeat caller's cases say so on their page.
  await page.keyboard.press('Escape')
  await rows.filter({ hasText: '同一来电人' }).first().getByTestId('risk-open').click()
  await drawer.getByTestId('risk-d-cases').locator('a').first().click()
  await expect(page.getByTestId('case-risk-alert').first()).toContainText(/风险预警：.色·重复来电/)
  await page.getByTestId('menu-risk').click()

  // The cockpit's risk panel counts as the queue does, and leads to it.
  await page.getByTestId('risk-search').click()
  const queueCounts = await page.getByTestId('risk-count').allTextContents()
  await page.getByTestId('menu-cockpit').click()
  const panel = page.getByTestId('cockpit-risk')
  await expect(panel).toBeVisible()
  expect(await panel.getByTestId('cockpit-risk-level').allTextContents()).toEqual(queueCounts)
  await panel.locator('[data-level="red"]').click()
  await expect(page).toHaveURL(/\/risk\?level=red/)
  for (const tag of await page.getByTestId('risk-level').all()) await expect(tag).toHaveText('红色')

  // The weekly report a leader prints: A4, in Chinese, the same counts, the open red and orange alerts listed.
  const [sheet] = await Promise.all([page.context().waitForEvent('page'), page.getByTestId('risk-weekly').click()])
  await expect(sheet.getByTestId('print-sheet')).toBeVisible()
  await expect(sheet.getByTestId('menu-workbench')).toHaveCount(0)
  const red = queueCounts.find((c) => c.startsWith('红色')) ?? ''
  await expect(sheet.getByTestId('w-summary')).toContainText(red.replace(/\s+/g, ' ').trim().replace('红色 ', '红色 '))
  await expect(sheet.getByTestId('w-summary')).toContainText('本周新增')
  await expect(sheet.getByTestId('w-serious')).toContainText('同一来电人')
  await expect(sheet.getByTestId('w-serious')).not.toContainText(factory)
})
