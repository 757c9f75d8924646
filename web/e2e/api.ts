// The API as a test's second pair of hands: another user acts (a dispatcher dispatches) while the page shows what
// the signed-in user sees. Requests go to the same server the pages use (Playwright's baseURL).
import { expect } from '@playwright/test'
import type { APIRequestContext, Page } from '@playwright/test'
import { PASSWORD } from './fixtures'

type Json = Record<string, unknown>

/** A bearer token for `username`. */
export async function apiToken(request: APIRequestContext, username: string): Promise<string> {
  const r = await request.post('/api/v1/auth/login', { data: { username, password: PASSWORD } })
  expect(r.status(), `login ${username}`).toBe(200)
  return ((await r.json()) as { token: string }).token
}

/** The token of the user signed in on the page (what the page itself sends). */
export async function pageToken(page: Page): Promise<string> {
  const t = await page.evaluate(() => localStorage.getItem('ow_token'))
  expect(t, 'signed in on the page').toBeTruthy()
  return t!
}

export async function apiGet<T = Json>(request: APIRequestContext, token: string, path: string): Promise<T> {
  const r = await request.get(`/api/v1${path}`, { headers: { Authorization: `Bearer ${token}`, 'Accept-Language': 'zh-CN' } })
  expect(r.status(), `GET ${path}: ${await r.text()}`).toBe(200)
  return (await r.json()) as T
}

export async function apiPost<T = Json>(request: APIRequestContext, token: string, path: string, data: Json, status = 200): Promise<T> {
  const r = await request.post(`/api/v1${path}`, { headers: { Authorization: `Bearer ${token}`, 'Accept-Language': 'zh-CN' }, data })
  expect(r.status(), `POST ${path}: ${await r.text()}`).toBe(status)
  return (await r.json()) as T
}

export interface ApiCase {
  id: string
  number: string
  version: number
  status: string
  hub_name: string
  title: string
}

/** A community's region code by the community's name (the demo district's org). */
export async function regionOf(request: APIRequestContext, token: string, name: string): Promise<string> {
  const units = await apiGet<{ name: string; region: string; level: string }[]>(request, token, '/units')
  const u = units.find((x) => x.name === name && x.level === 'community')
  expect(u, `community ${name}`).toBeTruthy()
  return u!.region
}

/** Registers a case by phone (as a clerk takes a call): it stays 待受理, nothing is dispatched automatically. */
export async function newCase(request: APIRequestContext, token: string, over: Json = {}): Promise<ApiCase> {
  const region = await regionOf(request, token, '金桥社区')
  return apiPost<ApiCase>(
    request,
    token,
    '/cases',
    {
      title: '文昌路占道经营',
      description: '市民来电反映：文昌路 18 号门口每天傍晚有流动摊贩占道经营，人行道被堵，希望城管处理。',
      nature: 'complaint',
      category: '城市管理/占道经营',
      urgency: 'normal',
      source: 'phone',
      reporter: { name: '周女士', phone: '13900001111' },
      location: { address: '临江区临江街道金桥社区文昌路 18 号', region },
      ...over,
    },
    201,
  )
}

/** Takes a transition with the case's current version. */
export async function apiAct(request: APIRequestContext, token: string, c: ApiCase, action: string, args: Json = {}): Promise<ApiCase> {
  return apiPost<ApiCase>(request, token, `/cases/${c.id}/transitions`, { action, version: c.version, ...args })
}

/**
 * A handler account of department `unit` (e.g. `wjw` 卫健委, `gaj` 公安局): created by the admin the first time
 * (username `e2e_<unit>`, password DEPT_PASSWORD), then signed in. Returns { username, token }.
 */
export async function deptUser(request: APIRequestContext, unit: string): Promise<{ username: string; token: string }> {
  const { DEPT_PASSWORD } = await import('./fixtures')
  const username = `e2e_${unit}`
  const admin = await apiToken(request, 'admin')
  const r = await request.post('/api/v1/users', {
    headers: { Authorization: `Bearer ${admin}` },
    data: { username, password: DEPT_PASSWORD, role: 'handler', unit, name: `${unit}经办人` },
  })
  expect([201, 409], `create ${username}: ${await r.text()}`).toContain(r.status())
  const l = await request.post('/api/v1/auth/login', { data: { username, password: DEPT_PASSWORD } })
  expect(l.status(), `login ${username}`).toBe(200)
  return { username, token: ((await l.json()) as { token: string }).token }
}
