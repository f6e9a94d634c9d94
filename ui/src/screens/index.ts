// Every screen the kiosk has, in one registry, each saying the modes it belongs to: the
// visitor's journey, the staff screens (issue 10), and the helper's (issue 11).

import { Registry } from '../app/router'
import { helperHome } from './helper/home'
import { helperWho } from './helper/who'
import { check } from './visitor/check'
import { contact } from './visitor/contact'
import { done } from './visitor/done'
import { manageCancel, manageCancelled, manageFind, manageVisit } from './visitor/manage'
import { prisoner } from './visitor/prisoner'
import { start } from './visitor/start'
import { support } from './visitor/support'
import { time } from './visitor/time'
import { visitors } from './visitor/visitors'
import { staffAccountAdd } from './staff/accountAdd'
import { staffAccounts } from './staff/accounts'
import { staffBooking } from './staff/booking'
import { staffCancel } from './staff/cancel'
import { staffFind } from './staff/find'
import { staffHealth } from './staff/health'
import { staffHome } from './staff/home'
import { staffMove } from './staff/move'
import { staffReview } from './staff/review'
import { staffSessionClose, staffSessions, staffSessionTables } from './staff/sessions'
import { staffSettings } from './staff/settings'
import { staffToday } from './staff/today'
import { staffPin } from './staff/pin'
import { staffSignIn } from './staff/signIn'

export const screens = new Registry([
  start, prisoner, visitors, time, check, done, manageFind, manageVisit, manageCancel, manageCancelled,
  staffSignIn, staffPin, staffHome, staffToday, staffFind, staffBooking, staffCancel, staffMove, staffReview, staffHealth, staffSessions, staffSessionClose, staffSessionTables, staffAccounts, staffAccountAdd,
  staffSettings,
  helperHome, helperWho, contact, support,
])
