import chardet from 'chardet'
import iconv from 'iconv-lite'
import { refuse } from '../noethys/file'

const RESAVE = 'Ouvrez-le dans votre tableur et enregistrez-le à nouveau au format « CSV UTF-8 » (ou « CSV (séparateur : point-virgule) »), puis envoyez-le à nouveau.'

/** "é" read as Windows-1252 bytes gives "Ã©": UTF-8 text decoded (or converted) twice. */
const MOJIBAKE = /Ã[\u0080-\u00bf]|Ã[©¨ª«®´¹»¼§ ]|â€[™œ\u009d“”¦]/

function lineOf(text: string, index: number): number {
  let n = 1
  for (let i = 0; i < index; i++) if (text.charCodeAt(i) === 10) n++
  return n
}

function excerpt(text: string, index: number): string {
  return text.slice(Math.max(0, index - 12), index + 12).replace(/\s+/g, ' ').trim()
}

/** Control characters other than tab and line breaks: a binary file, not a CSV. */
const BINARY = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/

export interface Decoded {
  text: string
  /** What the preview says: "UTF-8", "Windows-1252 (Excel « CSV séparateur point-virgule »)". */
  encoding: string
}

/**
 * Reads a CSV's bytes as text. French offices produce UTF-8 (with or without
 * BOM) and Windows-1252 (Excel's « CSV (séparateur : point-virgule) »), and
 * sometimes UTF-16 (« Texte Unicode »); chardet tells the single-byte files
 * apart. A file whose accents are already broken (UTF-8 decoded twice, or
 * UTF-8 and Windows-1252 mixed) is refused with the line to look at, rather
 * than imported with « Ã© » in the names.
 */
export function decodeCsv(data: Buffer, name: string): Decoded {
  let text: string
  let encoding: string
  if (data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf) {
    text = utf8(data.subarray(3), name)
    encoding = 'UTF-8'
  } else if ((data[0] === 0xff && data[1] === 0xfe) || (data[0] === 0xfe && data[1] === 0xff)) {
    text = iconv.decode(data.subarray(2), data[0] === 0xff ? 'utf-16le' : 'utf-16be')
    encoding = 'UTF-16'
  } else {
    const detected = chardet.detect(data.subarray(0, 256 * 1024)) ?? ''
    const valid = isUtf8(data)
    if (valid) {
      text = data.toString('utf8')
      encoding = 'UTF-8'
    } else if (/^UTF-16/i.test(detected)) {
      text = iconv.decode(data, detected.toLowerCase())
      encoding = 'UTF-16'
    } else if (/^(ISO-8859-\d+|windows-125\d)$/i.test(detected) || detected === '') {
      text = iconv.decode(data, 'win1252')
      encoding = 'Windows-1252'
      // Valid UTF-8 sequences inside a Windows-1252 file: two encodings pasted together.
      const mixed = MOJIBAKE.exec(text)
      if (mixed) {
        const lines = splitLines(data)
        const legacy = lines.findIndex((l) => !isUtf8(l))
        const shown = iconv.decode(lines[legacy] ?? Buffer.alloc(0), 'win1252').trim().slice(0, 30)
        refuse(`Le fichier « ${name} » mélange deux encodages : la ligne ${lineOf(text, mixed.index)} est en UTF-8 (« ${excerpt(text, mixed.index)} »), la ligne ${legacy + 1} en Windows-1252 (« ${shown} »). Les accents seraient abîmés. ${RESAVE}`)
      }
      const undefinedByte = text.indexOf('\ufffd')
      if (undefinedByte >= 0) refuse(`Le fichier « ${name} » contient des caractères illisibles (ligne ${lineOf(text, undefinedByte)}) : son encodage n’est ni UTF-8 ni Windows-1252. ${RESAVE}`)
    } else {
      return refuse(`L’encodage du fichier « ${name} » n’est pas reconnu (${detected}) : Ribambelle lit les CSV en UTF-8 ou Windows-1252. ${RESAVE}`)
    }
  }
  const bin = BINARY.exec(text.slice(0, 64 * 1024))
  if (bin) refuse('Ce fichier n’est ni un fichier Noethys (…_DATA.dat, sauvegarde .nod ou .noc), ni un tableur CSV ou XLSX : il ne peut pas être importé.')
  const broken = MOJIBAKE.exec(text)
  if (broken) {
    refuse(`L’encodage du fichier « ${name} » est abîmé : ligne ${lineOf(text, broken.index)}, « ${excerpt(text, broken.index)} » (des accents convertis deux fois). ${RESAVE}`)
  }
  return { text, encoding }
}

function splitLines(data: Buffer): Buffer[] {
  const out: Buffer[] = []
  let start = 0
  for (let i = 0; i <= data.length; i++) {
    if (i === data.length || data[i] === 10) {
      out.push(data.subarray(start, i))
      start = i + 1
    }
  }
  return out
}

function isUtf8(data: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(data)
    return true
  } catch {
    return false
  }
}

function utf8(data: Buffer, name: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(data)
  } catch {
    // A BOM says UTF-8, the bytes say otherwise: Windows-1252 rows appended to a UTF-8 file.
    return refuse(`Le fichier « ${name} » annonce de l’UTF-8 mais contient des caractères d’un autre encodage : les accents seraient abîmés. ${RESAVE}`)
  }
}
