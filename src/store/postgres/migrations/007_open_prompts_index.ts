/** Open prompts by time, for the engine's due query (as SQLite's 007). */
export const up = /* sql */ `
CREATE INDEX prompts_open ON prompts (planned_at) WHERE state IN ('planned', 'posting');
`;
