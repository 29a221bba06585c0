import { parseFlags } from '../../../bench/scale/args';
import { billableActions } from '../../../bench/scale/billable-actions';
import {
  renderCostModel,
  stripeBudget,
  temporalMonthlyCost,
  type CostMeasurement,
} from '../../../bench/scale/cost-model';
import { analyzeHistory } from '../../../bench/scale/temporal-stats';
import { formatBound, histogramDelta, parsePrometheus } from '../../../bench/scale/worker-metrics';
import { quantile } from '../../../bench/storm/settle';
import { z } from 'zod';

type Event = Parameters<typeof analyzeHistory>[2][number];
type Long = Event['eventId'];
const ev = (eventId: number, attrs: Partial<Event>, atMs = 0): Event => ({
  eventId: eventId as unknown as Long,
  eventTime: { seconds: Math.floor(atMs / 1000) as unknown as Long, nanos: (atMs % 1000) * 1e6 },
  ...attrs,
});
const asLong = (n: number): Long => n as unknown as Long;

describe('Temporal Cloud Actions counted from a history', () => {
  it('counts starts, activities and their retries, timers, signals, updates, one per marker task, child starts twice', () => {
    const events = [
      ev(1, { workflowExecutionStartedEventAttributes: {} }),
      ev(2, { workflowTaskCompletedEventAttributes: {} }),
      ev(3, { activityTaskScheduledEventAttributes: { activityType: { name: 'payInvoice' } } }),
      ev(4, { activityTaskStartedEventAttributes: { attempt: 3 } }),
      ev(5, { timerStartedEventAttributes: { timerId: '1' } }),
      ev(6, { workflowExecutionSignaledEventAttributes: {} }),
      ev(7, { workflowExecutionUpdateAcceptedEventAttributes: {} }),
      ev(8, {
        workflowTaskCompletedEventAttributes: { meteringMetadata: { nonfirstLocalActivityExecutionAttempts: 2 } },
      }),
      // Two markers of one workflow task are one Action; a marker of another task is another.
      ev(9, {
        markerRecordedEventAttributes: { markerName: 'core_local_activity', workflowTaskCompletedEventId: asLong(8) },
      }),
      ev(10, { markerRecordedEventAttributes: { markerName: 'core_patch', workflowTaskCompletedEventId: asLong(8) } }),
      ev(11, { markerRecordedEventAttributes: { markerName: 'core_patch', workflowTaskCompletedEventId: asLong(2) } }),
      ev(12, { startChildWorkflowExecutionInitiatedEventAttributes: {} }),
    ];
    // 1 start + 1 activity + 2 retries + 1 timer + 1 signal + 1 update + 2 local retries + 2 marker tasks + 2 child
    expect(billableActions(events)).toBe(13);
  });

  it('does not bill an upsert that only sets TemporalChangeVersion (patched())', () => {
    const upsert = (keys: string[]): Event =>
      ev(1, {
        upsertWorkflowSearchAttributesEventAttributes: {
          searchAttributes: { indexedFields: Object.fromEntries(keys.map((k) => [k, {}])) },
        },
      });
    expect(billableActions([upsert(['TemporalChangeVersion'])])).toBe(0);
    expect(billableActions([upsert(['TemporalChangeVersion', 'BillingStatus'])])).toBe(1);
  });

  it('counts only the events from the storm on, and still sees what is pending from before', () => {
    const run = analyzeHistory(
      'w',
      'r',
      [
        ev(1, { workflowExecutionStartedEventAttributes: {} }, 1_000),
        ev(2, { workflowTaskScheduledEventAttributes: {} }, 1_000),
        ev(3, { workflowTaskStartedEventAttributes: {} }, 1_000),
        ev(4, { workflowTaskCompletedEventAttributes: {} }, 1_000),
        ev(5, { timerStartedEventAttributes: { timerId: '1' } }, 1_000),
        ev(6, { workflowExecutionSignaledEventAttributes: {} }, 5_000),
        ev(7, { workflowTaskScheduledEventAttributes: {} }, 5_000),
        ev(8, { workflowTaskStartedEventAttributes: {} }, 5_000),
        ev(9, { workflowTaskCompletedEventAttributes: {} }, 5_000),
      ],
      5_000,
    );
    expect(run).toMatchObject({ workflowTasks: 1, signals: 1, actions: 1, pendingTimers: 1, running: true });
    expect(run.historyBytes).toBeGreaterThan(0);
  });
});

describe('workflow task timeouts are named', () => {
  it('tells a worker too slow to answer from a task that waited on the sticky queue', () => {
    const run = analyzeHistory('w', 'r', [
      ev(1, { workflowExecutionStartedEventAttributes: {} }),
      ev(2, { workflowTaskTimedOutEventAttributes: { timeoutType: 1 } }),
      ev(3, { workflowTaskTimedOutEventAttributes: { timeoutType: 2 } }),
    ]);
    expect(run.failedWorkflowTasks).toBe(2);
    expect(run.taskFailures).toEqual([
      'timed out (start-to-close: the worker took longer than the workflow task timeout to answer)',
      'timed out (schedule-to-start on the sticky queue: the worker was busy)',
    ]);
  });
});

