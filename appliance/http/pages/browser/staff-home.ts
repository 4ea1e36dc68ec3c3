// /staff: the tiles are server-rendered; the script only logs out.
import { staffPage } from './staff.ts';

staffPage();
