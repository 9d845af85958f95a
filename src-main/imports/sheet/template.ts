import ExcelJS from 'exceljs'
import Papa from 'papaparse'
import { IMPORT_FIELDS, TEMPLATE_COLUMNS, TEMPLATE_FILE_NAMES } from '@shared/imports/fields'

const INTRO = [
  'Modèle d’import des familles dans Ribambelle',
  '',
  'Une ligne par enfant : les colonnes du responsable, du conjoint et du foyer se répètent sur chaque ligne des enfants d’une même famille.',
  'Les lignes qui ont le même « N° famille » forment une famille. Une famille sans enfant tient sur une ligne, colonnes de l’enfant vides.',
  'Dates au format JJ/MM/AAAA (31/12/2015). Téléphones : 06 12 34 56 78, 06.12.34.56.78 ou +33 6 12 34 56 78.',
  'Remplacez les trois lignes d’exemple (familles EXEMPLE et MODÈLE) par les vôtres. Les formules ne sont jamais calculées : seule la valeur enregistrée par le tableur compte.',
  'Enregistrez en .xlsx, ou en CSV (UTF-8 ou Windows, séparateur ; ou ,). Dans Ribambelle : Familles → Imports → « Importer un fichier ». Un aperçu montre chaque ligne refusée avec sa raison avant que rien ne soit enregistré, et l’import peut être annulé.',
  'Autre présentation possible : une ligne par personne, avec une colonne « Rôle » (Responsable, Conjoint, Enfant, Contact) et la colonne « N° famille ».'
]

const TEXT_COLUMNS = new Set(['r1TelPortable', 'r1TelDomicile', 'r2TelPortable', 'codePostal', 'telMedecin', 'numAllocataire', 'famille'])

async function xlsx(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook()
  wb.creator = 'Ribambelle'
  const sheet = wb.addWorksheet('Familles', { views: [{ state: 'frozen', ySplit: 1 }] })
  sheet.columns = TEMPLATE_COLUMNS.map((c) => ({ header: c.title, key: c.field, width: Math.max(14, c.title.length + 2) }))
  sheet.getRow(1).font = { bold: true }
  for (let i = 0; i < 3; i++) sheet.addRow(Object.fromEntries(TEMPLATE_COLUMNS.map((c) => [c.field, c.example[i]])))
  // Phones, postcodes and numbers stay text: a spreadsheet would drop their leading zero.
  TEMPLATE_COLUMNS.forEach((c, i) => {
    if (TEXT_COLUMNS.has(c.field)) sheet.getColumn(i + 1).numFmt = '@'
  })
  const help = wb.addWorksheet('Explications')
  help.columns = [{ width: 34 }, { width: 40 }, { width: 90 }]
  for (const line of INTRO) help.addRow([line])
  help.getRow(1).font = { bold: true, size: 14 }
  help.addRow([])
  const head = help.addRow(['Colonne', 'Champ de Ribambelle', 'Ce qu’il faut y mettre'])
  head.font = { bold: true }
  for (const c of TEMPLATE_COLUMNS) {
    const f = IMPORT_FIELDS[c.field]
    help.addRow([c.title, `${f.group} — ${f.label}`, f.help || 'Facultatif.'])
  }
  return Buffer.from(await wb.xlsx.writeBuffer())
}

function csv(): Buffer {
  const text = Papa.unparse({ fields: TEMPLATE_COLUMNS.map((c) => c.title), data: [0, 1, 2].map((i) => TEMPLATE_COLUMNS.map((c) => c.example[i])) }, { delimiter: ';', newline: '\r\n' })
  // The BOM makes Excel read the file as UTF-8 (accents) when it is opened by a double click.
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8'), Buffer.from('\r\n')])
}

/** The downloadable template: XLSX with an « Explications » sheet, or CSV with the same columns. */
export async function importTemplate(format: 'xlsx' | 'csv'): Promise<{ name: string; mime: string; contentBase64: string }> {
  const data = format === 'xlsx' ? await xlsx() : csv()
  return {
    name: TEMPLATE_FILE_NAMES[format],
    mime: format === 'xlsx' ? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' : 'text/csv; charset=utf-8',
    contentBase64: data.toString('base64')
  }
}
