import type { Component } from 'vue'
import { call } from '../../api'
import RegistrationAcceptDialog from './RegistrationAcceptDialog.vue'
import FileChangeDetails from '../family-file/FileChangeDetails.vue'
import CoparentAcceptDialog from './CoparentAcceptDialog.vue'

/**
 * How the validation queue handles each request type. A later issue that
 * creates requests of a new type (file-change, enrolment, reservation…)
 * adds ONE entry here. Types without an entry are listed read-only.
 *
 * - `acceptDialog`: a dialog component with props `request` and
 *   `visible` (v-model:visible), emitting `done` after a successful accept;
 *   use it when accepting needs choices (e.g. which family to link).
 * - `accept`: a plain call, confirmed with a yes/no dialog.
 * - `refuse`: the call that refuses with the mandatory reason.
 * - `details`: component with prop `request` replacing the generic payload view.
 */
export interface RequestTypeUi {
  acceptDialog?: Component
  accept?: (requestId: number) => Promise<unknown>
  refuse?: (requestId: number, reason: string) => Promise<unknown>
  details?: Component
}

export const requestTypes: Record<string, RequestTypeUi> = {
  // Reservations, cancellations, absences (#5): the whole request at once; line by line in « Réservations à valider ».
  reservation: {
    accept: (requestId) => call('bookings-decide-request', { requestId, decision: 'accept' }),
    refuse: (requestId, reason) => call('bookings-decide-request', { requestId, decision: 'refuse', reason })
  },
  cancellation: {
    accept: (requestId) => call('bookings-decide-request', { requestId, decision: 'accept' }),
    refuse: (requestId, reason) => call('bookings-decide-request', { requestId, decision: 'refuse', reason })
  },
  absence: {
    accept: (requestId) => call('bookings-decide-request', { requestId, decision: 'accept' }),
    refuse: (requestId, reason) => call('bookings-decide-request', { requestId, decision: 'refuse', reason })
  },
  registration: {
    acceptDialog: RegistrationAcceptDialog,
    refuse: (requestId, reason) => call('registrations-refuse', { requestId, reason })
  },
  // Full group: the request goes to the waiting list (the Inscriptions screen offers the choice).
  enrolment: {
    accept: (requestId) => call('enrolment-requests-accept', { requestId, waitlistIfFull: true }),
    refuse: (requestId, reason) => call('enrolment-requests-refuse', { requestId, reason })
  },
  // « Je suis l'autre parent » (issue 16): the direction only (the server refuses other roles).
  'household-link': {
    acceptDialog: CoparentAcceptDialog,
    refuse: (requestId, reason) => call('coparent-request-refuse', { requestId, reason })
  },
  'file-change': {
    accept: (requestId) => call('file-changes-accept', { requestId }),
    refuse: (requestId, reason) => call('file-changes-refuse', { requestId, reason }),
    details: FileChangeDetails
  }
}
