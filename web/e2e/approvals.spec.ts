// 工程建设项目审批 (issue 22, item 3): the clerk registers a project and submits its first stage (its one form as
// key/value rows); 自然资源和规划分局's reviewer approves one review and pauses another for an intermediary (中介), the
// lanes show it; a stale click (someone resumed it meanwhile) is refused with a conflict and the page reloads;
// 生态环境局 approves its own review and sees no buttons on the others'; once stage 1 is approved the window may submit
// stage 2. The demo's completed project (临江科创园二期) shows four approved stages and a report where the serial
// total is larger than the parallel one; the list's summary and the cockpit show the same comparison.
import { test, expect, login, loginAs, logout, expectMessage, allowConsoleError, freshPhone, DEPT_PASSWORD } from './fixtures'
import type { Page } from '@playwright/test'
import { apiGet, apiPost, apiToken, deptUser } from './api'

interface Review {
  code: string
  status: string
  version: number
}
interface Approval {
  id: string
  name: string
  status: string
  version: number
  stages: { code: string; status: string; reviews: Review[] }[]
  report: { parallel_working_days: number; serial_working_days: number; saved_working_days: number }
}

const lane = (page: Page, code: string) => page.getByTestId('review-lane').and(page.locator(`[data-code="${code}"]`))
const section = (page: Page, code: string) => page.getByTestId('stage-section').and(page.locator(`[data-code="${code}"]`))
const review = (a: Approval, code: string) => a.stages.flatMap((s) => s.reviews).find((r) => r.code === code)!

