import { Counter } from './counter'
import { Child, Family, Person } from '../families/entities'
import { LoginKnownAddress, LoginThrottle, PasswordToken, PortalAccount, Session, StaffUser } from '../accounts/entities'
import { FamilyRequest } from '../requests/entities'
import { Setting, Structure } from '../settings/entities'
import { OutboxMail } from '../mail/entities'
import { AuditEntry } from '../audit/entities'
import { familyFileEntities } from './entities-family-file'
import { activitiesEntities } from './entities-activities'
import { bookingsEntities } from './entities-bookings'
import { billingEntities } from './entities-billing'
import { importsEntities } from '../imports/entities'

const foundationEntities = [
  Counter,
  Structure,
  Setting,
  StaffUser,
  Family,
  Person,
  Child,
  PortalAccount,
  Session,
  PasswordToken,
  LoginThrottle,
  LoginKnownAddress,
  FamilyRequest,
  OutboxMail,
  AuditEntry
]

/**
 * Explicit entity list: nothing is discovered by glob, so the bundle holds
 * exactly these. Each issue keeps its list in its own file.
 */
export const entities = [...foundationEntities, ...familyFileEntities, ...activitiesEntities, ...bookingsEntities, ...billingEntities, ...importsEntities]
