// 审计日志 (issue 19.15): a clerk opens a caller's case on the page; the administrator finds the read in the audit log
// by the case number — who, which role, which case, from where — sees a non-admin refused, and exports the log with a
// visible message, the export itself then being in the log.
import { test, expect, login, logout, expectMessage, openCase } from './fixtures'
import { apiGet, apiToken, newCase } from './api'

test('a clerk’s read of a case is in the audit log; the export is logged too', async ({ page }) => {
  const clerk = await apiToken(page.request, 'clerk')
  const c = await newCase(page.request, clerk, { title: `审计 ${Date.now()}` })

  // The clerk opens the case on the page: the caller's number is shown in full.
  await login(page, 'clerk')
  await openCase(page, c.number)
  await expect(page.getByText(/1\d{10}/).first()).toBeVisible()
  // The administrators' page is not in the clerk's menu, and the API refuses the log.
  await expect(page.getByTestId('menu-admin-audit')).toHaveCount(0)
  const refused = await page.request.get('/api/v1/audit', { headers: { Authorization: `Bearer ${clerk}` } })
  expect(refused.status()).toBe(403)
  await logout(page)

  await login(page, 'admin')
  await page.getByTestId('menu-admin').click()
  await page.getByTestId('menu-admin-audit').click()
  await expect(page).toHaveURL(/\/admin\/audit/)
  await page.getByTestId('audit-subject').fill(c.number)
  await page.getByTestId('audit-search').click()
  const rows = page.getByTestId('audit-table').locator('tbody tr')
  const view = rows.filter({ has: page.getByTestId('audit-action-tag').filter({ hasText: '查看工单' }) })
  await expect(view.first()).toBeVisible()
  await expect(view.first()).toContainText('clerk')
  await expect(view.first()).toContainText('受理员')
  await expect(view.first().getByTestId('audit-cases')).toContainText(c.number)
  await expect(view.first().getByTestId('audit-at')).toHaveText(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/)
  // Every row found names the case.
  for (const cell of await page.getByTestId('audit-cases').all()) await expect(cell).toContainText(c.number)

  // Export: a file and a visible message; the export is then in the log.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('audit-export').click()])
  expect(download.suggestedFilename()).toBe('审计日志.xlsx')
  await expectMessage(page, '审计日志已导出', 'success')
  const admin = await apiToken(page.request, 'admin')
  const log = await apiGet<{ items: { actor: string }[] }>(page.request, admin, '/audit?action=audit.export')
  expect(log.items[0]?.actor).toBe('admin')

  // Reset shows the whole log again.
  await page.getByTestId('audit-reset').click()
  await expect(rows.first()).toBeVisible()
})