test('the clerk registers a project and submits stage 1; reviewers approve and pause for 中介 in parallel lanes (审批)', async ({ page, request }) => {
  // Four sign-ins and three departments' accounts: about 45 s on a quiet machine.
  test.setTimeout(180_000)
  const stamp = freshPhone().slice(-6)
  const name = `临江智造产业园${stamp}`
  await login(page, 'clerk')
  await page.getByTestId('menu-approvals').click()
  await expect(page).toHaveURL(/\/approvals$/)
  await page.getByTestId('approval-create').click()
  const dialog = page.getByTestId('approval-create-dialog')
  // The required fields are checked before anything is sent.
  await page.getByTestId('ac-submit').click()
  await expect(dialog).toContainText('项目名称为必填项')
  await page.getByTestId('ac-name').fill(name)
  await page.getByTestId('ac-code').fill(`2026-330188-47-01-${stamp}`)
  await page.getByTestId('ac-applicant').fill('临江智造投资有限公司')
  await page.getByTestId('ac-phone').fill('0571-86005678')
  await page.getByTestId('ac-submit').click()
  await expectMessage(page, `已登记项目：${name}`, 'success')
  await expect(page).toHaveURL(/\/approvals\/[0-9a-f-]{36}$/)
  const id = page.url().split('/').pop()!
  await expect(page.getByTestId('approval-title')).toHaveText(name)
  await expect(page.getByTestId('stage-step')).toHaveCount(4)
  await expect(page.getByTestId('stage-step').and(page.locator('[data-code="completion_acceptance"]')).getByTestId('stage-joint')).toHaveText('联合验收')
  // Only the first stage may be submitted.
  await expect(page.getByTestId('stage-submit')).toHaveCount(1)
  await section(page, 'land_planning').getByTestId('stage-submit').click()
  await page.getByTestId('kv-value-0').fill('地上 6 层，建筑面积 1.2 万平方米')
  await page.getByTestId('kv-value-1').fill('8000 万元')
  await page.getByTestId('kv-value-2').fill('临江区东湖街道')
  await page.getByTestId('stage-submit-confirm').click()
  await expectMessage(page, '已提交「立项用地规划许可」，3 个审查事项开始并联办理', 'success')
  await expect(section(page, 'land_planning')).toHaveAttribute('data-status', 'in_progress')
  await expect(section(page, 'land_planning').getByTestId('stage-form')).toContainText('8000 万元')
  for (const code of ['site_selection', 'land_use_permit', 'eia_approval']) {
    await expect(lane(page, code)).toHaveAttribute('data-status', 'in_progress')
    await expect(lane(page, code).getByTestId('review-bar')).toBeVisible()
  }
  await expect(page.getByTestId('stage-submit')).toHaveCount(0)
  // The window does not review.
  await expect(page.getByTestId('review-approve')).toHaveCount(0)
  await logout(page)

  // 自然资源和规划分局: its two reviews have buttons, 生态环境局's has none.
  const zrzyj = await deptUser(request, 'zrzyj')
  await loginAs(page, zrzyj.username, DEPT_PASSWORD)
  await page.goto(`/approvals/${id}`)
  await expect(page.getByTestId('approval-mine')).toContainText('2 项')
  await expect(lane(page, 'eia_approval').getByTestId('review-approve')).toHaveCount(0)
  await lane(page, 'site_selection').getByTestId('review-approve').click()
  await page.getByTestId('rd-opinion').fill('选址符合国土空间规划')
  await page.getByTestId('rd-submit').click()
  await expectMessage(page, '已通过：用地预审与选址意见书', 'success')
  await expect(lane(page, 'site_selection')).toHaveAttribute('data-status', 'approved')
  await expect(lane(page, 'site_selection').getByTestId('review-opinion')).toContainText('选址符合国土空间规划')
  await expect(lane(page, 'site_selection').getByTestId('review-approve')).toHaveCount(0)

  // A pause needs its reason (补正 or 中介).
  await lane(page, 'land_use_permit').getByTestId('review-pause-btn').click()
  await page.getByTestId('rd-submit').click()
  await expect(page.getByTestId('review-dialog')).toContainText('请选择暂停原因')
  await page.getByTestId('rd-kind-intermediary').click()
  await page.getByTestId('rd-opinion').fill('等待日照分析中介报告')
  await page.getByTestId('rd-submit').click()
  await expectMessage(page, '已暂停计时（中介服务）：建设用地规划许可证', 'success')
  const paused = lane(page, 'land_use_permit')
  await expect(paused).toHaveAttribute('data-status', 'paused')
  await expect(paused.getByTestId('review-status')).toHaveText('暂停·中介服务')
  await expect(paused.getByTestId('review-pause')).toHaveAttribute('data-kind', 'intermediary')
  await expect(paused.getByTestId('review-pause')).toContainText('中介服务')
  await expect(paused.getByTestId('review-pause')).toContainText('等待日照分析中介报告')
  await expect(paused.getByTestId('review-pause-bar')).toHaveCount(1)
  await expect(paused.getByTestId('review-resume')).toBeVisible()

  // Someone at the same department resumes it meanwhile: the page's click is stale, says so and reloads.
  let a = await apiGet<Approval>(request, zrzyj.token, `/approvals/${id}`)
  a = await apiPost<Approval>(request, zrzyj.token, `/approvals/${id}/reviews/land_use_permit/actions`, { action: 'resume', version: review(a, 'land_use_permit').version })
  allowConsoleError(page, /status of 409/)
  await paused.getByTestId('review-resume').click()
  await expectMessage(page, '该项目已被他人更新，已重新加载', 'warning')
  await expect(paused).toHaveAttribute('data-status', 'in_progress')
  await expect(paused.getByTestId('review-pause')).not.toContainText('暂停中')
  await logout(page)

  // 生态环境局 approves its review in its own lane.
  const sthjj = await deptUser(request, 'sthjj')
  await loginAs(page, sthjj.username, DEPT_PASSWORD)
  await page.goto(`/approvals/${id}`)
  await expect(lane(page, 'land_use_permit').getByTestId('review-approve')).toHaveCount(0)
  await lane(page, 'eia_approval').getByTestId('review-approve').click()
  await page.getByTestId('rd-submit').click()
  await expectMessage(page, '已通过：环境影响评价文件审批', 'success')
  await expect(lane(page, 'eia_approval')).toHaveAttribute('data-status', 'approved')
  await expect(section(page, 'land_planning')).toHaveAttribute('data-status', 'in_progress')
  await logout(page)

  // The last review approved: stage 1 is done and the window may submit stage 2.
  a = await apiGet<Approval>(request, zrzyj.token, `/approvals/${id}`)
  a = await apiPost<Approval>(request, zrzyj.token, `/approvals/${id}/reviews/land_use_permit/actions`, { action: 'approve', version: review(a, 'land_use_permit').version })
  expect(a.stages[0].status).toBe('approved')
  await login(page, 'clerk')
  await page.goto(`/approvals/${id}`)
  await expect(page.getByTestId('stage-step').and(page.locator('[data-code="land_planning"]'))).toHaveAttribute('data-status', 'approved')
  await expect(section(page, 'building_permit').getByTestId('stage-submit')).toBeVisible()
  await expect(page.getByTestId('stage-submit')).toHaveCount(1)
})

