import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, SettingsError, parseSeriesSettings } from '../../src/domain/settings.ts';
import { headsUpText, planSession } from '../../src/domain/timetable.ts';

const START = new Date('2026-11-23T23:30:00Z');
const offsets = (settings = DEFAULT_SETTINGS, questions = ['a', 'b', 'c', 'd']) =>
  planSession({ settings, tag: '#BadgeChat', questions, startsAt: START })
    .map((p) => `${p.kind}${p.questionNumber ?? ''}@${(p.plannedAt.getTime() - START.getTime()) / 60_000}`);

describe('timetable', () => {
  it('GIVEN the defaults and 4 questions THEN Q1 T+5, Q2 T+12, Q3 T+19, Q4 T+26, outro T+30, close T+45', () => {
    expect(offsets()).toEqual([
      'welcome@0', 'guidelines@2', 'heads_up1@4', 'question1@5', 'heads_up2@11', 'question2@12',
      'heads_up3@18', 'question3@19', 'heads_up4@25', 'question4@26', 'outro@30', 'close@45',
    ]);
  });

  it('GIVEN explicit offsets, a preview and no guidelines or heads-ups THEN exactly those prompts', () => {
    const settings = parseSeriesSettings({ questionOffsetsMinutes: [3, 10], previewMinutesBefore: 30, guidelinesAtMinutes: null, headsUpMinutesBefore: null, graceMinutes: 5 });
    expect(offsets(settings, ['a', 'b', 'c'])).toEqual(['preview@-30', 'welcome@0', 'question1@3', 'question2@10', 'question3@17', 'outro@30', 'close@35']);
  });

  it('GIVEN more questions than fit in the duration THEN the outro follows the last question', () => {
    expect(offsets(DEFAULT_SETTINGS, Array(6).fill('q')).slice(-3)).toEqual(['question6@40', 'outro@41', 'close@56']);
  });

  it('uses custom texts where given', () => {
    const settings = parseSeriesSettings({ texts: { welcome: 'Hola!', outro: 'Takeaways please (TA:)' } });
    const plan = planSession({ settings, tag: '#x', questions: ['q'], startsAt: START });
    expect(plan.find((p) => p.kind === 'welcome')!.text).toBe('Hola!');
    expect(plan.find((p) => p.kind === 'outro')!.text).toBe('Takeaways please (TA:)');
    expect(plan.find((p) => p.kind === 'question')!.text).toBe('Q1: q');
  });

  it.each([[1, 4, 'First question coming up…'], [2, 4, 'Second question coming up…'], [4, 4, 'Final question coming up…'], [1, 1, 'First question coming up…']])(
    'heads-up for Q%i of %i reads %j', (n, total, text) => expect(headsUpText(n, total)).toBe(text),
  );
});

describe('series settings', () => {
  it('fills in the defaults', () => {
    expect(parseSeriesSettings({})).toMatchObject({ durationMinutes: 30, firstQuestionAtMinutes: 5, questionIntervalMinutes: 7, headsUpMinutesBefore: 1, graceMinutes: 15, missedPrompts: 'post-late', threads: false });
  });

  it.each([
    [{ durationMinutes: 2 }, /durationMinutes: must be at least 5 minutes/],
    [{ graceMinutes: -1 }, /graceMinutes: must be 0 or more minutes/],
    [{ questionOffsetsMinutes: [5, 12, 10] }, /questionOffsetsMinutes\.2: must come after question 2 \(12 min\)/],
    [{ missedPrompts: 'sometimes' }, /missedPrompts: /],
    [{ firstQuestionAtMinutes: 0 }, /headsUpMinutesBefore: the first question's heads-up would come before the start/],
    [{ texts: { welcome: '' } }, /texts\.welcome: /],
    [{ colour: 'red' }, /Unrecognized key.*colour/],
  ])('GIVEN %j THEN an error naming the field', (input, message) => {
    expect(() => parseSeriesSettings(input)).toThrow(SettingsError);
    expect(() => parseSeriesSettings(input)).toThrow(message);
  });

  it('reports every bad field together', () => {
    try {
      parseSeriesSettings({ durationMinutes: 1, graceMinutes: -5 });
      expect.unreachable();
    } catch (err) {
      expect((err as SettingsError).issues).toHaveLength(2);
    }
  });
});
