// 消息通知: a dispatch reaches the unit's handler (the bell rises, the notification names the case), the page pages
// and filters, 全部已读 clears the bell with a visible message, and a deadline digest lists its cases.
import { test, expect, login } from './fixtures'
import { apiAct, apiGet, apiToken, newCase, pageToken } from './api'
import type { Page } from '@playwright/test'
import type { NotificationPage } from '../src/api/types'

const bellCount = async (page: Page) => Number(await page.getByTestId('bell').getAttribute('data-unread'))

test('a dispatch rings the handler’s bell; 全部已读 clears it with a visible message', async ({ page }) => {
  await login(page, 'handler')
  await page.getByTestId('bell').click()
  await expect(page).toHaveURL(/\/notifications/)
  await expect(page.getByTestId('notifications')).toBeVisible()
  const before = await bellCount(page)

  // Meanwhile the clerk registers a call and the dispatcher sends it to 城管局, the handler's unit.
  const [clerk, dispatcher] = [await apiToken(page.request, 'clerk'), await apiToken(page.request, 'dispatcher')]
  let c = await newCase(page.request, clerk, { title: `占道经营 ${Date.now()}` })
  c = await apiAct(page.request, clerk, c, 'accept')
  c = await apiAct(page.request, dispatcher, c, 'dispatch', { unit: 'cgj', opinion: '请尽快处理' })

  // The next page the handler opens counts the bell again.
  await page.getByTestId('menu-workbench').click()
  await expect.poll(() => bellCount(page)).toBeGreaterThan(before)
  await expect(page.getByTestId('bell').locator('.el-badge__content')).toBeVisible()

  await page.getByTestId('bell').click()
  const row = page.getByTestId('notifications').locator('tr', { has: page.getByTestId('n-case').filter({ hasText: c.number }) })
  await expect(row).toHaveCount(1)
  await expect(row.getByTestId('n-kind')).toHaveText('派单')
  await expect(row.getByTestId('n-title')).toContainText(`新派单：${c.number}`)
  await expect(row.getByTestId('n-state')).toHaveText('未读')
  // The notification's own time, labelled as such, as a date and minute (never raw ISO).
  await expect(page.getByTestId('notifications').locator('th', { hasText: '通知时间' })).toBeVisible()
  await expect(page.getByTestId('notifications').locator('th', { hasText: '登记时间' })).toHaveCount(0)
  await expect(row.getByTestId('n-time')).toHaveText(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/)
  await expect(page.getByTestId('notifications')).not.toContainText(/\d{4}-\d{2}-\d{2}T\d{2}:/)

  // Unread only: every row is unread.
  await page.getByTestId('n-filter-unread').click()
  await expect(row).toHaveCount(1)
  const states = await page.getByTestId('n-state').allTextContents()
  expect(states.length).toBeGreaterThan(0)
  expect(new Set(states)).toEqual(new Set(['未读']))

  // 全部已读: a message on screen, the bell and the page's count at zero, the unread list empty.
  await page.getByTestId('n-read-all').click()
  const msg = page.locator('.el-message', { hasText: /已将 \d+ 条消息标为已读/ })
  await expect(msg).toBeVisible()
  await expect(msg).toBeInViewport()
  await expect.poll(() => bellCount(page)).toBe(0)
  await expect(page.getByTestId('bell').locator('.el-badge__content')).toBeHidden()
  await expect(page.getByTestId('n-unread')).toHaveText('未读 0 条')
  await expect(page.getByTestId('notifications')).toContainText('没有未读消息')
  // And the server agrees.
  const left = await apiGet<NotificationPage>(page.request, await pageToken(page), '/notifications?unread=true')
  expect(left.unread).toBe(0)

  // All of them again: the dispatch is there, read.
  await page.getByTestId('n-filter-all').click()
  await expect(row.getByTestId('n-state')).toHaveText('已读')
  // Opening it leads to the case.
  await row.getByTestId('n-case').click()
  await expect(page.getByTestId('case-number')).toHaveText(c.number)
})

