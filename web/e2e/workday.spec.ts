// A staff member's day (issue 18): every answer of the server shows on screen, inside the viewport, in the UI's
// language — success, a refusal in place, a conflict with another dispatcher — and the day's work: 撤回, 退单
// leaving the page gracefully, an extension refused with its limit (never cut), 无法回访, the caller's history at
// intake, and a triage suggestion shown but not filled in when unsure.
import { test, expect, login, logout, openCase, act, expectStatus, pickRegion, freshPhone, apiAs, confirmBox, expectMessage, allowConsoleError } from './fixtures'
import type { Page } from '@playwright/test'

type Api = Awaited<ReturnType<typeof apiAs>>

const TEXT = '滨江路 120 号旁的人行道上长期有人占道经营摆摊，晚上还有烧烤油烟，希望城管部门依法处理。'

/** A case registered by the clerk and accepted, waiting for dispatch; returns its JSON. */
async function acceptedCase(page: Page, phone = freshPhone()) {
  const clerk = await apiAs(page, 'clerk')
  const units = (await clerk('GET', '/units')) as { code: string; name: string; level: string }[]
  const community = units.find((u) => u.name === '金桥社区')!
  let c = await clerk('POST', '/cases', {
    description: TEXT,
    nature: 'complaint',
    category: '城市管理/占道经营',
    source: 'phone',
    reporter: { name: '赵先生', phone },
    location: { address: '临江区临江街道金桥社区滨江路 120 号', region: community.code },
  })
  c = await clerk('POST', `/cases/${c.id}/transitions`, { action: 'accept', version: c.version })
  return c
}

async function dispatchedCase(page: Page, phone?: string) {
  const c = await acceptedCase(page, phone)
  const disp: Api = await apiAs(page, 'dispatcher')
  return disp('POST', `/cases/${c.id}/transitions`, { action: 'dispatch', version: c.version, unit: 'cgj' })
}

async function deskRow(page: Page, number: string, view: 'waiting' | 'unsigned' = 'waiting') {
  await page.getByTestId('menu-dispatch').click()
  if (view === 'unsigned') await page.getByTestId('desk-view').getByText('已派未签收').click()
  await page.getByTestId('desk-q').fill(number)
  await page.getByTestId('desk-search').click()
  const row = page.getByTestId('dispatch-table').locator('tr', { has: page.getByTestId('dispatch-case').filter({ hasText: number }) })
  await expect(row).toHaveCount(1)
  return row
}

test('a second dispatcher sees on screen that the case was taken, instead of the row vanishing', async ({ page, browser }) => {
  const c = await acceptedCase(page)
  await login(page, 'dispatcher')
  const mine = await deskRow(page, c.number)
  // Another dispatcher, in another browser, dispatches it first.
  const other = await browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
  const p2 = await other.newPage()
  await login(p2, 'dispatcher')
  const theirs = await deskRow(p2, c.number)
  await theirs.getByTestId('desk-send').click()
  await confirmBox(p2)
  await expectMessage(p2, `${c.number} 已派至`, 'success')
  await other.close()
  // Ours is now stale: the refusal is said, in the viewport, and the list refreshed.
  allowConsoleError(page, /status of 409/)
  await mine.getByTestId('desk-send').click()
  await confirmBox(page)
  await expectMessage(page, `工单 ${c.number} 已被他人处理`, 'warning')
  await expect(page.getByTestId('dispatch-table').getByTestId('dispatch-case').filter({ hasText: c.number })).toHaveCount(0)
})

