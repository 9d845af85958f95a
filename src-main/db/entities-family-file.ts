import { ChildFile, FamilyBank, FamilyCaf, FamilyDeparture, FamilyFiscal, PickupPersonRow, RequestSecret } from '../families/file-entities'
import { FamilyDocument, PublishedDocument, PublishedDocumentFamily, StoredFile } from '../documents/entities'
import { BroadcastMail, Message, MessageAttachment, MessageBroadcast, MessageService, MessageTheme, MessageThread } from '../messaging/entities'
import { NewsItem, NewsItemFamily } from '../news/entities'

/** Entities of issue #3, registered in entities.ts. */
export const familyFileEntities: Function[] = [
  FamilyFiscal,
  FamilyCaf,
  FamilyBank,
  FamilyDeparture,
  ChildFile,
  PickupPersonRow,
  RequestSecret,
  StoredFile,
  FamilyDocument,
  PublishedDocument,
  PublishedDocumentFamily,
  MessageService,
  MessageTheme,
  MessageBroadcast,
  BroadcastMail,
  MessageThread,
  Message,
  MessageAttachment,
  NewsItem,
  NewsItemFamily
]
