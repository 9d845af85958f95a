import type { SpreadsheetInfoDto } from '@shared/contract/imports-shapes'
import type { Core } from '../../core/app-core'
import { DomainError } from '../../core/errors'
import type { ImportPlan } from '../plan'

const NOT_YET = () => new DomainError('bad_import_file', 'L’import de tableurs (CSV, XLSX) n’est pas encore disponible.', 400)

export async function inspectSpreadsheet(_core: Core, _format: 'csv' | 'xlsx', _data: Buffer): Promise<SpreadsheetInfoDto> {
  throw NOT_YET()
}

export async function planFromSpreadsheet(_core: Core, _format: 'csv' | 'xlsx', _data: Buffer, _mapping: string[], _today: string): Promise<ImportPlan> {
  throw NOT_YET()
}
