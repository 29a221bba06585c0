import type { ChapterKey } from '../args';
import { acmeChapter } from './acme';
import { globexChapter } from './globex';
import { hooliChapter } from './hooli';
import { initechChapter } from './initech';
import { umbrellaChapter } from './umbrella';
import { vandelayChapter } from './vandelay';
import { wernhamChapter } from './wernham';
import type { Chapter, DemoOrg, StoryEnv } from './types';

export const CHAPTERS: Record<ChapterKey, { name: string; build: (org: DemoOrg, env: StoryEnv) => Chapter }> = {
  acme: { name: 'Acme', build: acmeChapter },
  globex: { name: 'Globex', build: globexChapter },
  initech: { name: 'Initech', build: initechChapter },
  umbrella: { name: 'Umbrella', build: umbrellaChapter },
  hooli: { name: 'Hooli', build: hooliChapter },
  wernham: { name: 'Wernham', build: wernhamChapter },
  vandelay: { name: 'Vandelay', build: vandelayChapter },
};

export type { Chapter, DemoOrg, Expectation, StoryEnv, Step } from './types';
