// One case end to end through the pages, as the people who do the work (issue 18): the clerk registers it at the
// window and accepts it, the dispatcher sends it from the dispatch desk, the unit's handler is told, signs for it
// and resolves it, the clerk follows up, and the leader's cockpit counts it — every step's message is asserted on
// screen, inside the viewport, and the cockpit's figures are the unit metrics' and the workbench's.
import { test, expect, login, logout, openCase, act, expectStatus, pickRegion, freshPhone, confirmBox, expectMessage } from './fixtures'
import { apiGet, pageToken } from './api'

const TEXT = '文昌路 18 号门口每天傍晚有流动摊贩占道经营卖水果，人行道被堵，行人只能走机动车道，希望城管处理。'

test('clerk → dispatcher → handler → clerk (回访) → leader: one case round the loop, in the UI', async ({ page }) => {
  test.setTimeout(240_000)
  const phone = freshPhone()
  let number = ''

  await test.step('the clerk registers the call at the window and accepts it', async () => {
    await login(page, 'clerk')
    await page.getByTestId('menu-intake').click()
    await page.getByLabel('诉求人').fill('周女士')
    await page.getByLabel('联系电话').fill(phone)
    await pickRegion(page, 'in-region', '金桥社区')
    await page.getByLabel('详细地址').fill('临江区临江街道金桥社区文昌路 18 号')
    await page.getByLabel('诉求内容').fill(TEXT)
    await expect(page.getByTestId('triage-department')).toBeVisible()
    await page.getByTestId('in-register').click()
    await expectMessage(page, /已登记工单 \d{4}-\d{6}/, 'success')
    number = (await page.getByTestId('case-number').textContent())!.trim()
    await act(page, 'accept', async (d) => d.getByTestId('opinion').fill('诉求清楚，予以受理'))
    await expectStatus(page, 'accepted')
    await logout(page)
  })

  await test.step('the dispatcher sends it to 城管局 from the desk, with an opinion, after confirming', async () => {
    await login(page, 'dispatcher')
    await page.getByTestId('menu-dispatch').click()
    await page.getByTestId('desk-q').fill(number)
    await page.getByTestId('desk-search').click()
    const row = page.getByTestId('dispatch-table').locator('tr', { has: page.getByTestId('dispatch-case').filter({ hasText: number }) })
    await expect(row).toHaveCount(1)
    await row.getByTestId('desk-unit').click()
    await page.locator('.el-select-dropdown:visible .el-select-dropdown__item', { hasText: /^城管局$/ }).first().click()
    await row.getByTestId('desk-opinion').fill('请今日内到场劝离')
    await row.getByTestId('desk-send').click()
    await confirmBox(page)
    await expectMessage(page, `${number} 已派至 城管局`, 'success')
    await logout(page)
  })

  await test.step('the handler is told, signs for it and resolves it', async () => {
    await login(page, 'handler')
    await page.getByTestId('bell').click()
    await expect(page.getByTestId('notifications')).toContainText(number)
    await openCase(page, number)
    await act(page, 'sign')
    await act(page, 'resolve', async (d) => d.getByTestId('reply').fill('已安排执法中队到现场劝离摊贩，并纳入日常巡查。'))
    await expectStatus(page, 'resolved')
    await logout(page)
  })

  await test.step('the clerk calls back: satisfied, solved — closed', async () => {
    await login(page, 'clerk')
    await openCase(page, number)
    await act(page, 'follow_up', async (d) => {
      await d.getByTestId('follow-up-method').getByText('电话回访').click()
      await d.getByTestId('satisfaction-satisfied').click()
      await d.getByTestId('resolved-yes').click()
    })
    await expectStatus(page, 'closed')
    await logout(page)
  })

  await test.step('the leader’s cockpit counts it with the unit metrics’ formula and the workbench’s 超期', async () => {
    await login(page, 'leader')
    await expect(page).toHaveURL(/\/cockpit/)
    await expect(page.getByTestId('kpi-satisfaction')).toBeVisible()
    const token = await pageToken(page)
    const k = await apiGet<{ metrics_period: string; unit: string; overdue_now: number }>(page.request, token, '/stats/cockpit')
    const m = await apiGet<{ units: { satisfaction: { rate: number | null }; handle_on_time: { rate: number | null } }[] }>(
      page.request,
      token,
      `/metrics/units?period=${encodeURIComponent(k.metrics_period)}&unit=${k.unit}`,
    )
    const pct = (r: number | null) => (r === null ? '—' : `${(r * 100).toFixed(1)}%`)
    await expect(page.getByTestId('kpi-satisfaction').locator('.kpi-value')).toHaveText(pct(m.units[0].satisfaction.rate))
    await expect(page.getByTestId('kpi-handle_on_time').locator('.kpi-value')).toHaveText(pct(m.units[0].handle_on_time.rate))
    const q = await apiGet<{ overdue: number }>(page.request, token, '/queues')
    await expect(page.getByTestId('kpi-overdue_now').locator('.kpi-value')).toHaveText(String(q.overdue))
    // The case itself is in the leader's list, closed.
    const l = await apiGet<{ items: { number: string; status: string }[] }>(page.request, token, `/cases?number=${number}`)
    expect(l.items[0]?.status).toBe('closed')
  })
})
