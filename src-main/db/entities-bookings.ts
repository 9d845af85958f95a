import { BookingChange, BookingRule } from '../bookings/change-entities'

/** Entities of issue #5, registered in entities.ts (`Booking` itself is listed with #4's). */
export const bookingsEntities: Function[] = [BookingRule, BookingChange]
