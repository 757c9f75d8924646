import type { Category, Unit } from '../api/types'

export interface TreeOption {
  value: string
  label: string
  children?: TreeOption[]
  unit?: Unit
  [key: string]: unknown
}

/** The org tree (flat list with parents) as nested options; `filter` picks which units take part. */
export function unitTree(units: Unit[], filter: (u: Unit) => boolean = () => true): TreeOption[] {
  const kept = units.filter(filter)
  const byCode = new Map<string, TreeOption>()
  for (const u of kept) byCode.set(u.code, { value: u.code, label: u.name, unit: u })
  const roots: TreeOption[] = []
  for (const u of kept) {
    const node = byCode.get(u.code)!
    const parent = u.parent ? byCode.get(u.parent) : undefined
    if (parent) (parent.children ??= []).push(node)
    else roots.push(node)
  }
  return roots
}

/**
 * The region cascader: the hubs (区 → 镇街 → 村社) with their region codes as values. The district itself is
 * the root; its streets are the first level users pick from.
 */
export function regionOptions(units: Unit[]): TreeOption[] {
  const hubs = units.filter((u) => u.kind === 'hub')
  const tree = unitTree(hubs)
  const withRegion = (n: TreeOption): TreeOption => ({
    value: n.unit!.region,
    label: n.label,
    unit: n.unit,
    children: n.children?.map(withRegion),
  })
  const top = tree.map(withRegion)
  // One district at the root: show its streets directly.
  if (top.length === 1 && top[0].children?.length) return top[0].children
  return top
}

/** The path of region codes from the top of `regionOptions` to `region`, for a cascader's value. */
export function regionPath(options: TreeOption[], region: string): string[] {
  const walk = (nodes: TreeOption[], path: string[]): string[] | null => {
    for (const n of nodes) {
      const p = [...path, n.value]
      if (n.value === region) return p
      if (n.children) {
        const r = walk(n.children, p)
        if (r) return r
      }
    }
    return null
  }
  return walk(options, []) ?? []
}

/** The category cascader (一级 → 二级) from the catalogue; values are `一级` and `一级/二级`. */
export function categoryOptions(cats: Category[]): TreeOption[] {
  const tops = new Map<string, TreeOption>()
  for (const c of cats) {
    const top = c.top || c.category.split('/')[0]
    const sub = c.sub || c.category.split('/')[1] || ''
    let node = tops.get(top)
    if (!node) {
      node = { value: top, label: top, children: [] }
      tops.set(top, node)
    }
    if (sub) node.children!.push({ value: `${top}/${sub}`, label: sub })
  }
  return [...tops.values()]
}

/** Hubs above `hub` (nearest first): where a case may be escalated (上报). */
export function ancestorHubs(units: Unit[], hub: string): Unit[] {
  const byCode = new Map(units.map((u) => [u.code, u]))
  const out: Unit[] = []
  let cur = byCode.get(hub)?.parent
  while (cur) {
    const u = byCode.get(cur)
    if (!u) break
    if (u.kind === 'hub') out.push(u)
    cur = u.parent ?? undefined
  }
  return out
}

/** Units a dispatcher at `hub` may dispatch to: the district's departments and the hubs/units under `hub`. */
export function dispatchTargets(units: Unit[], hub: string): Unit[] {
  const children = new Map<string, Unit[]>()
  for (const u of units) if (u.parent) (children.get(u.parent) ?? children.set(u.parent, []).get(u.parent)!).push(u)
  const below: Unit[] = []
  const walk = (code: string) => {
    for (const c of children.get(code) ?? []) {
      below.push(c)
      walk(c.code)
    }
  }
  walk(hub)
  const departments = units.filter((u) => u.kind === 'department')
  const seen = new Set<string>()
  const out: Unit[] = []
  for (const u of [...departments, ...below]) {
    // A unit out of service takes no new work.
    if (seen.has(u.code) || u.disabled) continue
    seen.add(u.code)
    out.push(u)
  }
  return out
}

/** A hub's name as the public reads it: the street, not its centre (临江街道社会治理中心 → 临江街道). */
export function publicName(name: string): string {
  return name.replace(/社会治理(综合服务)?中心$/, '').trim() || name
}

export interface PlaceGroup {
  label: string
  options: { value: string; label: string }[]
}

/**
 * The places a citizen picks from, for one select that fits a phone: per street/town (its public name) the street
 * itself ("not sure which community") and its communities, values being region codes.
 */
export function placeGroups(units: Unit[], streetItself: string): PlaceGroup[] {
  const hubs = units.filter((u) => u.kind === 'hub' && !u.disabled)
  return hubs
    .filter((u) => u.level === 'street')
    .map((s) => ({
      label: publicName(s.name),
      options: [
        { value: s.region, label: `${publicName(s.name)}（${streetItself}）` },
        ...hubs.filter((c) => c.parent === s.code).map((c) => ({ value: c.region, label: publicName(c.name) })),
      ],
    }))
}
