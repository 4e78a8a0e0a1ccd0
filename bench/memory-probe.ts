/**
 * Run by bench/memory.ts in a process of its own (`node --expose-gc`): heap after 1k SDK calls and
 * after `total`, each measured after a full collection. Prints one JSON line.
 */
import { server } from './lib/sdk.js'

const [url, user, total] = [process.argv[2]!, process.argv[3]!, Number(process.argv[4] ?? 100_000)]
const gc = (globalThis as { gc?: () => void }).gc
if (!gc) throw new Error('run with node --expose-gc')

async function heapAfterCollection(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc!()
    await new Promise((r) => setImmediate(r))
  }
  return process.memoryUsage().heapUsed
}

const sdk = server.createAvolveDb({ connection: url, pool: { max: 8 } })
const me = await sdk.asUser({ sub: user, role: 'authenticated', exp: Math.floor(Date.now() / 1000) + 3600 })
let done = 0
async function callsUntil(n: number) {
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (done < n) {
        done++
        // A mix of what an app does: reads, a validation failure, a database refusal.
        const k = done % 4
        if (k === 0) await me.tokens.balance('GEN')
        else if (k === 1) await me.consent.has('terms_of_service')
        else if (k === 2) await me.tokens.transfer({ to: user, tokenType: 'GEN', amount: '1' }).catch(() => {})
        else await me.tokens.transfer({ to: '00000000-0000-4000-8000-000000000000', tokenType: 'GEN', amount: '1' }).catch(() => {})
      }
    }),
  )
}
await callsUntil(1_000)
const after1k = await heapAfterCollection()
await callsUntil(total)
const afterTotal = await heapAfterCollection()
await sdk.destroy()
console.log(JSON.stringify({ calls: done, after1kBytes: after1k, afterTotalBytes: afterTotal }))
