// /staff/konsultasi/:id: the doctor's full-screen call for an open encounter.
import { doctorCallPage } from './call.ts';
import { staffPage } from './staff.ts';

staffPage();
doctorCallPage();