test('the dispatcher takes a dispatch back (撤回) before the unit signs', async ({ page }) => {
  const c = await dispatchedCase(page)
  await login(page, 'dispatcher')
  const row = await deskRow(page, c.number, 'unsigned')
  await expect(row).toContainText('城管局')
  await row.getByTestId('desk-opinion').fill('派错单位，改派市场监管局')
  await row.getByTestId('desk-recall').click()
  await confirmBox(page)
  await expectMessage(page, `工单 ${c.number} 已撤回`, 'success')
  await openCase(page, c.number)
  await expectStatus(page, 'accepted')
  await expect(page.getByTestId('timeline').locator('[data-action="recall"]')).toContainText('派错单位')
  await logout(page)
  // The unit was told, in its inbox.
  const handler = await apiAs(page, 'handler')
  const inbox = await handler('GET', '/notifications?page_size=50')
  expect(inbox.items.some((n: { kind: string; case_number: string }) => n.kind === 'recalled' && n.case_number === c.number)).toBeTruthy()
})

test('an extension longer than the rule allows is refused with the limit, the input kept', async ({ page }) => {
  let c = await dispatchedCase(page)
  const handlerApi = await apiAs(page, 'handler')
  c = await handlerApi('POST', `/cases/${c.id}/transitions`, { action: 'sign', version: c.version })
  await login(page, 'handler')
  await openCase(page, c.number)
  await page.getByTestId('act-request_extension').click()
  const dialog = page.getByRole('dialog')
  await expect(dialog.getByTestId('ext-limit')).toContainText('最多 10 个工作日')
  const days = dialog.getByTestId('ext-days').locator('input')
  await days.fill('15')
  await dialog.getByTestId('reason').fill('需协调多个部门联合处理')
  await dialog.getByTestId('action-submit').click()
  await expect(dialog.getByText('延期不能超过 10 个工作日')).toBeVisible()
  await expect(days).toHaveValue('15')
  await expect(dialog).toBeVisible()
  await days.fill('5')
  await dialog.getByTestId('action-submit').click()
  await expect(dialog).toBeHidden()
  await expectMessage(page, '申请延期：操作成功', 'success')
  await expect(page.getByTestId('case-info')).toContainText('申请延期 5 个工作日')
  await logout(page)
  // It waits in the dispatcher's 待审批 tab.
  await login(page, 'dispatcher')
  await page.getByTestId('queue-pending_approval').click()
  await expect(page.getByTestId('case-link').filter({ hasText: c.number })).toBeVisible()
})

test('after 退单 the handler is told and taken back to the workbench, without an error', async ({ page }) => {
  const c = await dispatchedCase(page)
  await login(page, 'handler')
  await openCase(page, c.number)
  // The page finds the case gone from the handler's scope (a 404 in the console is the expected answer).
  allowConsoleError(page, /status of 404/)
  await page.getByTestId('act-return').click()
  const dialog = page.getByRole('dialog')
  await dialog.getByTestId('reason').fill('该路段属于交通部门管养，不属于城管职责')
  await dialog.getByTestId('action-submit').click()
  await expect(dialog).toBeHidden()
  await expectMessage(page, `工单 ${c.number} 已转出`, 'success')
  await expect(page).toHaveURL(/\/$|\/\?/)
  await expect(page.getByTestId('case-table')).toBeVisible()
})

test('a follow-up that reaches nobody three times closes as 无法回访', async ({ page }) => {
  let c = await dispatchedCase(page)
  const h = await apiAs(page, 'handler')
  c = await h('POST', `/cases/${c.id}/transitions`, { action: 'sign', version: c.version })
  c = await h('POST', `/cases/${c.id}/transitions`, { action: 'resolve', version: c.version, reply: '已清理占道摊点', outcome: 'resolved' })
  await login(page, 'clerk')
  await openCase(page, c.number)
  for (const n of [1, 2, 3]) {
    await act(page, 'follow_up', async (d) => {
      await d.getByTestId('follow-up-method').getByText(n === 2 ? '短信回访' : '电话回访').click()
      await d.getByTestId('reached-no').click()
      await expect(d.getByTestId('attempt-info')).toContainText(`第 ${n} 次未联系上`)
    })
  }
  await expectStatus(page, 'closed')
  await page.getByRole('tab', { name: '回访评价' }).click()
  await expect(page.getByTestId('unreachable')).toBeVisible()
})