test('the demo’s completed project shows four approved stages and serial > parallel; the summary and the cockpit agree (审批)', async ({ page, request }) => {
  const list = await apiGet<Approval[]>(request, await apiToken(request, 'supervisor'), '/approvals')
  const done = list.find((x) => x.name === '临江科创园二期')!
  expect(done.status).toBe('completed')
  expect(done.report.serial_working_days).toBeGreaterThan(done.report.parallel_working_days)

  await login(page, 'supervisor')
  await page.getByTestId('menu-approvals').click()
  // The list, filtered to completed projects.
  await page.getByTestId('af-status-completed').click()
  await expect(page).toHaveURL(/status=completed/)
  const row = page.getByTestId('approval-table').locator('tr.el-table__row', { hasText: '临江科创园二期' })
  await expect(row.getByTestId('approval-status')).toHaveText('已办结')
  await expect(row.getByTestId('approval-days')).toHaveText(String(done.report.parallel_working_days))
  await expect(page.getByTestId('approval-table').locator('tr.el-table__row', { hasText: '东湖街道农贸市场改造' })).toHaveCount(0)
  // The summary: per stage against the limit, and parallel against serial.
  await expect(page.getByTestId('report-stage')).toHaveCount(4)
  const saving = page.getByTestId('approval-saving')
  await expect(saving).toContainText('并联')
  await expect(saving).toContainText('串联')
  const par = Number(await saving.getAttribute('data-parallel'))
  const ser = Number(await saving.getAttribute('data-serial'))
  expect(ser).toBeGreaterThan(par)
  await expect(page.getByTestId('chart-approval-compare')).toBeVisible()
  await expect(page.getByTestId('chart-approval-stages')).toBeVisible()

  // The project: four approved stages, the joint acceptance marked, the intermediary's pause drawn, the report.
  await row.getByTestId('approval-link').click()
  await expect(page.getByTestId('approval-title')).toHaveText('临江科创园二期')
  await expect(page.getByTestId('stage-step').and(page.locator('[data-status="approved"]'))).toHaveCount(4)
  await expect(section(page, 'completion_acceptance')).toContainText('联合验收')
  await expect(section(page, 'building_permit').getByTestId('review-pause').first()).toHaveAttribute('data-kind', 'intermediary')
  await expect(page.getByTestId('review-lane')).toHaveCount(done.stages.reduce((n, s) => n + s.reviews.length, 0))
  const p = Number(await page.getByTestId('report-parallel').textContent())
  const s = Number(await page.getByTestId('report-serial').textContent())
  expect(s).toBeGreaterThan(p)
  expect(p).toBe(done.report.parallel_working_days)
  await expect(page.getByTestId('report-saved')).toHaveText(String(s - p))
  // Nothing to act on: the supervisor is neither the window nor a reviewing department.
  await expect(page.getByTestId('stage-submit')).toHaveCount(0)
  await expect(page.getByTestId('review-approve')).toHaveCount(0)

  // The cockpit's panel.
  await page.getByTestId('menu-cockpit').click()
  const panel = page.getByTestId('cockpit-approvals')
  await expect(panel).toBeVisible()
  const c = panel.getByTestId('cockpit-approvals-compare')
  expect(Number(await c.getAttribute('data-serial'))).toBeGreaterThan(Number(await c.getAttribute('data-parallel')))
  await panel.getByTestId('cockpit-approvals-link').click()
  await expect(page).toHaveURL(/\/approvals$/)
})
