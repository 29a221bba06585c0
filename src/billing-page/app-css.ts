/**
 * The billing page's stylesheet (system fonts, no outside assets; readable from 320 px wide up). A module rather
 * than a .css file so the compiled image (tsc output only) serves it too.
 */
export const APP_CSS = `/* The billing page: system fonts, no outside assets; readable from 320 px wide up. */
:root {
  --ink: #1d2330;
  --muted: #5a6272;
  --line: #d9dde5;
  --accent: #2f5bd3;
  --ok: #1f7a46;
  --warn: #a05a00;
  --bad: #b3261e;
  font-family:
    system-ui,
    -apple-system,
    'Segoe UI',
    Roboto,
    sans-serif;
  color: var(--ink);
  line-height: 1.45;
}
body {
  margin: 0;
  background: #f6f7f9;
}
main {
  max-width: 52rem;
  margin: 0 auto;
  padding: 1rem;
}
header {
  display: flex;
  flex-wrap: wrap;
  align-items: baseline;
  justify-content: space-between;
  gap: 0.5rem;
}
h1 {
  font-size: 1.5rem;
  margin: 0.5rem 0;
}
h2 {
  font-size: 1.15rem;
  margin: 0 0 0.75rem;
}
nav ul {
  display: flex;
  flex-wrap: wrap;
  gap: 0.75rem;
  list-style: none;
  margin: 0;
  padding: 0;
}
nav a[aria-current='page'] {
  font-weight: 600;
  text-decoration: none;
  color: var(--ink);
}
section {
  background: #fff;
  border: 1px solid var(--line);
  border-radius: 8px;
  padding: 1rem;
  margin: 1rem 0;
}
a {
  color: var(--accent);
}
button,
.button {
  font: inherit;
  padding: 0.5rem 0.9rem;
  border-radius: 6px;
  border: 1px solid var(--accent);
  background: var(--accent);
  color: #fff;
  cursor: pointer;
  text-decoration: none;
  display: inline-block;
  margin: 0.25rem 0.25rem 0.25rem 0;
}
button.link {
  background: none;
  border: none;
  color: var(--accent);
  padding: 0;
  text-decoration: underline;
}
button.danger {
  background: var(--bad);
  border-color: var(--bad);
}
button:disabled {
  opacity: 0.5;
  cursor: default;
}
:focus-visible {
  outline: 3px solid #f2b705;
  outline-offset: 2px;
}
.field {
  display: flex;
  flex-direction: column;
  gap: 0.25rem;
  margin: 0.75rem 0;
}
.field.inline {
  flex-direction: row;
  align-items: center;
  gap: 0.5rem;
}
.field small {
  color: var(--muted);
}
input[type='number'],
select {
  font: inherit;
  padding: 0.4rem;
  border: 1px solid var(--line);
  border-radius: 6px;
  max-width: 20rem;
}
fieldset {
  border: 1px solid var(--line);
  border-radius: 6px;
  margin: 0;
  padding: 0.5rem 0.75rem;
}
.choice {
  display: flex;
  gap: 0.5rem;
  align-items: baseline;
  margin: 0.35rem 0;
}
.facts {
  display: grid;
  grid-template-columns: max-content 1fr;
  gap: 0.25rem 1rem;
  margin: 0 0 0.75rem;
}
.facts dt {
  color: var(--muted);
}
.facts dd {
  margin: 0;
}
.banner {
  border-radius: 8px;
  padding: 0.75rem 1rem;
  margin: 0.75rem 0;
  border: 1px solid;
}
.banner.alert {
  background: #fdecea;
  border-color: #f3b8b3;
}
.banner.info {
  background: #eef3fd;
  border-color: #c4d3f6;
}
.notice:empty {
  display: none;
}
.notice {
  padding: 0.5rem 0.75rem;
  border-radius: 6px;
  margin: 0.5rem 0;
}
.notice.ok {
  background: #e7f5ec;
  color: var(--ok);
}
.notice.error {
  background: #fdecea;
  color: var(--bad);
}
.preview-box {
  border: 1px dashed var(--accent);
  border-radius: 6px;
  padding: 0.5rem 0.75rem;
  margin-top: 0.75rem;
}
.cards {
  padding-left: 1.1rem;
}
.tag {
  margin-left: 0.5rem;
  font-size: 0.8rem;
  background: #eef3fd;
  padding: 0.05rem 0.4rem;
  border-radius: 4px;
}
.usage {
  list-style: none;
  padding: 0;
  margin: 0;
}
.usage li {
  margin: 0.75rem 0;
}
.bar {
  height: 0.75rem;
  background: #e9ecf1;
  border-radius: 999px;
  overflow: hidden;
  margin-top: 0.25rem;
}
.bar span {
  display: block;
  height: 100%;
  background: var(--ok);
}
.bar.near span {
  background: var(--warn);
}
.bar.reached span {
  background: var(--bad);
}
li[data-state='near'] .label {
  color: var(--warn);
}
li[data-state='reached'] .label {
  color: var(--bad);
  font-weight: 600;
}
.table-wrap {
  overflow-x: auto;
}
table {
  border-collapse: collapse;
  width: 100%;
  min-width: 34rem;
}
th,
td {
  text-align: left;
  padding: 0.4rem 0.5rem;
  border-bottom: 1px solid var(--line);
  vertical-align: top;
}
pre {
  background: #eef0f4;
  padding: 0.5rem;
  overflow-x: auto;
}
@media (max-width: 30rem) {
  main {
    padding: 0.5rem;
  }
  section {
    padding: 0.75rem;
  }
  .facts {
    grid-template-columns: 1fr;
  }
}
`;