test('the clerk sees the caller’s history as the number is typed', async ({ page }) => {
  const phone = freshPhone()
  const c = await acceptedCase(page, phone)
  await login(page, 'clerk')
  await page.getByTestId('menu-intake').click()
  // The last four digits are enough.
  await page.getByLabel('联系电话').fill(phone.slice(-4))
  const panel = page.getByTestId('caller-history')
  await expect(panel).toContainText(c.number)
  await page.getByLabel('联系电话').fill(phone)
  await expect(panel.getByTestId('history-summary')).toContainText('共 1 件，其中在办 1 件')
  await expect(panel).toContainText(c.number)
})

test('an unsure triage is shown beside the form, not filled in; a risky text is suggested urgent with the reason', async ({ page }) => {
  const admin = await apiAs(page, 'admin')
  const before = await admin('GET', '/triage/settings')
  await admin('PUT', '/triage/settings', { fill_min_confidence: 1 })
  try {
    await login(page, 'clerk')
    await page.getByTestId('menu-intake').click()
    await page.getByLabel('联系电话').fill(freshPhone())
    await pickRegion(page, 'in-region', '金桥社区')
    await page.getByLabel('诉求内容').fill('老板拖欠我们三个月工资，再不给钱我就从工地塔吊上跳下去，我们几十个工友明天去市政府门口拉横幅')
    await expect(page.getByTestId('triage-not-filled')).toBeVisible()
    await expect(page.getByTestId('triage-category')).not.toHaveText('')
    // The category stays empty for the clerk to choose.
    await expect(page.getByTestId('in-category').locator('input')).toHaveValue('')
    await expect(page.getByTestId('triage-risk')).toHaveText('高')
    const urgency = page.getByTestId('in-urgency')
    await expect(urgency).not.toContainText('一般')
  } finally {
    await admin('PUT', '/triage/settings', { fill_min_confidence: before.fill_min_confidence })
  }
})

test('the administrator edits, disables and re-enables a user, resets the password, and the user must change it', async ({ page }) => {
  const username = `e2e_${Date.now().toString(36)}`
  const admin = await apiAs(page, 'admin')
  await admin('POST', '/users', { username, name: '测试受理员', password: 'Jinqiao#2026', role: 'clerk', unit: 'cgj' })
  await login(page, 'admin')
  await page.getByTestId('menu-admin').click()
  await page.getByRole('menuitem', { name: '组织机构' }).click()
  await page.getByRole('tab', { name: '用户管理' }).click()
  await page.getByTestId(`edit-user-${username}`).click()
  const dialog = page.getByTestId('edit-user-dialog')
  await dialog.getByTestId('edit-name').fill('测试承办人')
  await dialog.getByTestId('edit-save').click()
  await expectMessage(page, `用户 ${username} 已保存`, 'success')
  await expect(page.getByTestId('user-table')).toContainText('测试承办人')
  await page.getByTestId(`toggle-user-${username}`).click()
  await confirmBox(page)
  await expectMessage(page, `用户 ${username} 已停用`, 'success')
  await expect(page.getByTestId(`user-status-${username}`)).toHaveText('停用')
  await page.getByTestId(`toggle-user-${username}`).click()
  await expectMessage(page, `用户 ${username} 已启用`, 'success')
  await expect(page.getByTestId(`user-status-${username}`)).toHaveText('启用')
  await page.getByTestId(`reset-${username}`).click()
  await confirmBox(page)
  const temp = (await page.getByTestId('temp-password-value').textContent())!.trim()
  expect(temp.length).toBeGreaterThanOrEqual(12)
  await page.getByTestId('temp-password').locator('.el-dialog__footer').getByRole('button', { name: '关闭' }).click()
  // A unit still holding open cases and users is not disabled: the reason is said on screen.
  allowConsoleError(page, /status of 422/)
  await page.getByRole('tab', { name: '组织机构' }).click()
  await page.getByTestId('org-tree').getByText('城管局').click()
  await page.getByTestId('toggle-unit-cgj').click()
  await confirmBox(page)
  await expectMessage(page, '该单位仍有', 'error')
  await logout(page)

  // The user signs in with the temporary password and must choose a new one first.
  await page.getByLabel('用户名').fill(username)
  await page.getByLabel('密码', { exact: true }).fill(temp)
  await page.getByRole('button', { name: '登 录' }).click()
  const pw = page.getByTestId('change-password')
  await expect(pw).toBeVisible()
  await expect(pw).toContainText('管理员已重置您的密码')
  await pw.getByTestId('pw-current').fill(temp)
  await pw.getByTestId('pw-new').fill('Binjiang#2027')
  await pw.getByTestId('pw-again').fill('Binjiang#2027')
  await pw.getByTestId('pw-submit').click()
  await expectMessage(page, '密码已修改', 'success')
  await expect(pw).toBeHidden()
  await expect(page.getByTestId('case-table')).toBeVisible()
})

