import type { MigrationInterface, QueryRunner } from 'typeorm'

/**
 * Family file (#3): the rest of the responsable/conjoint fields, fiscal, CAF
 * and bank details, the children's health file and authorisations, pick-up
 * people; stored files; messaging; family and published documents; news;
 * departure and anonymisation dates.
 */
export class FamilyFile0000000000002 implements MigrationInterface {
  name = 'FamilyFile0000000000002'

  async up(q: QueryRunner): Promise<void> {
    const statements = [
      `ALTER TABLE person ADD COLUMN employer_address TEXT NOT NULL DEFAULT ''`,

      // Every file on disk, whatever refers to it. `storage_name` is random; `name` is what people see.
      // `staged` files were uploaded but not yet attached to anything (swept after a day).
      `CREATE TABLE stored_file (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        storage_name TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL, mime TEXT NOT NULL, size INTEGER NOT NULL, sha256 TEXT NOT NULL,
        owner_family_id INTEGER REFERENCES family(id) ON DELETE SET NULL,
        uploaded_by_kind TEXT NOT NULL CHECK (uploaded_by_kind IN ('staff','family','system')),
        uploaded_by_id INTEGER,
        staged INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL)`,
      `CREATE INDEX stored_file_staged ON stored_file(staged, owner_family_id)`,

      `CREATE TABLE family_document (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        family_id INTEGER NOT NULL REFERENCES family(id) ON DELETE CASCADE,
        child_id INTEGER REFERENCES child(id) ON DELETE SET NULL,
        file_id INTEGER NOT NULL REFERENCES stored_file(id),
        origin TEXT NOT NULL CHECK (origin IN ('family','staff')),
        doc_type TEXT NOT NULL, title TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL CHECK (status IN ('received','accepted','refused','sent')),
        status_reason TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL, decided_at TEXT,
        decided_by INTEGER REFERENCES staff_user(id) ON DELETE SET NULL)`,
      `CREATE INDEX family_document_family ON family_document(family_id, created_at)`,
      `CREATE INDEX family_document_queue ON family_document(origin, status, created_at)`,

      `CREATE TABLE family_fiscal (
        family_id INTEGER PRIMARY KEY REFERENCES family(id) ON DELETE CASCADE,
        tax_year INTEGER, reference_income INTEGER, tax_shares REAL,
        dependent_children INTEGER NOT NULL DEFAULT 0,
        updated_at TEXT NOT NULL)`,
      `CREATE TABLE family_caf (
        family_id INTEGER PRIMARY KEY REFERENCES family(id) ON DELETE CASCADE,
        allocataire_name TEXT NOT NULL DEFAULT '',
        regime TEXT NOT NULL DEFAULT '' CHECK (regime IN ('','general','msa','autre','aucun')),
        allocataire_number TEXT NOT NULL DEFAULT '',
        quotient INTEGER, quotient_valid_until TEXT,
        quotient_proof_document_id INTEGER REFERENCES family_document(id) ON DELETE SET NULL,
        updated_at TEXT NOT NULL)`,
      `CREATE TABLE family_bank (
        family_id INTEGER PRIMARY KEY REFERENCES family(id) ON DELETE CASCADE,
        holder TEXT NOT NULL DEFAULT '', bank_name TEXT NOT NULL DEFAULT '',
        iban TEXT NOT NULL DEFAULT '', bic TEXT NOT NULL DEFAULT '',
        direct_debit INTEGER NOT NULL DEFAULT 0,
        updated_at TEXT NOT NULL)`,
      // Values a request must not expose in its payload (a new IBAN), kept until the decision.
      `CREATE TABLE request_secret (
        request_id INTEGER PRIMARY KEY REFERENCES request(id) ON DELETE CASCADE,
        data TEXT NOT NULL)`,
      // When the family left the structure, and when it was anonymised (RGPD).
      `CREATE TABLE family_departure (
        family_id INTEGER PRIMARY KEY REFERENCES family(id) ON DELETE CASCADE,
        left_at TEXT, anonymised_at TEXT, updated_at TEXT NOT NULL)`,

      `CREATE TABLE child_file (
        child_id INTEGER PRIMARY KEY REFERENCES child(id) ON DELETE CASCADE,
        allergies INTEGER NOT NULL DEFAULT 0, allergy_notes TEXT NOT NULL DEFAULT '',
        pai INTEGER NOT NULL DEFAULT 0,
        pai_document_id INTEGER REFERENCES family_document(id) ON DELETE SET NULL,
        diet_notes TEXT NOT NULL DEFAULT '',
        meal_type TEXT NOT NULL DEFAULT 'standard' CHECK (meal_type IN ('standard','sans-porc','vegetarien','sans-viande')),
        vaccines TEXT NOT NULL DEFAULT '[]',
        doctor_name TEXT NOT NULL DEFAULT '', doctor_phone TEXT NOT NULL DEFAULT '',
        glasses INTEGER NOT NULL DEFAULT 0, hearing_aid INTEGER NOT NULL DEFAULT 0,
        health_notes TEXT NOT NULL DEFAULT '',
        image_rights INTEGER NOT NULL DEFAULT 0, leave_alone INTEGER NOT NULL DEFAULT 0,
        link_responsable TEXT NOT NULL DEFAULT '', link_conjoint TEXT NOT NULL DEFAULT '',
        lives_with TEXT NOT NULL DEFAULT '' CHECK (lives_with IN ('','both','responsable','conjoint','alternate')),
        custody_notes TEXT NOT NULL DEFAULT '',
        updated_at TEXT NOT NULL)`,
      `CREATE TABLE pickup_person (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        child_id INTEGER NOT NULL REFERENCES child(id) ON DELETE CASCADE,
        name TEXT NOT NULL, relationship TEXT NOT NULL DEFAULT '', phone TEXT NOT NULL DEFAULT '',
        emergency INTEGER NOT NULL DEFAULT 0, position INTEGER NOT NULL DEFAULT 0)`,
      `CREATE INDEX pickup_person_child ON pickup_person(child_id, position)`,

      `CREATE TABLE message_service (
        id INTEGER PRIMARY KEY AUTOINCREMENT, label TEXT NOT NULL UNIQUE,
        active INTEGER NOT NULL DEFAULT 1, position INTEGER NOT NULL DEFAULT 0)`,
      `CREATE TABLE message_theme (
        id INTEGER PRIMARY KEY AUTOINCREMENT, label TEXT NOT NULL UNIQUE,
        active INTEGER NOT NULL DEFAULT 1, position INTEGER NOT NULL DEFAULT 0)`,
      `CREATE TABLE message_broadcast (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        subject TEXT NOT NULL, body TEXT NOT NULL, audience TEXT NOT NULL,
        recipients INTEGER NOT NULL DEFAULT 0, emailed INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL, created_by INTEGER REFERENCES staff_user(id) ON DELETE SET NULL)`,
      `CREATE TABLE broadcast_mail (
        broadcast_id INTEGER NOT NULL REFERENCES message_broadcast(id) ON DELETE CASCADE,
        outbox_id INTEGER NOT NULL REFERENCES outbox_mail(id) ON DELETE CASCADE,
        PRIMARY KEY (broadcast_id, outbox_id))`,
      `CREATE TABLE message_thread (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        family_id INTEGER NOT NULL REFERENCES family(id) ON DELETE CASCADE,
        service_id INTEGER REFERENCES message_service(id) ON DELETE SET NULL,
        theme_id INTEGER REFERENCES message_theme(id) ON DELETE SET NULL,
        subject TEXT NOT NULL,
        origin TEXT NOT NULL CHECK (origin IN ('family','staff')),
        family_folder TEXT NOT NULL DEFAULT 'active' CHECK (family_folder IN ('active','archived','deleted')),
        staff_folder TEXT NOT NULL DEFAULT 'active' CHECK (staff_folder IN ('active','archived')),
        broadcast_id INTEGER REFERENCES message_broadcast(id) ON DELETE SET NULL,
        confirm_by_email INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL, last_message_at TEXT NOT NULL)`,
      `CREATE INDEX message_thread_family ON message_thread(family_id, last_message_at)`,
      `CREATE INDEX message_thread_staff ON message_thread(staff_folder, last_message_at)`,
      `CREATE TABLE message (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        thread_id INTEGER NOT NULL REFERENCES message_thread(id) ON DELETE CASCADE,
        author_kind TEXT NOT NULL CHECK (author_kind IN ('family','staff')),
        author_id INTEGER, author_label TEXT NOT NULL,
        body TEXT NOT NULL, created_at TEXT NOT NULL, read_at TEXT)`,
      // (thread, author, read) serves the per-thread EXISTS and unread counts of the inbox lists.
      `CREATE INDEX message_thread_idx ON message(thread_id, author_kind, read_at)`,
      `CREATE INDEX message_unread ON message(author_kind, read_at)`,
      `CREATE TABLE message_attachment (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        message_id INTEGER NOT NULL REFERENCES message(id) ON DELETE CASCADE,
        file_id INTEGER NOT NULL REFERENCES stored_file(id))`,
      `CREATE INDEX message_attachment_message ON message_attachment(message_id)`,

      `CREATE TABLE published_document (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        category TEXT NOT NULL, title TEXT NOT NULL,
        file_id INTEGER NOT NULL REFERENCES stored_file(id),
        audience TEXT NOT NULL, audience_all INTEGER NOT NULL DEFAULT 1,
        valid_from TEXT, valid_until TEXT,
        published_at TEXT NOT NULL, created_by INTEGER REFERENCES staff_user(id) ON DELETE SET NULL)`,
      `CREATE TABLE published_document_family (
        document_id INTEGER NOT NULL REFERENCES published_document(id) ON DELETE CASCADE,
        family_id INTEGER NOT NULL REFERENCES family(id) ON DELETE CASCADE,
        PRIMARY KEY (document_id, family_id))`,
      `CREATE INDEX published_document_family_f ON published_document_family(family_id)`,

      `CREATE TABLE news_item (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        title TEXT NOT NULL, body TEXT NOT NULL,
        image_file_id INTEGER REFERENCES stored_file(id) ON DELETE SET NULL,
        audience TEXT NOT NULL, audience_all INTEGER NOT NULL DEFAULT 1,
        publish_from TEXT NOT NULL, publish_until TEXT,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
        created_by INTEGER REFERENCES staff_user(id) ON DELETE SET NULL)`,
      `CREATE INDEX news_item_dates ON news_item(publish_from, publish_until)`,
      `CREATE TABLE news_item_family (
        news_id INTEGER NOT NULL REFERENCES news_item(id) ON DELETE CASCADE,
        family_id INTEGER NOT NULL REFERENCES family(id) ON DELETE CASCADE,
        PRIMARY KEY (news_id, family_id))`,
      `CREATE INDEX news_item_family_f ON news_item_family(family_id)`
    ]
    for (const s of statements) await q.query(s)

    // The services and themes of the 003 guide's "Nous envoyer un message" form.
    const services = ['ALAE - Restauration', 'Centres de Loisirs', 'Crèche - Petite Enfance', 'Données du Dossier Famille',
      'PAI - Allergie - MDPH', 'Règlement - Facture', 'Scolarité']
    for (const [i, label] of services.entries()) await q.query(`INSERT INTO message_service (label, active, position) VALUES (?, 1, ?)`, [label, i])
    for (const [i, label] of ['Informations', 'Modifications', 'Réclamations'].entries()) {
      await q.query(`INSERT INTO message_theme (label, active, position) VALUES (?, 1, ?)`, [label, i])
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['news_item_family', 'news_item', 'published_document_family', 'published_document', 'message_attachment', 'message',
      'message_thread', 'broadcast_mail', 'message_broadcast', 'message_theme', 'message_service', 'pickup_person', 'child_file',
      'family_departure', 'request_secret', 'family_bank', 'family_caf', 'family_fiscal', 'family_document', 'stored_file']) {
      await q.query(`DROP TABLE ${t}`)
    }
    await q.query(`ALTER TABLE person DROP COLUMN employer_address`)
  }
}
