/**
 * The import rules of the house, checked by `npm run lint` (and so by
 * `npm test` and CI). Floors, lowest first: shared → edge, simulators,
 * factory → cloud → cli, bench, deploy; test code sits beside everything and may
 * reach anything. Each rule's comment says why it exists.
 */
const TEST = '(\\.test\\.ts|\\.test-helper\\.ts|\\.contract\\.ts)$|^test/';

/** A rule that `from` (non-test files in it) may not import `to`. */
const forbid = (name, comment, from, to) => ({
  name,
  comment,
  severity: 'error',
  from: { path: from, pathNot: TEST },
  to: { path: to },
});

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'A cycle means two modules are one; split what both need into a third.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    forbid(
      'shared-is-the-floor',
      'shared/ holds what every process agrees on (contracts, codecs, detection); it imports nothing of ours above it.',
      '^shared/',
      '^(edge|simulators|factory|cloud|cli|bench)/',
    ),
    forbid(
      'edge-stands-alone',
      'The edge agent runs on a gateway with only its own code and shared/.',
      '^edge/',
      '^(simulators|factory|cloud|cli|bench)/',
    ),
    forbid(
      'simulators-stand-alone',
      'Simulators stand in for hardware and fires; they speak only the shared contracts.',
      '^simulators/',
      '^(edge|factory|cloud|cli|bench)/',
    ),
    forbid(
      'factory-below-cloud',
      'The model factory reads datasets through shared/dataset and knows nothing of the live cloud.',
      '^factory/',
      '^(edge|simulators|cloud|cli|bench)/',
    ),
    forbid(
      'cloud-not-edge-or-simulators',
      'The live cloud talks to devices through MQTT messages (shared/schemas), never through their code.',
      '^cloud/',
      '^(edge|simulators|cli|bench)/',
    ),
    forbid(
      'cloud-service-is-the-top',
      'cloud/service/ is the composition root and the wiring: components never import it.',
      '^cloud/(?!service/)',
      '^cloud/service/',
    ),
    forbid(
      'cloud-contracts-are-a-leaf',
      'cloud/contracts/ declares the values components exchange; it depends on no component.',
      '^cloud/contracts/',
      '^cloud/(?!contracts/)',
    ),
    forbid(
      'edge-agent-is-the-top',
      'edge/agent.ts is the composition root and edge/edge-wiring.ts the wiring: edge components never import them.',
      '^edge/(?!agent\\.ts$|edge-wiring\\.ts$)',
      '^edge/(agent|edge-wiring)\\.ts$',
    ),
    forbid(
      'deploy-is-the-top',
      'deploy/ describes installations (CDK app, service units); the product never depends on it.',
      '^(shared|edge|simulators|factory|cloud|cli|bench)/',
      '^deploy/',
    ),
    forbid('cli-not-bench', 'Commands never depend on benchmarks.', '^cli/', '^bench/'),
    forbid(
      'no-test-code-in-the-product',
      'Test helpers and contract suites import vitest; the product and its build never load them.',
      '.',
      TEST,
    ),
    forbid(
      'no-test-runner-in-the-product',
      'vitest is a dev dependency: a shipped module that loads it breaks `npm ci --omit=dev`.',
      '.',
      '^node_modules/(vitest|@vitest|fast-check)/',
    ),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // node_modules is not followed, but stays in the graph so the rule on vitest can see it.
    exclude: { path: '^(dist|coverage|data)/' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};
