import { ValidationError } from '../../errors/avolve-error.js'
import { parseInput } from '../../errors/validation.js'
import type { TokenCode } from '../../generated/vocabularies.js'
import { tokenCodeSchema } from '../../schemas/tokens.js'
import type { UnitOfWork } from '../data-port.js'
import type { TokenType, TokenTypeNode, TokenTypeRow } from '../records.js'
import { decodeRow } from '../row-codec.js'
import { catalogTree, shapeCatalog } from '../token-catalog-shape.js'
import type { TokenTypeCatalog } from '../token-type-catalog.js'
import { onlySelect } from './only-select.js'

/** TokenTypeCatalog over any adapter's DataPort. The catalog is read afresh on each call. */
export class PortTokenTypeCatalog implements TokenTypeCatalog {
  constructor(private readonly work: UnitOfWork) {}

  async list(): Promise<TokenType[]> {
    const rows = await this.work.run((port) => onlySelect(port, { relation: 'token_types', where: [[]], orderBy: [{ column: 'code', descending: false }] }), {
      idempotent: true,
    })
    return shapeCatalog(rows.map((r) => decodeRow<TokenTypeRow>('token_types', r)))
  }

  async get(code: TokenCode): Promise<TokenType> {
    const c = parseInput(tokenCodeSchema, code, 'token type')
    const found = (await this.list()).find((t) => t.code === c)
    if (!found) throw new ValidationError({ code: 'unknown_token_type', message: `unknown token type ${c}: it is not in public.token_types` })
    return found
  }

  async tree(): Promise<TokenTypeNode> {
    return catalogTree(await this.list())
  }
}
