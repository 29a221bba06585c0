import type Stripe from 'stripe';
import { analyzeHistory } from '../../../bench/scale/temporal-stats';
import {
  buildPopulation,
  createLimiter,
  expectedOutcome,
  MIX_SHARE,
  yearPlan,
  type Org,
  type Scenario,
} from '../../../bench/scale/population';

type Event = Parameters<typeof analyzeHistory>[2][number];
const ev = (eventId: number, attrs: Partial<Event>): Event => ({
  eventId: eventId as unknown as Event['eventId'],
  ...attrs,
});

const started = ev(1, { workflowExecutionStartedEventAttributes: {} });
const taskDone = (id: number): Event[] => [
  ev(id, { workflowTaskScheduledEventAttributes: {} }),
  ev(id + 1, { workflowTaskStartedEventAttributes: {} }),
  ev(id + 2, { workflowTaskCompletedEventAttributes: {} }),
];

describe('the scale run reads histories', () => {
  it('counts workflow tasks and sees a pending timer as a reason to wait, not a stuck workflow', () => {
    const run = analyzeHistory('w', 'r', [
      started,
      ...taskDone(2),
      ev(5, { timerStartedEventAttributes: { timerId: '1' } }),
    ]);
    expect(run).toMatchObject({
      running: true,
      workflowTasks: 1,
      pendingTimers: 1,
      pendingActivities: 0,
      taskInFlight: false,
      events: 5,
    });
  });

  it('sees a run waiting with no timer, activity or task pending (what the stuck check flags)', () => {
    const run = analyzeHistory('w', 'r', [
      started,
      ...taskDone(2),
      ev(5, { timerStartedEventAttributes: { timerId: '1' } }),
      ev(6, { timerCanceledEventAttributes: { timerId: '1' } }),
      ev(7, { activityTaskScheduledEventAttributes: { activityType: { name: 'fetchSubscription' } } }),
      ev(8, {
        activityTaskCompletedEventAttributes: {
          scheduledEventId: 7 as unknown as NonNullable<
            Event['activityTaskCompletedEventAttributes']
          >['scheduledEventId'],
        },
      }),
      ...taskDone(9),
    ]);
    expect(run).toMatchObject({
      running: true,
      pendingTimers: 0,
      pendingActivities: 0,
      taskInFlight: false,
      activities: { fetchSubscription: 1 },
    });
  });

  it('counts an activity scheduled and not closed, and a task scheduled but not finished, as pending', () => {
    const run = analyzeHistory('w', 'r', [
      started,
      ...taskDone(2),
      ev(5, { activityTaskScheduledEventAttributes: { activityType: { name: 'projectSubscription' } } }),
      ev(6, { workflowTaskScheduledEventAttributes: {} }),
    ]);
    expect(run).toMatchObject({ pendingActivities: 1, taskInFlight: true });
  });

  it('sees a new run waiting out its first-task backoff (continue-as-new soon after it started) as busy, not stuck', () => {
    const backoff = { nanos: 369_811_633 } as NonNullable<
      NonNullable<Event['workflowExecutionStartedEventAttributes']>['firstWorkflowTaskBackoff']
    >;
    expect(
      analyzeHistory('w', 'r', [
        ev(1, { workflowExecutionStartedEventAttributes: { firstWorkflowTaskBackoff: backoff } }),
      ]).taskInFlight,
    ).toBe(true);
    expect(analyzeHistory('w', 'r', [started]).taskInFlight).toBe(false);
  });

  it('takes a run that continued as new as closed, whatever a listing said before', () => {
    const run = analyzeHistory('w', 'r', [
      started,
      ...taskDone(2),
      ev(5, { workflowExecutionContinuedAsNewEventAttributes: {} }),
    ]);
    expect(run.running).toBe(false);
  });

  it("counts a task after the run's first one that went to the normal queue as a cache miss, and local activities by type", () => {
    const sticky = { taskQueue: { kind: 2 } } as NonNullable<Event['workflowTaskScheduledEventAttributes']>;
    const normal = { taskQueue: { kind: 1 } } as NonNullable<Event['workflowTaskScheduledEventAttributes']>;
    const marker = (type: string): Event =>
      ev(0, {
        markerRecordedEventAttributes: {
          markerName: 'core_local_activity',
          details: { data: { payloads: [{ data: Buffer.from(JSON.stringify({ seq: 1, activity_type: type })) }] } },
        },
      });
    const run = analyzeHistory('w', 'r', [
      started,
      ev(2, { workflowTaskScheduledEventAttributes: normal }),
      ev(3, { workflowTaskScheduledEventAttributes: sticky }),
      marker('projectSubscription'),
      marker('projectSubscription'),
      ev(0, { markerRecordedEventAttributes: { markerName: 'core_patch' } }),
      ev(5, { workflowTaskScheduledEventAttributes: normal }),
    ]);
    expect(run.nonStickyTasks).toBe(1);
    expect(run.localActivities).toEqual({ projectSubscription: 2 });
  });

  it('names why workflow tasks failed or timed out', () => {
    const run = analyzeHistory('w', 'r', [
      started,
      ev(2, { workflowTaskScheduledEventAttributes: {} }),
      ev(3, { workflowTaskTimedOutEventAttributes: { timeoutType: 2 } }),
      ev(4, { workflowTaskFailedEventAttributes: { cause: 1, failure: { message: 'UnhandledCommand' } } }),
    ]);
    expect(run.failedWorkflowTasks).toBe(2);
    expect(run.taskFailures).toEqual([expect.stringContaining('sticky queue'), 'failed (cause 1): UnhandledCommand']);
  });
});

describe('the scale run population', () => {
  const org = (scenario: Scenario): Org => ({ scenario, startPlan: 'starter' }) as Org;

  it('expects from each scenario the invoices a year leaves behind', () => {
    const plan = yearPlan(12);
    expect(expectedOutcome(org('renew'), plan)).toEqual({
      status: 'active',
      plan: 'starter',
      paidCycles: 12,
      paidProrations: 0,
      uncollectible: 0,
    });
    expect(expectedOutcome(org('upgrade'), plan)).toMatchObject({ plan: 'professional', paidProrations: 1 });
    expect(expectedOutcome(org('lose'), plan)).toMatchObject({ status: 'canceled', paidCycles: 2, uncollectible: 1 });
    expect(expectedOutcome(org('cancel'), plan)).toMatchObject({ status: 'canceled', paidCycles: 6 });
  });

  it('keeps the scenario months inside a short year', () => {
    expect(yearPlan(2)).toEqual({ months: 2, failMonth: 2, upgradeMonth: 2, cancelMonth: 2 });
  });

  it('mixes scenarios in the shares the report states', async () => {
    const orgs = await buildPopulation({
      orgs: 1_000,
      runId: 'unit',
      apiUrl: 'http://127.0.0.1:1',
      jwtSecret: 'unit-secret',
      stripe: {} as Stripe,
    });
    for (const [scenario, share] of Object.entries(MIX_SHARE)) {
      expect(orgs.filter((o) => o.scenario === scenario).length).toBe(share * 1_000);
    }
    expect(new Set(orgs.map((o) => o.organizationId)).size).toBe(1_000);
  });

  it('never lets more than the limit run at once', async () => {
    const limit = createLimiter(3);
    let running = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 12 }, () =>
        limit(async () => {
          running += 1;
          peak = Math.max(peak, running);
          await new Promise((r) => setTimeout(r, 5));
          running -= 1;
        }),
      ),
    );
    expect(peak).toBe(3);
  });
});