test('a refusal (403) from the server is shown in the action dialog, inside the viewport', async ({ page }) => {
  const c = await acceptedCase(page)
  await login(page, 'dispatcher')
  await openCase(page, c.number)
  // The server's own refusal body, for a permission withdrawn while the page was open.
  await page.route(`**/api/v1/cases/${c.id}/transitions`, (route) =>
    route.fulfill({ status: 403, contentType: 'application/json', body: JSON.stringify({ error: { code: 'forbidden', message: '角色「派单员」不能对该工单执行「派单」' } }) }),
  )
  allowConsoleError(page, /status of 403/)
  await page.getByTestId('act-reject').click()
  const dialog = page.getByRole('dialog')
  await dialog.getByTestId('reason').fill('不属于受理范围')
  await dialog.getByTestId('action-submit').click()
  const alert = dialog.getByTestId('action-error')
  await expect(alert).toContainText('不能对该工单执行')
  await expect(alert).toBeInViewport()
})

test('the administrator adds a category and takes it out of use', async ({ page }) => {
  const name = `测试${Date.now().toString(36).slice(-4)}`
  await login(page, 'admin')
  await page.getByTestId('menu-admin').click()
  await page.getByTestId('menu-admin-taxonomy').click()
  await page.getByTestId('category-add').click()
  const box = page.locator('.el-message-box:visible')
  await box.locator('input').fill(`城市管理/${name}`)
  await box.locator('.el-message-box__btns .el-button--primary').click()
  await expectMessage(page, `已新增分类「城市管理/${name}」`, 'success')
  await page.getByTestId('tax-q').fill(name)
  await expect(page.getByTestId(`category-status-城市管理/${name}`)).toHaveText('启用')
  await page.getByTestId(`category-toggle-城市管理/${name}`).click()
  await confirmBox(page)
  await expectMessage(page, '已停用', 'success')
  await expect(page.getByTestId(`category-status-城市管理/${name}`)).toHaveText('停用')
})

test('on a 390 px phone the portal’s place picker fits the screen and names streets as people do', async ({ browser }) => {
  const ctx = await browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai', viewport: { width: 390, height: 844 } })
  const page = await ctx.newPage()
  await page.goto('/portal')
  const select = page.getByTestId('p-region')
  await select.click()
  const dropdown = page.locator('.el-select-dropdown:visible').first()
  await expect(dropdown).toBeVisible()
  const box = (await dropdown.boundingBox())!
  expect(box.x).toBeGreaterThanOrEqual(0)
  expect(box.x + box.width).toBeLessThanOrEqual(390)
  await expect(dropdown).not.toContainText('社会治理中心')
  await select.locator('input').fill('金桥社区')
  await page.locator('.el-select-dropdown:visible .el-select-dropdown__item', { hasText: '金桥社区' }).first().click()
  // Picked: the list closes, the choice shows.
  await expect(dropdown).toBeHidden()
  await expect(select).toContainText('金桥社区')
  await ctx.close()
})
