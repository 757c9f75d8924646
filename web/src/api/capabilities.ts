// Which optional endpoints this server has, from its OpenAPI document (read once). Pages ask before calling an
// endpoint that an older server may lack, instead of drawing a 404 on every page.
import { get } from './http'

let pathsP: Promise<Set<string>> | null = null

function paths(): Promise<Set<string>> {
  pathsP ??= get<{ paths?: Record<string, unknown> }>('/openapi.json', undefined, { auth: false }).then(
    (doc) => new Set(Object.keys(doc.paths ?? {}).map((p) => p.replace(/^\/api\/v1/, ''))),
    () => new Set<string>(),
  )
  return pathsP
}

/** Whether the server documents `path` (as written in the OpenAPI document, e.g. `/cases/{id}/related`). */
export async function hasEndpoint(path: string): Promise<boolean> {
  return (await paths()).has(path)
}
