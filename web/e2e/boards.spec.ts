// 红黄黑榜 (issue 21): the public page shows the demo's published boards on a phone — the latest month, each group's
// red, yellow and black lists as the API has them, a unit's months on each list; an administrator computes a
// correction of the latest month (the next version, a draft), the 城管局's lead appeals its entry with a reason, the
// district centre's supervisor (the board office) accepts it with a note, publishing the correction without a reason
// is refused under the reason field, with one it is published as the new version; the cockpit names the latest
// board's red and black units.
import { test, expect, login, logout, expectMessage, pickOption, allowConsoleError } from './fixtures'
import { apiToken } from './api'
import type { APIRequestContext, Page } from '@playwright/test'

type Entry = { unit: string; unit_name: string; board: 'red' | 'yellow' | 'black' | null; rank: number | null }
type PublicBoard = { periods: string[]; board: { period: string; version: number; reason: string | null; groups: { name: string; entries: Entry[] }[] } }

async function publicBoard(request: APIRequestContext, period?: string): Promise<PublicBoard> {
  const r = await request.get(`/api/v1/public/boards${period ? `?period=${period}` : ''}`)
  expect(r.status()).toBe(200)
  return (await r.json()) as PublicBoard
}

/** Each group's three lists on the page hold exactly the units the API puts there. */
async function listsMatch(page: Page, b: PublicBoard['board']) {
  for (const g of b.groups) {
    const card = page.locator(`[data-test="board-group"][data-group="${g.name}"]`)
    await expect(card).toBeVisible()
    for (const l of ['red', 'yellow', 'black'] as const) {
      const want = g.entries.filter((e) => e.board === l).map((e) => e.unit)
      const got = card.getByTestId(`board-list-${l}`).getByTestId('board-entry')
      await expect(got).toHaveCount(want.length)
      for (const u of want) await expect(card.getByTestId(`board-list-${l}`).locator(`[data-unit="${u}"]`)).toBeVisible()
    }
  }
}

test('the public page shows the latest published board, its lists and a unit history, on a phone', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 })
  const pub = await publicBoard(page.request)
  expect(pub.periods.length, 'the demo publishes six months').toBeGreaterThanOrEqual(6)

  await page.goto('/portal')
  await page.getByTestId('portal-boards-link').click()
  await expect(page).toHaveURL(/\/portal\/boards/)
  await expect(page.getByTestId('pb-head')).toHaveAttribute('data-period', pub.periods[0])
  await listsMatch(page, pub.board)
  // Every unit's reasons are published with it.
  const first = pub.board.groups[0].entries[0]
  await expect(page.locator(`[data-unit="${first.unit}"]`).first()).toContainText(first.unit_name)
  // Nothing sticks out of a phone's screen.
  expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0)

  // A unit's history: its months on the published boards and on each list.
  const hist = await (await page.request.get('/api/v1/public/boards/history?unit=cgj')).json()
  await page.locator('[data-unit="cgj"]').first().click()
  const dialog = page.getByRole('dialog', { name: '城管局' })
  await expect(dialog).toBeVisible()
  await expect(dialog.getByTestId('history-month')).toHaveCount(hist.months.length)
  expect(hist.months.length).toBeGreaterThanOrEqual(6)
  await expect(dialog.getByTestId('history-counts')).toHaveText(`上红榜 ${hist.red} 个月，上黄榜 ${hist.yellow} 个月，上黑榜 ${hist.black} 个月`)
  await expect(dialog.getByTestId('history-chart')).toBeVisible()
  await dialog.getByRole('button', { name: /Close|关闭/ }).click()

  // An earlier month from the picker.
  await pickOption(page, 'pb-period', pub.periods[2])
  await expect(page.getByTestId('pb-head')).toHaveAttribute('data-period', pub.periods[2])
  await listsMatch(page, (await publicBoard(page.request, pub.periods[2])).board)
})

