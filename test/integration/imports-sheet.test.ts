/**
 * Import from CSV and XLSX (#14 part 2): encodings and separators detected,
 * columns mapped (guessed, then remembered), rows refused with their number
 * and reason, formulas never evaluated, the template file checked by
 * LibreOffice and imported as is.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import ExcelJS from 'exceljs'
import iconv from 'iconv-lite'
import * as XLSX from 'xlsx'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { TEMPLATE_COLUMNS } from '@shared/imports/fields'
import { previewImport } from '../../src-main/imports/preview'
import { importTemplate } from '../../src-main/imports/sheet/template'
import { receiveImportUpload } from '../../src-main/imports/uploads'
import { openTestCore, seedStaff, type SeededStaff, type TestCore } from '../helpers/core'
import { PDF } from '../helpers/files'
import { count, importFile, request } from '../helpers/imports'

const tmp = mkdtempSync(join(tmpdir(), 'ribambelle-sheet-'))
let core: TestCore
let director: SeededStaff
beforeAll(async () => {
  core = await openTestCore()
  director = await seedStaff(core, 'direction')
})
afterAll(async () => {
  await core.cleanup()
  rmSync(tmp, { recursive: true, force: true })
})

const template = async (format: 'csv' | 'xlsx') => Buffer.from((await importTemplate(format)).contentBase64, 'base64')
const upload = (name: string, data: Buffer) => receiveImportUpload(core, director.actor, name, data)
const refusal = (name: string, data: Buffer) =>
  upload(name, data).then(
    () => 'accepted',
    (e) => e.message as string
  )
const csv = (lines: string[], sep = ';') => lines.map((l) => l.replace(/;/g, sep)).join('\r\n')

async function xlsx(rows: ExcelJS.CellValue[][], sheet = 'Familles'): Promise<Buffer> {
  const wb = new ExcelJS.Workbook()
  const ws = wb.addWorksheet(sheet)
  for (const r of rows) ws.addRow(r)
  return Buffer.from(await wb.xlsx.writeBuffer())
}

describe('the template', () => {
  test('XLSX: LibreOffice opens it, an independent reader finds the columns, the examples and the explanations', async () => {
    const data = await template('xlsx')
    const file = join(tmp, 'modele-import-familles.xlsx')
    writeFileSync(file, data)
    execFileSync('soffice', ['--headless', '--norestore', `-env:UserInstallation=file://${join(tmp, 'lo')}`, '--convert-to', 'csv', '--outdir', tmp, file], { timeout: 120_000, stdio: 'ignore' })
    const converted = readFileSync(join(tmp, 'modele-import-familles.csv'), 'utf8').split(/\r?\n/)
    expect(converted[0].split(',').length).toBe(TEMPLATE_COLUMNS.length)
    expect(converted[1]).toContain('claire.exemple@example.org')
    const wb = XLSX.read(data)
    expect(wb.SheetNames).toEqual(['Familles', 'Explications'])
    const rows = XLSX.utils.sheet_to_json<string[]>(wb.Sheets.Familles, { header: 1 })
    expect(rows[0]).toEqual(TEMPLATE_COLUMNS.map((c) => c.title))
    expect(rows[1][TEMPLATE_COLUMNS.findIndex((c) => c.field === 'r1TelPortable')]).toBe('06 39 98 00 01')
    const help = XLSX.utils.sheet_to_json<string[]>(wb.Sheets.Explications, { header: 1 }).map((r) => r.join(' | '))
    expect(help.join('\n')).toContain('Une ligne par enfant')
    expect(help).toContain('Date de naissance de l’enfant | Personne de la ligne (enfant, ou selon le rôle) — Date de naissance | Obligatoire pour un enfant. JJ/MM/AAAA.')
  }, 150_000)

  test.each(['csv', 'xlsx'] as const)('%s: every column is recognised, and the example families import', async (format) => {
    const c = await openTestCore()
    try {
      const staff = await seedStaff(c, 'direction')
      const data = await template(format)
      const { upload: up, preview, batch } = await importFile(c, staff.actor, `modele-import-familles.${format}`, data)
      expect(up.spreadsheet!.mapping).toEqual(TEMPLATE_COLUMNS.map((col) => col.field))
      expect(preview.refusedCount).toBe(0)
      expect(batch.counts).toMatchObject({ families: 2, persons: 3, children: 3, quotients: 1, healthFiles: 2 })
      const emma = c.db.prepare(`SELECT c.birth_date, c.sex, c.grade, f.allergies, f.allergy_notes, f.meal_type FROM child c JOIN child_file f ON f.child_id = c.id WHERE c.first_name = 'Emma'`).get()
      expect(emma).toEqual({ birth_date: '2021-09-08', sex: 'F', grade: 'PS', allergies: 1, allergy_notes: 'Arachide', meal_type: 'sans-porc' })
      expect(c.db.prepare(`SELECT civility, phone_mobile, phone_home, email FROM person WHERE first_name = 'Karim'`).get()).toEqual({ civility: 'M.', phone_mobile: '06 39 98 00 03', phone_home: '01 99 00 00 03', email: 'karim.modele@example.org' })
      expect(c.db.prepare(`SELECT regime, allocataire_number, quotient, quotient_valid_until FROM family_caf JOIN person p USING (family_id) WHERE p.first_name = 'Claire'`).get()).toEqual({ regime: 'general', allocataire_number: '1234567', quotient: 742, quotient_valid_until: '2026-12-31' })
    } finally {
      await c.cleanup()
    }
  })
})

describe('reading CSV files', () => {
  const header = 'N° famille;Nom du responsable;Prénom du responsable;Mail du responsable;Nom de l’enfant;Prénom de l’enfant;Date de naissance de l’enfant'
  const rows = ['1;Lefèvre;Hélène;helene@example.org;Lefèvre;Zoé;12/05/2016', '1;Lefèvre;Hélène;helene@example.org;Lefèvre;Noël;3/1/2019', '2;Müller;François;francois@example.org;Müller;Anaïs;2015-09-30']

  test('Windows-1252 with semicolons (Excel « CSV séparateur point-virgule »): accents intact', async () => {
    const up = await upload('familles.csv', iconv.encode(csv([header, ...rows]), 'win1252'))
    expect(up.spreadsheet!.facts).toEqual(expect.arrayContaining([{ label: 'Encodage', value: 'Windows-1252' }, { label: 'Séparateur', value: 'point-virgule (;)' }]))
    const p = await previewImport(core, director.actor, request(up.uploadId, { mapping: up.spreadsheet!.mapping as never }))
    expect(p.sample.map((s) => s.children)).toEqual([['Zoé LEFÈVRE', 'Noël LEFÈVRE'], ['Anaïs MÜLLER']])
  })

  test('UTF-8 without BOM, with commas; UTF-16 with tabs (Excel « Texte Unicode »)', async () => {
    const a = await upload('a.csv', Buffer.from(csv([header, ...rows], ','), 'utf8'))
    expect(a.spreadsheet!.facts).toEqual(expect.arrayContaining([{ label: 'Encodage', value: 'UTF-8' }, { label: 'Séparateur', value: 'virgule (,)' }]))
    expect(a.spreadsheet!.samples[0]).toContain('Hélène')
    const b = await upload('b.txt', Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(csv([header, ...rows], '\t'), 'utf-16le')]))
    expect(b.spreadsheet!.facts).toEqual(expect.arrayContaining([{ label: 'Encodage', value: 'UTF-16' }, { label: 'Séparateur', value: 'tabulation' }]))
    expect(b.spreadsheet!.samples[2]).toContain('Anaïs')
  })

  test('a broken encoding is refused with the line to look at', async () => {
    const mixed = Buffer.concat([Buffer.from(`${header}\r\n${rows[0]}\r\n`, 'utf8'), iconv.encode(`${rows[2]}\r\n`, 'win1252')])
    expect(await refusal('mixte.csv', mixed)).toMatch(/^Le fichier « mixte\.csv » mélange deux encodages : la ligne 1 est en UTF-8 \(« .*PrÃ©nom.* »\), la ligne 3 en Windows-1252 \(« 2;Müller;François;francois@exa »\)\. Les accents seraient abîmés\./)
    const twice = Buffer.from(`${header}\r\n${rows[0].replace('Hélène', 'HÃ©lÃ¨ne')}\r\n`, 'utf8')
    expect(await refusal('deux-fois.csv', twice)).toMatch(/^L’encodage du fichier « deux-fois\.csv » est abîmé : ligne 2, « .*HÃ©lÃ¨ne.* » \(des accents convertis deux fois\)\./)
  })

  test('duplicate columns are refused; two columns mapped to one field too', async () => {
    expect(await refusal('doublon.csv', Buffer.from('Nom;Prénom;nom\nA;B;C\n'))).toBe(
      'Les colonnes A et C portent le même titre « nom » : donnez un titre différent à chaque colonne (par exemple « Nom de l’enfant » et « Nom du responsable »), puis envoyez le fichier à nouveau.'
    )
    const up = await upload('ok.csv', Buffer.from(csv([header, ...rows])))
    const mapping = [...up.spreadsheet!.mapping]
    mapping[3] = 'r1Nom'
    await expect(previewImport(core, director.actor, request(up.uploadId, { mapping: mapping as never }))).rejects.toMatchObject({
      code: 'bad_mapping',
      message: 'Les colonnes « Nom du responsable » (B) et « Mail du responsable » (D) sont toutes deux associées à « Nom (responsable 1) » : gardez-en une seule.'
    })
  })

  test('not a SQLite, CSV or XLSX file: PDF, old .xls and .ods are refused in French', async () => {
    expect(await refusal('scan.pdf', PDF)).toBe('Ce fichier n’est ni un fichier Noethys (…_DATA.dat, sauvegarde .nod ou .noc), ni un tableur CSV ou XLSX : il ne peut pas être importé.')
    expect(await refusal('vieux.xls', Buffer.concat([Buffer.from('d0cf11e0a1b11ae1', 'hex'), Buffer.alloc(512)]))).toMatch(/^Ce tableur est à l’ancien format Excel \(\.xls\)/)
    expect(await refusal('image.png', Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'))).toMatch(/^Ce fichier n’est ni un fichier Noethys/)
    // A small OpenDocument spreadsheet (zip with its mimetype), made with Python's zipfile.
    expect(await refusal('tableur.ods', readFileSync(join(__dirname, '..', 'fixtures', 'imports', 'tableur.ods')))).toMatch(/^Ce tableur est au format OpenDocument \(\.ods\)/)
    expect(count(core, 'SELECT COUNT(*) FROM import_upload WHERE name IN (\'scan.pdf\', \'vieux.xls\', \'image.png\', \'tableur.ods\')')).toBe(0)
  })
})

describe('the XLSX container', () => {
  test('parts stored in any order are read (workbook last, worksheet first); a truncated file is refused as damaged', async () => {
    // Re-zipped with Python's zipfile: the worksheet first, the workbook and its relations last.
    const shuffled = readFileSync(join(__dirname, '..', 'fixtures', 'imports', 'parties-dans-le-desordre.xlsx'))
    const up = await upload('desordre.xlsx', shuffled)
    expect(up.spreadsheet!.facts).toEqual(expect.arrayContaining([{ label: 'Feuille', value: '« Familles »' }]))
    const good = await xlsx([['Nom du responsable'], ['Faure']])
    expect(await refusal('coupe.xlsx', good.subarray(0, Math.floor(good.length / 2)))).toMatch(/^Le tableur « coupe\.xlsx » est endommagé/)
    // The zip's directory is intact but the worksheet's compressed bytes are not: refused when the sheet is read.
    const broken = Buffer.from(good)
    const at = broken.indexOf('xl/worksheets/sheet1.xml')
    const header = at - 30
    broken.fill(0xff, at + broken.readUInt16LE(header + 26) + broken.readUInt16LE(header + 28), at + 60)
    expect(await refusal('abime.xlsx', broken)).toMatch(/^Le tableur « abime\.xlsx » est endommagé/)
  })
})

describe('rows refused with their number and reason, the others imported', () => {
  test('impossible and future dates, bad e-mail, phone and QF, a formula in a CSV cell', async () => {
    const c = await openTestCore()
    try {
      const staff = await seedStaff(c, 'direction')
      const lines = [
        'Nom du responsable;Prénom du responsable;Mail du responsable;Tél. portable du responsable;Quotient familial;Nom de l’enfant;Prénom de l’enfant;Date de naissance de l’enfant;Sexe de l’enfant',
        'Durand;Anne;anne@example.org;06 12 34 56 78;650;Durand;Léo;14/07/2016;G',
        'Petit;Marc;marc@example;06 12 34 56 79;;Petit;Lou;31/02/2015;F',
        'Roux;Inès;ines@example.org;12 34;abc;Roux;Sam;01/01/2030;X',
        'Blanc;Luc;luc@example.org;0612345670;742,5;Blanc;Jade;2019-06-01;F',
        'Noir;Eve;eve@example.org;;;=A2&B2;Tim;2018-03-03;M',
        'Durand;Anne;anne@example.org;06 12 34 56 78;650;Durand;Mia;02/02/2019;F'
      ]
      const up = await receiveImportUpload(c, staff.actor, 'familles.csv', Buffer.from(lines.join('\n')))
      const req = request(up.uploadId, { mapping: up.spreadsheet!.mapping as never })
      const p = await previewImport(c, staff.actor, req)
      expect(p.issues.map((i) => [i.row, i.message])).toEqual([
        [3, 'Responsable 1 — E-mail : Adresse e-mail invalide. ; Enfant — Date de naissance : « 31/02/2015 » n’est pas une date qui existe (jour ou mois impossible).'],
        [4, 'Quotient familial : « abc » n’est pas un nombre. ; Responsable 1 — Téléphone portable : Numéro de téléphone invalide : 10 chiffres commençant par 0 (ex. 06 12 34 56 78) ou format international (+33 6 12 34 56 78). ; Enfant — Date de naissance : 01/01/2030 est dans le futur. ; Enfant — Sexe : « X » n’est pas reconnu (F, Fille, M, G ou Garçon).'],
        [5, 'Quotient familial : « 742,5 » n’est pas un nombre entier d’euros.'],
        [6, 'Colonne « Nom de l’enfant » : « =A2&B2 » est une formule : Ribambelle ne calcule jamais de formule ; enregistrez les valeurs dans le fichier.']
      ])
      expect(p.issues.every((i) => i.effect === 'ligne non importée' && i.ref === `Ligne ${i.row}` && i.level === 'refused')).toBe(true)
      expect(p.counts).toMatchObject({ families: 1, children: 2 })
      const { commitImport } = await import('../../src-main/imports/commit')
      await commitImport(c, staff.actor, req)
      expect(c.db.prepare('SELECT first_name FROM child ORDER BY id').pluck().all()).toEqual(['Léo', 'Mia'])
      expect(count(c, 'SELECT COUNT(*) FROM family')).toBe(1)
    } finally {
      await c.cleanup()
    }
  })

  test('one row per person, with a « Rôle » column', async () => {
    const c = await openTestCore()
    try {
      const staff = await seedStaff(c, 'direction')
      const lines = [
        'Famille;Rôle;Nom;Prénom;Date de naissance;Mail;Tél. portable',
        'F1;Enfant;Garnier;Lina;2017-02-03;;',
        'F1;Mère;Garnier;Sonia;1986-05-05;sonia@example.org;06 11 22 33 44',
        'F1;Père;Garnier;Yann;;yann@example.org;',
        'F1;Grand-mère;Garnier;Odette;;;01 99 00 12 12',
        'F2;Enfant;Morel;Ilan;2016-08-08;;',
        'F3;Cousin;Morel;Axel;;;'
      ]
      const up = await receiveImportUpload(c, staff.actor, 'personnes.csv', Buffer.from(lines.join('\n')))
      expect(up.spreadsheet!.mapping).toEqual(['famille', 'role', 'nom', 'prenom', 'naissance', 'email', 'telPortable'])
      const p = await previewImport(c, staff.actor, request(up.uploadId, { mapping: up.spreadsheet!.mapping as never }))
      expect(p.issues.map((i) => `${i.row} ${i.message} → ${i.effect}`)).toEqual([
        '6 Aucune ligne « Responsable » pour cette famille. → famille non importée (lignes 6)',
        '7 Rôle : « Cousin » n’est pas reconnu (Responsable, Conjoint, Enfant ou Contact). → ligne non importée'
      ])
      expect(p.counts).toMatchObject({ families: 1, persons: 2, children: 1 })
      expect(p.sample[0]).toMatchObject({ name: 'GARNIER Sonia et Yann', children: ['Lina GARNIER'] })
    } finally {
      await c.cleanup()
    }
  })

  test('the issue’s columns « Nom », « Prénom », « Date de naissance », « Mail », « Tél. portable »: one responsable per row', async () => {
    const up = await upload('contacts.csv', Buffer.from('Nom;Prénom;Date de naissance;Mail;Tél. portable\nDupont;Marie;01/02/1985;marie@example.org;0611223344\n'))
    expect(up.spreadsheet!.mapping).toEqual(['r1Nom', 'r1Prenom', 'r1Naissance', 'r1Email', 'r1TelPortable'])
  })
})

describe('XLSX values: dates, numbers, formulas', () => {
  test('date cells, Excel day numbers and numeric phones are read; formulas give their stored value; without one the row is refused', async () => {
    const c = await openTestCore()
    try {
      const staff = await seedStaff(c, 'direction')
      const data = await xlsx([
        ['Nom du responsable', 'Prénom du responsable', 'Tél. portable du responsable', 'Code postal', 'Nom de l’enfant', 'Prénom de l’enfant', 'Date de naissance de l’enfant'],
        ['Faure', 'Léa', 612345678, 1000, 'Faure', 'Jules', new Date(Date.UTC(2016, 4, 12))],
        ['Henry', 'Paul', '06 98 76 54 32', '31000', { formula: 'A2', result: 'Henry' } as never, 'Rose', 43466],
        ['Vidal', 'Nina', '', '', { formula: 'A2&B2' } as never, 'Zoé', '2017-01-01'],
        ['Roux', 'Ali', '', '', 'Roux', { formula: '1/0', result: { error: '#DIV/0!' } } as never, '2018-03-04']
      ])
      const up = await receiveImportUpload(c, staff.actor, 'familles.xlsx', data)
      expect(up.spreadsheet!.facts).toEqual(expect.arrayContaining([{ label: 'Formules', value: '3 cellules calculées : la valeur enregistrée par le tableur est lue, la formule n’est jamais calculée' }]))
      const { preview } = await importFile(c, staff.actor, 'familles.xlsx', data)
      expect(preview.issues).toEqual([
        {
          row: 4,
          ref: 'Ligne 4',
          message: 'Colonne « Nom de l’enfant » : formule « =A2&B2 » sans valeur lisible (jamais calculée par le tableur, ou en erreur ; Ribambelle ne calcule jamais de formule)',
          effect: 'ligne non importée',
          level: 'refused'
        },
        {
          row: 5,
          ref: 'Ligne 5',
          message: 'Colonne « Prénom de l’enfant » : formule « =1/0 » sans valeur lisible (jamais calculée par le tableur, ou en erreur ; Ribambelle ne calcule jamais de formule) ; Enfant — Prénom : champ obligatoire.',
          effect: 'ligne non importée',
          level: 'refused'
        }
      ])
      expect(c.db.prepare('SELECT c.last_name, c.birth_date, p.phone_mobile, f.postal_code FROM child c JOIN family f ON f.id = c.family_id JOIN person p ON p.family_id = f.id ORDER BY c.id').all()).toEqual([
        { last_name: 'Faure', birth_date: '2016-05-12', phone_mobile: '06 12 34 56 78', postal_code: '01000' },
        { last_name: 'Henry', birth_date: '2019-01-01', phone_mobile: '06 98 76 54 32', postal_code: '31000' }
      ])
    } finally {
      await c.cleanup()
    }
  })
})

describe('the mapping is remembered', () => {
  test('a column mapped by hand is mapped the same way in the next file with that title', async () => {
    const c = await openTestCore()
    try {
      const staff = await seedStaff(c, 'direction')
      const file = Buffer.from('Resp nom;Resp prénom;Observations particulières;Colonne sans usage\nDurand;Anne;Très sympathique;x\n')
      const up = await receiveImportUpload(c, staff.actor, 'a.csv', file)
      expect(up.spreadsheet!.mapping).toEqual(['r1Nom', 'r1Prenom', 'notes', ''])
      expect(up.spreadsheet!.remembered).toEqual([false, false, false, false])
      await importFile(c, staff.actor, 'a.csv', file, { mapping: ['r1Nom', 'r1Prenom', '', 'notes'] })
      const next = await receiveImportUpload(c, staff.actor, 'b.csv', Buffer.from('colonne sans usage;Resp Nom;Resp prénom;Observations particulières\nx;Petit;Marc;y\n'))
      expect(next.spreadsheet!.mapping).toEqual(['notes', 'r1Nom', 'r1Prenom', ''])
      expect(next.spreadsheet!.remembered).toEqual([true, true, true, true])
    } finally {
      await c.cleanup()
    }
  })
})
