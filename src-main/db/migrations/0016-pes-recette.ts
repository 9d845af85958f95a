import type { MigrationInterface, QueryRunner } from 'typeorm'

/**
 * PES V2 to the Trésor public (issue #13 §2):
 * - `regie_pes`: the régie as the Trésor knows it (collectivité, SIRET, poste comptable, codes) and the product
 *   codes (CodProdLoc) and budget natures per activity or tariff;
 * - `pes_bordereau`: each file produced (ORMC of an invoicing run, or annulation/réduction of credit notes), kept
 *   as written, numbered per budget and year; sent to the Trésor or not yet;
 * - `pes_titre`: which invoice (or credit note) became which titre of which bordereau, with its lines.
 * Files and titres are never deleted nor rewritten.
 */
export class PesRecette0000000000016 implements MigrationInterface {
  name = 'PesRecette0000000000016'

  async up(q: QueryRunner): Promise<void> {
    for (const sql of [
      `CREATE TABLE regie_pes (
        regie_id INTEGER PRIMARY KEY REFERENCES regie(id),
        enabled INTEGER NOT NULL DEFAULT 0,
        collectivite TEXT NOT NULL DEFAULT '',
        siret TEXT NOT NULL DEFAULT '',
        poste TEXT NOT NULL DEFAULT '',
        cod_col TEXT NOT NULL DEFAULT '',
        cod_bud TEXT NOT NULL DEFAULT '',
        default_product TEXT NOT NULL DEFAULT '',
        default_nature TEXT NOT NULL DEFAULT '',
        products TEXT NOT NULL DEFAULT '[]',
        updated_at TEXT NOT NULL)`,
      `CREATE TABLE pes_bordereau (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        regie_id INTEGER NOT NULL REFERENCES regie(id),
        run_id INTEGER REFERENCES invoicing_run(id),
        kind TEXT NOT NULL CHECK (kind IN ('ormc', 'reduction')),
        siret TEXT NOT NULL, cod_col TEXT NOT NULL, cod_bud TEXT NOT NULL,
        exer INTEGER NOT NULL,
        id_bord INTEGER NOT NULL CHECK (id_bord BETWEEN 1 AND 9999999),
        typ_bord TEXT NOT NULL,
        bord_date TEXT NOT NULL,
        piece_count INTEGER NOT NULL CHECK (piece_count > 0),
        total_cents INTEGER NOT NULL CHECK (total_cents > 0),
        file_name TEXT NOT NULL,
        xml TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'generated' CHECK (status IN ('generated', 'sent')),
        sent_at TEXT,
        sent_by INTEGER REFERENCES staff_user(id) ON DELETE SET NULL,
        created_by INTEGER REFERENCES staff_user(id) ON DELETE SET NULL,
        created_at TEXT NOT NULL,
        UNIQUE (siret, cod_col, cod_bud, exer, id_bord))`,
      `CREATE UNIQUE INDEX pes_bordereau_run ON pes_bordereau(run_id) WHERE kind = 'ormc' AND run_id IS NOT NULL`,
      `CREATE INDEX pes_bordereau_regie ON pes_bordereau(regie_id, id)`,
      `CREATE TABLE pes_titre (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        bordereau_id INTEGER NOT NULL REFERENCES pes_bordereau(id),
        invoice_id INTEGER NOT NULL REFERENCES invoice(id),
        credit_note_id INTEGER REFERENCES credit_note(id),
        orig_titre_id INTEGER REFERENCES pes_titre(id),
        exer INTEGER NOT NULL,
        id_pce INTEGER NOT NULL CHECK (id_pce > 0),
        num_dette TEXT NOT NULL DEFAULT '',
        amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
        lines TEXT NOT NULL,
        mandate_id INTEGER REFERENCES sepa_mandate(id),
        sequence TEXT CHECK (sequence IN ('OOFF', 'FRST', 'RCUR', 'FNAL')),
        UNIQUE (bordereau_id, id_pce))`,
      // An invoice becomes one titre; a credit note one réduction.
      `CREATE UNIQUE INDEX pes_titre_invoice ON pes_titre(invoice_id) WHERE credit_note_id IS NULL`,
      `CREATE UNIQUE INDEX pes_titre_credit ON pes_titre(credit_note_id) WHERE credit_note_id IS NOT NULL`,
      `CREATE INDEX pes_titre_bordereau ON pes_titre(bordereau_id)`,
      `CREATE TRIGGER pes_bordereau_no_delete BEFORE DELETE ON pes_bordereau BEGIN SELECT RAISE(ABORT, 'PES files are never deleted'); END`,
      `CREATE TRIGGER pes_bordereau_no_rewrite BEFORE UPDATE OF xml, exer, id_bord, kind, total_cents, piece_count ON pes_bordereau
        BEGIN SELECT RAISE(ABORT, 'a PES file is immutable once written'); END`,
      `CREATE TRIGGER pes_titre_no_delete BEFORE DELETE ON pes_titre BEGIN SELECT RAISE(ABORT, 'PES titres are never deleted'); END`,
      `CREATE TRIGGER pes_titre_no_update BEFORE UPDATE ON pes_titre BEGIN SELECT RAISE(ABORT, 'a PES titre is immutable'); END`
    ]) {
      await q.query(sql)
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['pes_titre', 'pes_bordereau', 'regie_pes']) await q.query(`DROP TABLE ${t}`)
  }
}