test('a correction: computed, appealed by the unit, accepted by the office, published only with its reason', async ({ page }) => {
  test.setTimeout(180_000)
  const admin = await apiToken(page.request, 'admin')
  const auth = { Authorization: `Bearer ${admin}` }
  const rules = await (await page.request.get('/api/v1/boards/rules', { headers: auth })).json()
  const pub = await publicBoard(page.request)
  const period = pub.periods[0]
  // The refusals this test provokes (a weight of 0; a correction without its reason) are answered 422.
  allowConsoleError(page, /status of 422/)
  try {
    // The rules page: a weight of 0 is refused under its field; a minimum sample of 1 ranks the demo's small units.
    await login(page, 'admin')
    await page.getByTestId('menu-admin').click()
    await page.getByTestId('menu-admin-boards').click()
    await expect(page.getByTestId('board-rules')).toBeVisible()
    await page.getByTestId('br-weight-0').locator('input').fill('0')
    await page.getByTestId('br-min_sample').locator('input').fill('1')
    await page.getByTestId('br-save').click()
    await expect(page.getByTestId('br-weight-item-0')).toContainText('权重应大于 0')
    await expectMessage(page, /metrics\[0\]\.weight/, 'error')
    await page.getByTestId('br-weight-0').locator('input').fill(String(rules.metrics[0].weight))
    await page.getByTestId('br-save').click()
    await expectMessage(page, '榜单规则已保存', 'success')

    // The administrator computes the latest month again: the next version, a draft.
    await page.getByTestId('menu-boards').click()
    await expect(page.getByTestId('board-status')).toHaveAttribute('data-status', 'published')
    await page.getByTestId('board-compute').click()
    await pickOption(page, 'compute-period', period)
    await page.getByTestId('compute-submit').click()
    await expectMessage(page, `${period} 榜单已计算（第 ${pub.board.version + 1} 版草稿）`, 'success')
    await expect(page.getByTestId('board-status')).toHaveAttribute('data-status', 'draft')
    await expect(page.getByTestId('board-version')).toHaveText(`第 ${pub.board.version + 1} 版`)
    await logout(page)

    // The 城管局's lead sees its own entry on the draft and appeals it.
    await login(page, 'unitlead')
    await page.getByTestId('menu-boards').click()
    await expect(page.getByTestId('board-status')).toHaveAttribute('data-status', 'draft')
    const own = page.locator('[data-test="board-group"] [data-unit]')
    await expect(own).toHaveCount(1)
    await own.first().click()
    await expect(page.getByRole('dialog', { name: '城管局' })).toBeVisible()
    await page.getByTestId('board-appeal').click()
    const appeal = page.getByRole('dialog', { name: '申诉：城管局' })
    await appeal.getByTestId('appeal-reason').fill('本月台风抢险，工单集中超期，请予核减')
    await appeal.getByTestId('appeal-submit').click()
    await expectMessage(page, '申诉已提交，等待榜单办公室处理', 'success')
    await expect(appeal).toBeHidden()
    await expect(page.getByTestId('appeal-status')).toHaveAttribute('data-status', 'pending')
    await logout(page)

    // The district centre's supervisor (the board office) accepts it with a note.
    await login(page, 'supervisor')
    await page.getByTestId('menu-boards').click()
    await expect(page.getByTestId('board-status')).toHaveAttribute('data-status', 'draft')
    await expect(page.getByTestId('board-pending')).toContainText('尚有 1 件申诉待处理')
    const row = page.getByTestId('board-appeals').locator('tr', { hasText: '台风抢险' })
    await row.getByTestId('appeal-accept').click()
    const decide = page.getByRole('dialog', { name: '采纳：城管局' })
    await decide.getByTestId('decide-note').fill('经核实属实，予以采纳')
    await decide.getByTestId('decide-submit').click()
    await expectMessage(page, '已采纳申诉，榜单已重新计算', 'success')
    await expect(row.getByTestId('appeal-status')).toHaveAttribute('data-status', 'accepted')
    await expect(row).toContainText('经核实属实，予以采纳')

    // Publishing the correction without its reason is refused, under the field; with it, it is published.
    await page.getByTestId('board-publish').click()
    const publish = page.getByRole('dialog', { name: `发布 ${period} 榜单` })
    await publish.getByTestId('publish-submit').click()
    await expect(publish.getByTestId('publish-reason-item')).toContainText('本期榜单已发布过，发布更正版须说明理由')
    await expect(publish).toBeVisible()
    await publish.getByTestId('publish-reason').fill('城管局申诉采纳后更正')
    await publish.getByTestId('publish-submit').click()
    await expectMessage(page, `${period} 榜单第 ${pub.board.version + 1} 版已发布`, 'success')
    await expect(publish).toBeHidden()
    await expect(page.getByTestId('board-status')).toHaveAttribute('data-status', 'published')
    await expect(page.getByTestId('board-version')).toHaveText(`第 ${pub.board.version + 1} 版`)
    await expect(page.getByTestId('board-reason')).toContainText('城管局申诉采纳后更正')

    // The public sees the new version, with its reason and its lists.
    const now = await publicBoard(page.request, period)
    expect(now.board.version).toBe(pub.board.version + 1)
    const listed = now.board.groups.flatMap((g) => g.entries).filter((e) => e.board)
    expect(listed.length, 'units are listed once small units are ranked').toBeGreaterThan(0)
    await page.goto(`/portal/boards?period=${period}`)
    await expect(page.getByTestId('pb-head')).toHaveAttribute('data-version', String(now.board.version))
    await expect(page.getByTestId('pb-reason')).toContainText('城管局申诉采纳后更正')
    await listsMatch(page, now.board)
  } finally {
    await page.request.put('/api/v1/boards/rules', { headers: auth, data: rules })
  }
})

test('the cockpit names the latest board’s red and black units and links to the boards', async ({ page }) => {
  const pub = await publicBoard(page.request)
  const entries = pub.board.groups.flatMap((g) => g.entries)
  await login(page, 'leader')
  await page.getByTestId('menu-cockpit').click()
  const panel = page.getByTestId('cockpit-boards')
  await expect(panel).toContainText(pub.board.period)
  for (const l of ['red', 'black'] as const) {
    await expect(panel.getByTestId(`cockpit-board-${l}`).getByTestId('cockpit-board-unit')).toHaveCount(entries.filter((e) => e.board === l).length)
  }
  await panel.getByTestId('cockpit-boards-link').click()
  await expect(page).toHaveURL(new RegExp(`/boards\\?period=${pub.board.period}`))
  await expect(page.getByTestId('board-status')).toHaveAttribute('data-status', 'published')
  // In English every label is English (unit names and reasons are the server's data).
  await page.getByTestId('lang-switch').getByText('EN').click()
  await expect(page.getByTestId('board-status-tag')).toHaveText('Published')
  await expect(page.getByTestId('board-list-red').first()).toContainText('Red board')
  await expect(page.getByTestId('menu-boards')).toHaveText('Boards')
  await page.getByTestId('lang-switch').getByText('中文').click()
})
