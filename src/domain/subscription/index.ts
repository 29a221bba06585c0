// The subscription policy core: pure, no I/O, no Temporal. The workflow (src/workflows) interprets its effects.
export * from './deadlines';
export * from './errors';
export * from './machine';
export { currentDetails, timerSummary } from './operator-details';
export * from './state';
export * from './stripe';
export { refusal, transition, type Output } from './transition';
