/**
 * The repository contract: what every implementation of the store port (src/store/port.ts)
 * must do. Run it for an implementation with describeStoreContract (SQLite:
 * contract-sqlite.test.ts); a new backend (PostgreSQL) runs the same suite.
 * The cases live by repository under contract/.
 */
import { afterEach, describe } from 'vitest';
import { ManualClock } from '../../src/domain/clock.ts';
import type { StorePort } from '../../src/store/port.ts';
import { bankContract } from './contract/bank.ts';
import { claimsContract } from './contract/claims.ts';
import { controlLogContract } from './contract/controls.ts';
import { correctionsContract } from './contract/corrections.ts';
import { messagesContract } from './contract/messages.ts';
import { messagesBatchContract } from './contract/messages-batch.ts';
import { newcomersContract } from './contract/newcomers.ts';
import { openContract } from './contract/open.ts';
import { privacyContract } from './contract/privacy.ts';
import { promptsContract } from './contract/prompts.ts';
import { recapQueriesContract } from './contract/recap-queries.ts';
import { insightsContract } from './contract/insights.ts';
import { multiAnswersContract } from './contract/multi-answers.ts';
import { seriesContract } from './contract/series.ts';
import { sessionsContract } from './contract/sessions.ts';
import { scheduledEventsContract } from './contract/scheduled-events.ts';
import { T0, type ContractContext, type ContractTarget } from './contract/support.ts';
import { transactionsContract } from './contract/transactions.ts';

export { message, T0, type ContractTarget } from './contract/support.ts';

export function describeStoreContract(name: string, target: ContractTarget): void {
  describe(`store contract: ${name}`, () => {
    const opened: StorePort[] = [];
    let clock: ManualClock;
    const ctx: ContractContext = {
      target,
      opened,
      get clock() {
        return clock;
      },
      open: async () => {
        clock = new ManualClock(T0);
        const store = await target.open(clock);
        opened.push(store);
        return store;
      },
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((s) => s.close().catch(() => {})));
    });

    openContract(ctx);
    seriesContract(ctx);
    bankContract(ctx);
    sessionsContract(ctx);
    promptsContract(ctx);
    claimsContract(ctx);
    messagesContract(ctx);
    messagesBatchContract(ctx);
    newcomersContract(ctx);
    recapQueriesContract(ctx);
    insightsContract(ctx);
    multiAnswersContract(ctx);
    controlLogContract(ctx);
    correctionsContract(ctx);
    privacyContract(ctx);
    scheduledEventsContract(ctx);
    transactionsContract(ctx);
  });
}
