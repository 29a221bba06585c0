import type { Entitlements } from './api';
import { h, section } from './dom';
import { count, day, words } from './format';

/** Usage against the plan's limits this period: a bar per metric, marked at 80 % (near) and 100 % (reached). */
export function usage(e: Entitlements): HTMLElement {
  return section(
    'Usage',
    h('p', {}, `This period: ${day(e.period.start)} – ${day(e.period.end)} on ${e.plan}.`),
    h(
      'ul',
      { class: 'usage' },
      ...e.metrics.map((m) => {
        const name = words(m.metric);
        if (m.limit === null || m.limit < 0)
          return h(
            'li',
            { 'data-metric': m.metric },
            h('span', { class: 'label' }, `${name}: ${count(m.used)} (unlimited)`),
          );
        const percent = m.limit === 0 ? (m.used > 0 ? 100 : 0) : Math.round((m.used / m.limit) * 100);
        const state = percent >= 100 ? 'reached' : percent >= 80 ? 'near' : 'ok';
        const note = state === 'reached' ? ' — limit reached' : state === 'near' ? ' — nearing the limit' : '';
        const label = `${name}: ${count(m.used)} of ${count(m.limit)} (${percent} %)${note}`;
        return h(
          'li',
          { 'data-metric': m.metric, 'data-state': state },
          h('span', { class: 'label', id: `usage-${m.metric}` }, label),
          h(
            'div',
            {
              class: `bar ${state}`,
              role: 'progressbar',
              'aria-labelledby': `usage-${m.metric}`,
              'aria-valuemin': 0,
              'aria-valuemax': m.limit,
              'aria-valuenow': Math.min(m.used, m.limit),
            },
            fill(Math.min(percent, 100)),
          ),
        );
      }),
    ),
  );
}

/** Set through the CSSOM: the page's CSP allows no inline style attributes. */
function fill(percent: number): HTMLElement {
  const span = h('span');
  span.style.width = `${percent}%`;
  return span;
}