describe('the cost model', () => {
  it('prices Actions by the published monthly tiers (the pricing page example: 11.25M → $525)', () => {
    expect(temporalMonthlyCost(11.25e6).dollars).toBeCloseTo(525, 6);
    expect(temporalMonthlyCost(1e6).dollars).toBeCloseTo(50, 6);
    expect(temporalMonthlyCost(250e6)).toEqual({ dollars: expect.any(Number) as number, beyondTiers: true });
    expect(temporalMonthlyCost(2e6, { actionPricePerMillion: 10 }).dollars).toBeCloseTo(20, 6);
  });

  const measurement: CostMeasurement = {
    unit: 'renewal',
    units: 100,
    renewals: 100,
    temporalActions: 800,
    historyBytes: 1_000_000,
    stripeRequests: { 'GET /v1/invoices/:id': 200, 'GET /v1/subscriptions/:id': 150, 'POST /v1/invoices/:id/pay': 50 },
    webhooks: 540,
    postgres: { inserted: 900, updated: 2_000, deleted: 0, bytes: 3_000_000 },
    emails: 236,
  };

  it('allows as many renewals per second as the tighter of the global and the per-endpoint Stripe limit', () => {
    const budget = stripeBudget(measurement);
    expect(budget.perRenewal).toBe(4);
    expect(budget.writesPerRenewal).toBe(0.5);
    expect(budget.busiest).toEqual(['GET /v1/invoices/:id', 2]);
    // 100/s over 4 requests = 25 renewals/s; 25/s over 2 calls of the busiest endpoint = 12.5: the endpoint binds.
    expect(budget.renewalsPerSecond).toBe(12.5);
  });

  it('prints per renewal, per organization-year (12 renewals) and the projections for 100,000 and 1,000,000', () => {
    const text = renderCostModel(measurement);
    expect(text).toContain('8 = $0.0004');
    expect(text).toContain('96 Actions');
    expect(text).toContain('12.5 renewals/s');
    // 100,000 subscriptions × 12 renewals × 8 Actions / 12 months = 0.8M a month at $50 per million.
    expect(text).toMatch(/100,000 subscriptions\s+0\.8M Actions\/month = \$40\.00\/month/);
    expect(text).toContain('133 min of Stripe');
  });
});

describe('the worker metrics window', () => {
  const scrape = (count: number, buckets: [string, number][], sum: number): string =>
    [
      '# TYPE temporal_workflow_task_schedule_to_start_latency histogram',
      ...buckets.map(
        ([le, n]) => `temporal_workflow_task_schedule_to_start_latency_bucket{task_queue="q",le="${le}"} ${n}`,
      ),
      `temporal_workflow_task_schedule_to_start_latency_sum{task_queue="q"} ${sum}`,
      `temporal_workflow_task_schedule_to_start_latency_count{task_queue="q"} ${count}`,
    ].join('\n');

  it('reads the quantiles of what was observed between two scrapes, as bucket bounds', () => {
    const before = parsePrometheus(
      scrape(
        10,
        [
          ['0.1', 10],
          ['1', 10],
          ['10', 10],
          ['+Inf', 10],
        ],
        0.5,
      ),
    );
    const after = parsePrometheus(
      scrape(
        110,
        [
          ['0.1', 60],
          ['1', 108],
          ['10', 110],
          ['+Inf', 110],
        ],
        40.5,
      ),
    );
    expect(histogramDelta(before, after, 'temporal_workflow_task_schedule_to_start_latency')).toEqual({
      count: 100,
      sumSeconds: 40,
      p50: 0.1,
      p99: 10,
      max: 10,
      lastBound: 10,
    });
    expect(histogramDelta(before, after, 'no_such_metric')).toBeNull();
    expect(formatBound(0.1, 10)).toBe('≤ 0.1 s');
    expect(formatBound(Infinity, 10)).toBe('> 10 s');
  });

  it('takes quantiles by nearest rank', () => {
    expect(quantile([5, 1, 4, 2, 3], 0.5)).toBe(3);
    expect(quantile([5, 1, 4, 2, 3], 0.99)).toBe(5);
    expect(quantile([], 0.5)).toBeNaN();
  });
});

describe('bench flags', () => {
  const schema = z.strictObject({
    subs: z.coerce.number().int().min(2).default(5),
    keep: z.literal('true').optional(),
  });

  it('parses --name value and bare flags, and names the flag that is wrong', () => {
    expect(parseFlags(schema, ['--subs', '50', '--keep'])).toEqual({ subs: 50, keep: 'true' });
    expect(() => parseFlags(schema, ['--subs', '1'])).toThrow(/--subs/);
    expect(() => parseFlags(schema, ['--bogus', '1'])).toThrow(/bogus/);
    expect(() => parseFlags(schema, ['stray'])).toThrow(/unexpected argument "stray"/);
  });
});
