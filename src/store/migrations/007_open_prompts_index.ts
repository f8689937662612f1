/**
 * The engine asks, every cycle, which open prompts are due and when the next one is
 * (PromptRepository.listDue / nextDueAfter): index only the open prompts (planned, or posting
 * with an outcome not yet known) by time, so the question costs the same whether the
 * database holds a hundred finished prompts or a hundred thousand, and the next one after
 * now is found without reading the far-future ones.
 */
export const up = /* sql */ `
CREATE INDEX prompts_open ON prompts (planned_at) WHERE state IN ('planned', 'posting');
`;
