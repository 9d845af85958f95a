import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm'
import { RecordVersion } from '../db/version-column'

/** "Actualités": a news item shown on the portal between its publication and end dates. */
@Entity('news_item')
export class NewsItem {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number
  @Column({ type: 'text' }) title: string
  /** Plain text; the portal renders it as text (never HTML). */
  @Column({ type: 'text' }) body: string
  @Column({ name: 'image_file_id', type: 'integer', nullable: true }) imageFileId: number | null
  @Column({ type: 'text' }) audience: string
  @Column({ name: 'audience_all', type: 'boolean', default: true }) audienceAll: boolean
  @Column({ name: 'publish_from', type: 'text' }) publishFrom: string
  @Column({ name: 'publish_until', type: 'text', nullable: true }) publishUntil: string | null
  @Column({ name: 'created_at', type: 'text' }) createdAt: string
  @Column({ name: 'updated_at', type: 'text' }) updatedAt: string
  @Column({ name: 'created_by', type: 'integer', nullable: true }) createdBy: number | null
  @RecordVersion() version: number
}

@Entity('news_item_family')
export class NewsItemFamily {
  @PrimaryColumn({ name: 'news_id', type: 'integer' }) newsId: number
  @PrimaryColumn({ name: 'family_id', type: 'integer' }) familyId: number
}

/** The entities of news, registered in core/entities.ts (like its handlers in rpc/). */
export const newsEntities: Function[] = [
  NewsItem,
  NewsItemFamily
]