test('the notifications page pages, and speaks English with the English UI', async ({ page }) => {
  // More than a page of dispatches to 城管局.
  const [clerk, dispatcher] = [await apiToken(page.request, 'clerk'), await apiToken(page.request, 'dispatcher')]
  let last = ''
  for (let i = 0; i < 21; i++) {
    let c = await newCase(page.request, clerk, { title: `占道经营 第 ${i + 1} 件 ${Date.now()}` })
    c = await apiAct(page.request, clerk, c, 'accept')
    c = await apiAct(page.request, dispatcher, c, 'dispatch', { unit: 'cgj' })
    last = c.number
  }
  await login(page, 'handler', 'en')
  const token = await pageToken(page)
  await page.goto('/notifications')
  const table = page.getByTestId('notifications')
  await expect(table).toBeVisible()
  await expect(table.locator('th', { hasText: 'Notified at' })).toBeVisible()
  // Newest first: the last dispatch heads the list, in English, its kind as an English tag.
  const row = table.locator('tr', { has: page.getByTestId('n-case').filter({ hasText: last }) })
  await expect(row.getByTestId('n-title')).toHaveText(`New case ${last}`)
  await expect(row.getByTestId('n-kind')).toHaveText('Dispatched')
  for (const k of await page.getByTestId('n-kind').allTextContents()) expect(k).toMatch(/^[A-Za-z ()-]+$/)

  const all = await apiGet<NotificationPage>(page.request, token, '/notifications?page_size=20')
  expect(all.total).toBeGreaterThan(20)
  await expect(page.getByTestId('n-pagination')).toContainText(`${all.total}`)
  await page.getByTestId('n-pagination').locator('.btn-next').click()
  await expect(page.getByTestId('n-pagination').locator('.number.is-active')).toHaveText('2')
  const second = await apiGet<NotificationPage>(page.request, token, '/notifications?page=2&page_size=20')
  const at = second.items[0].created_at.replace(/^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}).*$/, '$1 $2')
  await expect(page.getByTestId('n-time').first()).toHaveText(at)
  await expect(page.getByTestId('n-time')).toHaveCount(second.items.length)
})

test('a deadline digest lists its cases with 临期/超期 and links them', async ({ page }) => {
  // The demo's history leaves cases past due at 城管局: the sweeper gathers their warnings into one digest a day.
  await login(page, 'unitlead')
  const token = await pageToken(page)
  let digest: NotificationPage['items'][number] | undefined
  await expect(async () => {
    const p = await apiGet<NotificationPage>(page.request, token, '/notifications?page_size=100')
    digest = p.items.find((n) => n.kind === 'deadline_digest' && (n.items?.length ?? 0) > 0)
    expect(digest, 'a deadline digest for the unit lead').toBeTruthy()
  }).toPass({ timeout: 60_000 })
  await page.goto('/notifications')
  // Beyond the first page (later notifications came after it): show a hundred a page.
  const listed = await apiGet<NotificationPage>(page.request, token, '/notifications?page_size=100')
  if (listed.items.findIndex((n) => n.id === digest!.id) >= 20) {
    await page.getByTestId('n-pagination').locator('.el-pagination__sizes .el-select').click()
    await page.locator('.el-select-dropdown:visible .el-select-dropdown__item', { hasText: '100' }).click()
  }
  const row = page.getByTestId('notifications').locator('tr', { has: page.getByTestId('n-digest') }).first()
  await expect(row.getByTestId('n-kind')).toHaveText('时限提醒')
  const first = digest!.items![0]
  const item = row.getByTestId('n-digest').locator('li').first()
  await expect(item.getByTestId('n-digest-case')).toHaveText(first.number)
  await expect(item.getByTestId('n-digest-warning')).toHaveText(first.warning === 'overdue' ? '超期' : '临期')
  await expect(item).toContainText(/期限 \d{4}-\d{2}-\d{2} \d{2}:\d{2}/)
  await item.getByTestId('n-digest-case').click()
  await expect(page.getByTestId('case-number')).toHaveText(first.number)
})
