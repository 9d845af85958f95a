import type { MigrationInterface, QueryRunner } from 'typeorm'

/**
 * The titres of a PES V2 bordereau being recorded (issue 19). A city's run makes 20,000 titres: written in one
 * transaction they held the write lock for seconds. They are staged here in short transactions, then made official
 * in one short final transaction (numbers, bordereau, one INSERT … SELECT into pes_titre, audit), so nobody ever
 * sees half a bordereau. Rows left by a killed export are discarded by the next export of the run. No foreign keys:
 * the rows are copies of what pes_titre checks when they are made official.
 */
export class PesTitreStage0000000000032 implements MigrationInterface {
  name = 'PesTitreStage0000000000032'

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE pes_titre_stage (
      run_id INTEGER NOT NULL,
      idx INTEGER NOT NULL,
      invoice_id INTEGER NOT NULL,
      exer INTEGER NOT NULL,
      id_pce INTEGER NOT NULL,
      num_dette TEXT NOT NULL,
      amount_cents INTEGER NOT NULL,
      lines TEXT NOT NULL,
      mandate_id INTEGER,
      sequence TEXT,
      PRIMARY KEY (run_id, idx))`)
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE pes_titre_stage`)
  }
}
