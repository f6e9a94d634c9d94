// Every screen the kiosk has, in one registry. Staff screens (issue 10) and the helper's extra
// questions (issue 11) register here too, each saying the modes it belongs to.

import { Registry } from '../app/router'
import { check } from './visitor/check'
import { done } from './visitor/done'
import { prisoner } from './visitor/prisoner'
import { start } from './visitor/start'
import { time } from './visitor/time'
import { visitors } from './visitor/visitors'

export const screens = new Registry([start, prisoner, visitors, time, check, done])
