// ESLint rule: a workspace reaches another only through that package's entry (its package.json
// "exports"), never into its src/. Deep imports couple a service to another's internals and
// bypass the boundary the entry draws (docs/architecture.md: services depend on packages, never
// on each other's code; tools import packages only).
import { dirname, relative, resolve, sep } from 'node:path';

const WORKSPACE = /^(packages|services|tools)\/[^/]+/;

/** The workspace folder (e.g. `services/backend`) a path inside the repository belongs to. */
function workspaceOf(root, file) {
  const rel = relative(root, file).split(sep).join('/');
  const m = WORKSPACE.exec(rel);
  return m ? m[0] : undefined;
}

/** @type {import('eslint').Rule.RuleModule} */
const noCrossWorkspaceSrc = {
  meta: {
    type: 'problem',
    docs: { description: "forbid importing another workspace's src/ (use its package entry)" },
    schema: [],
    messages: {
      deep: "'{{source}}' reaches into {{target}}/src: import '{{pkg}}' (the package's entry) instead.",
      relative:
        "'{{source}}' reaches into another workspace's source ({{target}}): import its package entry instead.",
    },
  },
  create(context) {
    const root = context.cwd;
    const filename = context.filename;
    const here = workspaceOf(root, filename);
    function check(node, source) {
      if (typeof source !== 'string') return;
      const deep = /^(@platform\/[^/]+)\/(.*\/)?src(\/|$)/.exec(source);
      if (deep) {
        context.report({ node, messageId: 'deep', data: { source, target: deep[1], pkg: deep[1] } });
        return;
      }
      if (!source.startsWith('.')) return;
      const target = resolve(dirname(filename), source);
      const there = workspaceOf(root, target);
      if (there && there !== here) {
        context.report({ node, messageId: 'relative', data: { source, target: there } });
      }
    }
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
    };
  },
};

export const boundaries = { rules: { 'no-cross-workspace-src': noCrossWorkspaceSrc } };
