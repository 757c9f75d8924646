import { describe, expect, it } from 'vitest'
import zh from '../../src/i18n/zh'
import en from '../../src/i18n/en'

type Tree = { [k: string]: string | Tree }

function flatten(t: Tree, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(t)) {
    const key = prefix ? `${prefix}.${k}` : k
    if (typeof v === 'string') out[key] = v
    else Object.assign(out, flatten(v, key))
  }
  return out
}

const z = flatten(zh as unknown as Tree)
const e = flatten(en as unknown as Tree)
const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()

describe('i18n', () => {
  it('has the same keys in Chinese and English', () => {
    expect(Object.keys(e).sort()).toEqual(Object.keys(z).sort())
  })
  it('has no empty message', () => {
    for (const [k, v] of [...Object.entries(z), ...Object.entries(e)]) expect(v.trim(), k).not.toBe('')
  })
  it('uses the same placeholders in both languages', () => {
    for (const k of Object.keys(z)) expect(placeholders(e[k] ?? ''), k).toEqual(placeholders(z[k]))
  })
  it('says English in English: no Chinese characters in en', () => {
    const exceptions = new Set(['app.name'])
    for (const [k, v] of Object.entries(e)) if (!exceptions.has(k)) expect(/[\u4e00-\u9fff]/.test(v), `${k}: ${v}`).toBe(false)
  })
  it('labels every action of the state machine in both languages', () => {
    const actions = ['accept', 'reject', 'answer', 'dispatch', 'sign', 'return', 'request_extension', 'decide_extension', 'resolve', 'follow_up', 'reopen', 'supervise', 'urge', 'escalate', 'merge', 'close', 'suspend', 'resume', 'recall']
    for (const a of actions) {
      expect(z[`action.${a}`], a).toBeTruthy()
      expect(e[`action.${a}`], a).toBeTruthy()
    }
  })
})
