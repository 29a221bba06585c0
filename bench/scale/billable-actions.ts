import type { WorkflowHandle } from '@temporalio/client';

type HistoryEvent = NonNullable<Awaited<ReturnType<WorkflowHandle['fetchHistory']>>['events']>[number];

/** The search attribute `patched()` maintains; Temporal Cloud does not bill its upserts. */
const CHANGE_VERSION = 'TemporalChangeVersion';

/**
 * Temporal Cloud's billable Actions as one run's history shows them, after "Temporal Cloud Actions"
 * (https://docs.temporal.io/cloud/actions; docs/evaluate/cloud/actions.mdx in temporalio/documentation, read
 * 2026-12-05): a workflow started (a client start or a continue-as-new: the new run's Started event), an activity
 * scheduled, each activity retry (`attempt - 1` on its Started event), one Action per workflow task that recorded
 * markers (local activities, side effects: "all RecordMarkers from each Workflow Task as one action") plus each
 * local-activity retry the task reports, a timer started, a signal received, an update accepted, a search attribute
 * upsert (not one that only sets TemporalChangeVersion), two per child workflow started. Not in a history, so not
 * counted: queries, activity heartbeats, rejected updates, workflow task heartbeats.
 */
export function billableActions(events: readonly HistoryEvent[]): number {
  let actions = 0;
  const markerTasks = new Set<string>();
  for (const e of events) {
    if (e.workflowExecutionStartedEventAttributes) actions += 1;
    if (e.activityTaskScheduledEventAttributes) actions += 1;
    const started = e.activityTaskStartedEventAttributes;
    if (started && (started.attempt ?? 1) > 1) actions += (started.attempt ?? 1) - 1;
    const marker = e.markerRecordedEventAttributes;
    if (marker) markerTasks.add(String(marker.workflowTaskCompletedEventId ?? e.eventId));
    const completed = e.workflowTaskCompletedEventAttributes;
    if (completed) actions += Number(completed.meteringMetadata?.nonfirstLocalActivityExecutionAttempts ?? 0);
    if (e.timerStartedEventAttributes) actions += 1;
    if (e.workflowExecutionSignaledEventAttributes) actions += 1;
    if (e.workflowExecutionUpdateAcceptedEventAttributes) actions += 1;
    const upsert = e.upsertWorkflowSearchAttributesEventAttributes;
    if (upsert) {
      const keys = Object.keys(upsert.searchAttributes?.indexedFields ?? {});
      if (keys.some((k) => k !== CHANGE_VERSION)) actions += 1;
    }
    if (e.startChildWorkflowExecutionInitiatedEventAttributes) actions += 2;
  }
  return actions + markerTasks.size;
}
