// Lints several in-memory sources with the project's ESLint config and prints the messages as JSON.
// Runs outside jest because ESLint loads its flat config with a dynamic import jest cannot provide.
import { ESLint } from 'eslint';

const input = JSON.parse(
  await new Promise((resolve) => {
    let data = '';
    process.stdin.on('data', (d) => (data += d));
    process.stdin.on('end', () => resolve(data));
  }),
);
const eslint = new ESLint({ cwd: input.cwd });
const out = [];
for (const { code, filePath } of input.sources) {
  const [result] = await eslint.lintText(code, { filePath });
  out.push(result.messages.map((m) => ({ ruleId: m.ruleId, message: m.message })));
}
process.stdout.write(JSON.stringify(out));
