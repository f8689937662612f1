import * as initial from './001_initial.ts';
import * as live from './002_live_sessions.ts';
import * as channelIndex from './003_channel_index.ts';
import * as setOwner from './004_question_set_owner.ts';
import * as promptSession from './005_prompt_session_index.ts';
import * as claims from './006_claims_and_guilds.ts';
import * as openPrompts from './007_open_prompts_index.ts';
import * as seriesChannel from './008_series_channel_index.ts';
import * as answerVia from './009_answer_via_interactions.ts';
import * as sessionEvents from './010_session_events.ts';
import * as corrections from './011_corrections_and_reactions.ts';
import * as multiAnswers from './012_multi_answers.ts';

export interface Migration {
  version: number;
  name: string;
  up: string;
}

/** Ordered; a migration's version is its position. Never edit one that has shipped: add the next. */
export const migrations: readonly Migration[] = [
  { version: 1, name: 'initial', up: initial.up },
  { version: 2, name: 'live sessions', up: live.up },
  { version: 3, name: 'channel index', up: channelIndex.up },
  { version: 4, name: 'question set owner', up: setOwner.up },
  { version: 5, name: 'prompt session index', up: promptSession.up },
  { version: 6, name: 'claims and guilds', up: claims.up },
  { version: 7, name: 'open prompts index', up: openPrompts.up },
  { version: 8, name: 'series channel index', up: seriesChannel.up },
  { version: 9, name: 'answer via interactions', up: answerVia.up },
  { version: 10, name: 'session events', up: sessionEvents.up },
  { version: 11, name: 'corrections and reactions', up: corrections.up },
  { version: 12, name: 'multi answers', up: multiAnswers.up },
];
