/**
 * The SDK as apps run it: the built package in dist/ (`npm run bench` builds it first), typed by its
 * sources. Benchmarks import the SDK from here, never from src/, so they time the shipped code.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { packageRoot } from '../../src/tooling/migrations.js'

const dist = (entry: string) => {
  const path = join(packageRoot(), 'dist', `${entry}.js`)
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`npm run build\` (npm run bench does) first`)
  return pathToFileURL(path).href
}

export const server = (await import(dist('server'))) as typeof import('../../src/server.js')
export const client = (await import(dist('client'))) as typeof import('../../src/client.js')
